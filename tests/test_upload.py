"""Staff upload: off by default, token and CSRF checked, names kept inside
the upload folder, size and content checked, uploads searchable at once."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from index.build import build_index
from kb.errors import ReportFileError, UnsupportedFormatError
from kb.readers import SUPPORTED_SUFFIXES
from webui import create_app
from webui.upload import TOKEN_HEADER, inside, safe_name

TOKEN = "職員用-token-42"
TAMA = "tama-2023-10-kakanai-madoguchi.txt"
YOKOHAMA = "yokohama-2022-07-digital-committee.txt"


@pytest.fixture()
def reports(tmp_path: Path, reports_dir: Path) -> Path:
    folder = tmp_path / "reports"
    folder.mkdir()
    shutil.copy(reports_dir / TAMA, folder / TAMA)
    assert build_index([folder], tmp_path / "index").ok
    return folder


def _app(tmp_path: Path, reports: Path, **config: Any) -> Flask:
    return create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "index"),
                       "REPORTS_DIR": str(reports), **config})


@pytest.fixture()
def app(tmp_path: Path, reports: Path) -> Flask:
    return _app(tmp_path, reports, UPLOAD_TOKEN=TOKEN)


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def _report_bytes(reports_dir: Path, name: str = YOKOHAMA) -> bytes:
    return (reports_dir / name).read_bytes()


def _api(client: FlaskClient, files: list[tuple[bytes, str]], token: str | None = TOKEN) -> Any:
    headers = {TOKEN_HEADER: token} if token is not None else {}
    data = {"file": [(io.BytesIO(body), name) for body, name in files]}
    return client.post("/api/upload", data=data, headers=headers, content_type="multipart/form-data")


def _csrf(client: FlaskClient) -> str:
    page = client.get("/upload")
    assert page.status_code == 200
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
    assert found
    return found.group(1)


def _form(client: FlaskClient, body: bytes, name: str, *, csrf: str | None, token: str = TOKEN) -> Any:
    data: dict[str, Any] = {"token": token, "file": (io.BytesIO(body), name)}
    if csrf is not None:
        data["csrf_token"] = csrf
    return client.post("/upload", data=data, content_type="multipart/form-data")


def _stored(reports: Path) -> list[str]:
    folder = reports / "upload"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


# --------------------------------------------------------------------------
# Off unless configured


@pytest.mark.parametrize("method,path", [("get", "/upload"), ("post", "/upload"), ("post", "/api/upload")])
def test_upload_is_off_without_a_token(tmp_path: Path, reports: Path, method: str, path: str) -> None:
    client = _app(tmp_path, reports).test_client()
    response = getattr(client, method)(path, headers={TOKEN_HEADER: "anything"})
    assert response.status_code == 404
    assert _stored(reports) == []


def test_the_token_comes_from_the_environment(
    tmp_path: Path, reports: Path, reports_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DXKB_UPLOAD_TOKEN", "12345")  # read as JSON: an int
    client = _app(tmp_path, reports).test_client()
    assert client.get("/upload").status_code == 200
    assert _api(client, [(_report_bytes(reports_dir), "a.txt")], token="12345").status_code == 200


# --------------------------------------------------------------------------
# Token and CSRF


@pytest.mark.parametrize("token", [None, "", "wrong", TOKEN + "x"])
def test_api_refuses_a_wrong_token(client: FlaskClient, reports: Path, reports_dir: Path, token: str | None) -> None:
    response = _api(client, [(_report_bytes(reports_dir), "a.txt")], token=token)
    assert response.status_code == 403
    assert response.get_json() == {"ok": False, "error": "アップロード用のトークンが正しくありません", "status": 403}
    assert _stored(reports) == []


def test_form_refuses_a_wrong_token(client: FlaskClient, reports: Path, reports_dir: Path) -> None:
    response = _form(client, _report_bytes(reports_dir), "a.txt", csrf=_csrf(client), token="wrong")
    assert response.status_code == 403
    assert "トークンが正しくありません" in response.get_data(as_text=True)
    assert _stored(reports) == []


@pytest.mark.parametrize("csrf", [None, "", "forged-token"])
def test_form_refuses_a_missing_or_wrong_csrf_token(
    client: FlaskClient, reports: Path, reports_dir: Path, csrf: str | None
) -> None:
    _csrf(client)  # the session has a token; the post does not carry it
    response = _form(client, _report_bytes(reports_dir), "a.txt", csrf=csrf)
    assert response.status_code == 400
    assert "ページを読み込み直して" in response.get_data(as_text=True)
    assert _stored(reports) == []


def test_a_csrf_token_of_another_session_is_refused(app: Flask, reports_dir: Path) -> None:
    other = _csrf(app.test_client())
    response = _form(app.test_client(), _report_bytes(reports_dir), "a.txt", csrf=other)
    assert response.status_code == 400


# --------------------------------------------------------------------------
# File names


@pytest.mark.parametrize(
    "given,stored",
    [
        ("../../etc/x.txt", "x.txt"),
        ("..\\..\\windows\\win.html", "win.html"),
        ("/etc/passwd.txt", "passwd.txt"),
        ("a/../../b.HTM", "b.htm"),
        ("視察報告書.txt", "視察報告書.txt"),
        ("令和6年 視察報告.txt", "令和6年_視察報告.txt"),
        ("kasukabe-2023.01.txt", "kasukabe-2023.01.txt"),
        (".hidden.txt", "hidden.txt"),
        ("<script>.html", "script.html"),
        ("視察（その2）.txt", "視察_その2.txt"),
        ("報告\u202e書.txt", "報告_書.txt"),
        ("..txt", "upload-" + "0" * 12 + ".txt"),
        ("報告" * 50 + ".txt", "upload-" + "0" * 12 + ".txt"),
    ],
)
def test_safe_name(given: str, stored: str) -> None:
    name = safe_name(given)
    if stored.startswith("upload-"):
        assert re.fullmatch(r"upload-[0-9a-f]{12}\.txt", name), name
    else:
        assert name == stored


@pytest.mark.parametrize("given", ["report.exe", "report.txt.sh", "report", "../../etc/passwd"])
def test_safe_name_refuses_other_formats(given: str) -> None:
    with pytest.raises(UnsupportedFormatError):
        safe_name(given)


def test_the_supported_suffixes_are_the_readers_own() -> None:
    for suffix in SUPPORTED_SUFFIXES:
        assert safe_name(f"report{suffix.upper()}") == f"report{suffix}"


def test_inside_refuses_paths_leaving_the_folder(tmp_path: Path) -> None:
    folder = tmp_path / "upload"
    folder.mkdir()
    (tmp_path / "secret.txt").write_text("x", encoding="utf-8")
    (folder / "link.txt").symlink_to(tmp_path / "secret.txt")
    assert inside(folder, "a.txt") == (folder / "a.txt").resolve()
    for name in ("../a.txt", "sub/a.txt", "link.txt", "/etc/a.txt"):
        with pytest.raises(ReportFileError):
            inside(folder, name)


def test_a_traversing_name_is_stored_inside_the_upload_folder(
    client: FlaskClient, reports: Path, reports_dir: Path, tmp_path: Path
) -> None:
    response = _api(client, [(_report_bytes(reports_dir), "../../etc/x.txt")])
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["files"][0]["file"] == "x.txt"
    assert _stored(reports) == ["x.txt"]
    assert not (tmp_path / "etc").exists() and not (reports.parent / "etc").exists()


# --------------------------------------------------------------------------
# Size and content


def test_a_too_large_upload_is_refused(tmp_path: Path, reports: Path, reports_dir: Path) -> None:
    app = _app(tmp_path, reports, UPLOAD_TOKEN=TOKEN, MAX_CONTENT_LENGTH=8192)
    client = app.test_client()
    body = _report_bytes(reports_dir)
    assert len(body) > 8192
    response = _api(client, [(body, "big.txt")])
    assert response.status_code == 413
    assert response.get_json() == {"ok": False, "error": "ファイルが大きすぎます（上限 8 KB）", "status": 413}
    page = _form(client, body, "big.txt", csrf=_csrf(client))
    assert page.status_code == 413 and "ファイルが大きすぎます（上限 8 KB）" in page.get_data(as_text=True)
    assert _stored(reports) == []


@pytest.mark.parametrize(
    "body,name,message",
    [
        (b"\x00\x01\x02\xff\xfe" * 200, "broken.txt", "broken.txt: テキストではなくバイナリデータ"),
        (b"", "empty.txt", "empty.txt: ファイルが空です"),
        (b"MZ\x90\x00" + bytes(range(256)) * 4, "tool.html", "tool.html: テキストではなくバイナリデータ"),
        ("報告書".encode(), "report.exe", "対応していない形式"),
    ],
)
def test_bad_content_is_refused_and_nothing_is_lost(
    client: FlaskClient, reports: Path, body: bytes, name: str, message: str
) -> None:
    before = client.get("/api/stats").get_json()["reports"]
    response = _api(client, [(body, name)])
    assert response.status_code == 400
    data = response.get_json()
    assert data["ok"] is False and data["status"] == 400 and message in data["error"], data
    assert _stored(reports) == []
    assert client.get("/api/stats").get_json()["reports"] == before


def test_one_bad_file_stops_the_whole_upload(client: FlaskClient, reports: Path, reports_dir: Path) -> None:
    response = _api(client, [(_report_bytes(reports_dir), "good.txt"), (b"\x00\xff" * 300, "bad.txt")])
    assert response.status_code == 400 and "bad.txt" in response.get_json()["error"]
    assert _stored(reports) == []


def test_a_name_indexed_from_elsewhere_is_not_taken(client: FlaskClient, reports: Path, reports_dir: Path) -> None:
    response = _api(client, [(_report_bytes(reports_dir), TAMA)])
    assert response.status_code == 400 and "同じ名前の報告書" in response.get_json()["error"]
    assert _stored(reports) == []


# --------------------------------------------------------------------------
# Good uploads


def test_an_upload_is_searchable_at_once(client: FlaskClient, reports: Path, reports_dir: Path) -> None:
    assert client.get("/api/search?q=BYOD").get_json()["total"] == 0
    response = _api(client, [(_report_bytes(reports_dir), "横浜市 視察報告.txt")])
    assert response.status_code == 200, response.get_json()
    [file] = response.get_json()["files"]
    assert file["file"] == "横浜市_視察報告.txt" and file["status"] == "added"
    assert file["visits"] and file["qa"] > 0 and file["passages"] > file["qa"]
    assert isinstance(file["warnings"], list)
    assert _stored(reports) == ["横浜市_視察報告.txt"]
    hits = client.get("/api/search?q=BYOD").get_json()["hits"]
    assert hits and {h["file"] for h in hits} == {"横浜市_視察報告.txt"}
    assert client.get("/api/reports/横浜市_視察報告.txt").status_code == 200


def test_the_form_shows_the_parse_and_its_warnings(client: FlaskClient, reports: Path, reports_dir: Path) -> None:
    body = "行政視察報告書\n\n本文だけで、見出しも視察先もない文章です。".encode()
    response = _form(client, body, "メモ.txt", csrf=_csrf(client))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "索引に登録しました" in page
    assert "メモ.txt" in page and "質疑応答" in page and "警告:" in page

    again = _form(client, _report_bytes(reports_dir, YOKOHAMA), "メモ.txt", csrf=_csrf(client))
    assert again.status_code == 200 and "更新" in again.get_data(as_text=True)
    assert client.get("/api/stats").get_json()["reports"] == 2
    assert client.get("/api/search?q=BYOD").get_json()["total"] > 0


def test_an_upload_while_the_index_is_updated_is_kept_and_says_so(
    client: FlaskClient, tmp_path: Path, reports: Path, reports_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from index.lock import build_lock
    from webui import upload

    monkeypatch.setattr(upload, "INDEX_WAIT_SECONDS", 0.2)
    with build_lock(tmp_path / "index", wait=1):
        response = _api(client, [(_report_bytes(reports_dir), "busy.txt")])
    assert response.status_code == 503 and "ファイルは保存しました" in response.get_json()["error"]
    assert _stored(reports) == ["busy.txt"]
    assert _api(client, [(_report_bytes(reports_dir), "busy.txt")]).get_json()["files"][0]["status"] == "added"


def test_an_uploaded_copy_says_whose_copy_it_is(client: FlaskClient, reports: Path, reports_dir: Path) -> None:
    sjis = "tama-2023-10-kakanai-madoguchi.sjis.txt"
    response = _api(client, [(_report_bytes(reports_dir, sjis), sjis)])
    [file] = response.get_json()["files"]
    assert response.status_code == 200 and (file["status"], file["copy_of"]) == ("added", TAMA)
    assert {h["file"] for h in client.get("/api/search?q=書かない窓口&limit=100").get_json()["hits"]} == {TAMA}
    page = _form(client, _report_bytes(reports_dir, sjis), "写し.txt", csrf=_csrf(client)).get_data(as_text=True)
    assert f'<a href="/reports/{TAMA}">{TAMA}</a> と同じ内容のため、写しとして登録しました' in page
