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
    """A report file cannot be read (missing, unreadable, unsupported)."""

    status = 400


class UnsupportedFormatError(ReportFileError):
    """The file extension or content is not a report format DXKB reads."""


class DecodeError(ReportFileError):
    """The bytes of a report are in no encoding DXKB recognises."""


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
