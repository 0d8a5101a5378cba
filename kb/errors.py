"""The one exception hierarchy of DXKB.

The CLI turns these into a Japanese message and a non-zero exit; the web
layer turns them into the JSON error shape ``{"ok": false, ...}``.
"""

from __future__ import annotations


class DxkbError(Exception):
    """Base class of every error DXKB raises on purpose."""

    status: int = 500

    def __init__(self, message: str, *, subject: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.subject = subject

    def __str__(self) -> str:
        # A message that already names its parameter needs no prefix.
        if self.subject and not self.message.startswith(self.subject):
            return f"{self.subject}: {self.message}"
        return self.message


class ReportFileError(DxkbError):
    """A report file cannot be read (missing, unreadable, unsupported).

    ``hint`` says what to do about it; ``str()`` gives one line naming the
    file, the problem and the hint.
    """

    status = 400

    def __init__(self, message: str, *, subject: str | None = None, hint: str = "") -> None:
        super().__init__(message, subject=subject)
        self.hint = hint

    def __str__(self) -> str:
        line = super().__str__()
        return f"{line}。{self.hint}" if self.hint else line


class UnsupportedFormatError(ReportFileError):
    """The file extension or content is not a report format DXKB reads."""


class DecodeError(ReportFileError):
    """The bytes of a report are in no encoding DXKB recognises."""


class EmptyFileError(DecodeError):
    """The report file has no content at all."""


class BinaryFileError(DecodeError):
    """A file named like a text report holds binary data (an image, archive...)."""


class FileTooLargeError(ReportFileError):
    """The file is larger than the size limit for its format."""


class UnreadableFileError(ReportFileError):
    """The operating system refused to read the file (permissions, I/O error)."""


class FileVanishedError(ReportFileError):
    """The file disappeared between listing the folder and reading it."""


class BrokenPdfError(ReportFileError):
    """A PDF whose structure cannot be read (truncated or damaged)."""


class EncryptedPdfError(ReportFileError):
    """A PDF that needs a password to open."""


class ScannedPdfError(ReportFileError):
    """A PDF without a text layer (scanned pages): OCR is needed first."""


class BrokenDocxError(ReportFileError):
    """A .docx file that is not a readable Word document."""


class PathOutsideCorpusError(ReportFileError):
    """A requested path lies outside the report folder."""

    status = 404


class QueryError(DxkbError):
    """A search parameter is malformed (bad limit, unknown section...)."""

    status = 400


class IndexMissingError(DxkbError):
    """No index exists at the given folder yet."""

    status = 503


class NotFoundError(DxkbError):
    """A report or passage asked for does not exist."""

    status = 404


class IndexBusyError(DxkbError):
    """Another process is writing the index right now."""

    status = 503


class IndexOutdatedError(DxkbError):
    """The index was built with another schema and must be rebuilt."""

    status = 503


class TaxonomyError(DxkbError):
    """The practice taxonomy file is malformed or inconsistent."""


class SidecarError(ReportFileError):
    """A report's sidecar (``<report>.toml``) is malformed: bad TOML, unknown key, bad value."""
