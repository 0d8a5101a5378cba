"""The ``dxkb`` command: a thin click layer over kb/ and index/.

Heavy modules (Sudachi, Whoosh, Flask) are imported inside the commands so
that ``dxkb --help`` stays instant.
"""

from __future__ import annotations

import html
import json
import os
import re
import sys
import unicodedata
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from kb.errors import DxkbError

F = TypeVar("F", bound=Callable[..., Any])
PACKAGE_ROOT = Path(__file__).resolve().parents[1]
_MARK = re.compile(r"<mark[^>]*>(.*?)</mark>", re.DOTALL)


def default_index_dir() -> Path:
    """The index folder: $DXKB_INDEX or var/index."""
    return Path(os.environ.get("DXKB_INDEX", "var/index"))


def default_reports_dir() -> Path:
    """The report folder: $DXKB_REPORTS, ./data/reports, or the bundled corpus."""
    if "DXKB_REPORTS" in os.environ:
        return Path(os.environ["DXKB_REPORTS"])
    local = Path("data/reports")
    return local if local.is_dir() else PACKAGE_ROOT / "data" / "reports"


def handle_errors(func: F) -> F:
    """Turn DxkbError into a Japanese message on stderr and exit status 1."""
    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except DxkbError as exc:
            click.echo(f"エラー: {exc}", err=True)
            sys.exit(1)
    return wrapper  # type: ignore[return-value]


def echo_err(message: str) -> None:
    """Print a progress message on stderr."""
    click.echo(message, err=True)


def echo_json(data: Any) -> None:
    """Print JSON with Japanese left readable."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


index_option = click.option(
    "--index", "index_dir", type=click.Path(path_type=Path), default=None,
    help="索引フォルダ（既定: $DXKB_INDEX または var/index）",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dxkb")
def main() -> None:
    """DXKB: 自治体DXの行政視察報告書を検索・比較するナレッジベース。

    \b
    例:
      dxkb index                      # data/reports を索引化
      dxkb search BYOD                # 段落を検索
      dxkb parse data/reports/yokohama-2022-07-digital-committee.txt --json
      dxkb check                      # 解析結果の疑わしい点と対処
      dxkb practices byod             # BYOD を行っている自治体
      dxkb city 大阪市                # 大阪市の視察・取組・質疑応答
      dxkb serve                      # http://127.0.0.1:5000 で公開
    """


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="JSONで出力する")
@handle_errors
def parse(file: Path, as_json: bool) -> None:
    """報告書ファイルFILEを解析して表示する。

    \b
    例:
      dxkb parse data/reports/yokohama-2022-07-digital-committee.txt
      dxkb parse report.html --json
    """
    from kb.parse import parse_file

    report = parse_file(file)
    if as_json:
        echo_json(report.to_dict())
        return
    for line in format_report(report.to_dict()):
        click.echo(line)


def format_report(data: dict[str, Any]) -> list[str]:
    """Readable lines for a parsed report."""
    period = data["period"]
    lines = [
        f"ファイル: {data['file']}",
        f"表題: {data['title'] or '記載なし'}",
        f"委員会等: {data['body'] or '記載なし'}",
        f"議会: {data['council'] or '記載なし'}",
        f"期間: {period['start'] or '不明'} 〜 {period['end'] or '不明'}",
        f"委員: {'、'.join(data['members']) or 'なし'}",
    ]
    for number, visit in enumerate(data["visits"], 1):
        lines.append(
            f"視察先{number}: {visit['municipality']}（{visit['prefecture']}、{visit['code']}） {visit['date'] or '日付不明'}"
        )
        lines.append(f"  対応者: {'、'.join(visit['respondents']) or 'なし'}")
        lines.append(f"  視察事項: {'、'.join(visit['topics']) or 'なし'}")
        lines.append(
            f"  段落 {len(visit['passages'])} 件、質疑 {len(visit['qa'])} 件、所見 {len(visit['observations'])} 件"
        )
    if data["passages"]:
        lines.append(f"視察先に属さない段落: {len(data['passages'])} 件")
    lines.extend(f"警告: {w}" for w in data["warnings"])
    return lines


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@index_option
@click.option("--rebuild", is_flag=True, help="索引を作り直す")
@click.option("--progress/--no-progress", default=None, help="進行状況バーを表示する（既定: 端末のとき）")
@click.option("--json", "as_json", is_flag=True, help="結果の要約をJSONで出力する")
@click.option("--wait", "wait", type=click.FloatRange(min=0), default=None,
              help="別の索引更新が実行中のとき待つ秒数（既定: 30）")
@click.option("--jobs", type=click.IntRange(min=1), default=None,
              help="解析に使うプロセス数（既定: CPU数。少量の更新は1プロセス）")
@click.option("--engine", type=click.Choice(["sqlite", "whoosh"]), default=None,
              help="検索エンジン（既定: 環境変数 DXKB_ENGINE、既存の索引のもの、なければ sqlite）")
@handle_errors
def index(paths: tuple[Path, ...], index_dir: Path | None, rebuild: bool,
          progress: bool | None, as_json: bool, wait: float | None, jobs: int | None,
          engine: str | None) -> None:
    """報告書を索引に追加・更新する（既定の入力: data/reports）。

    変更のないファイルは読み飛ばし、変更されたファイルは置き換え、
    削除されたファイルは索引からも削除します。失敗したファイルがあると終了コード1。

    \b
    例:
      dxkb index
      dxkb index reports/2024 --index var/index
      dxkb index --rebuild
      dxkb index --rebuild --jobs 2
      dxkb index --rebuild --engine whoosh
    """
    from index.build import WRITER_TIMEOUT, build_index

    target = index_dir or default_index_dir()
    inputs = list(paths) or [default_reports_dir()]
    show = sys.stderr.isatty() if progress is None else progress
    summary = build_index(inputs, target, rebuild=rebuild, progress=show,
                          wait=WRITER_TIMEOUT if wait is None else wait, on_wait=echo_err, jobs=jobs,
                          engine=engine)
    if as_json:
        echo_json(summary.to_dict())
    else:
        for line in format_summary(summary.to_dict(), target):
            click.echo(line)
    if summary.failed:
        sys.exit(1)


def format_summary(data: dict[str, Any], target: Path) -> list[str]:
    """Readable lines for an index build summary."""
    lines = [
        f"索引: {target}",
        (
            f"追加 {len(data['added'])} 件、更新 {len(data['updated'])} 件、削除 {len(data['removed'])} 件、"
            f"変更なし {len(data['skipped'])} 件、失敗 {len(data['failed'])} 件"
            f"（段落 {data['passages']} 件、{data['seconds']:.2f} 秒）"
        ),
    ]
    lines.extend(copy_lines(data.get("copies", []), data.get("promoted", [])))
    for file, warnings in data["warnings"].items():
        lines.extend(f"警告: {file}: {w}" for w in warnings)
    lines.extend(ignored_lines(data.get("ignored", {})))
    if data["failed"]:
        lines.append(f"索引に入らなかったファイル（{len(data['failed'])} 件）:")
        lines.extend(failure_table(data["failed"]))
    return lines


def copy_lines(copies: list[dict[str, str]], promoted: list[str]) -> list[str]:
    """The files stored as copies (``copy → original``) and the copies promoted to originals."""
    lines = []
    if copies:
        pairs = "、".join(f"{c['file']} → {c['original']}" for c in copies)
        lines.append(f"同じ内容のため {len(copies)} 件を写しとして登録: {pairs}")
    if promoted:
        lines.append(f"写しだった {len(promoted)} 件を元の報告書として索引: {'、'.join(promoted)}")
    return lines


def ignored_lines(ignored: dict[str, list[str]]) -> list[str]:
    """One line per extension a folder scan left out, with the count."""
    return [f"対象外のファイル: {suffix} {len(files)} 件" for suffix, files in sorted(ignored.items())]


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="疑わしい点をJSONの一覧で出力する")
@handle_errors
def check(paths: tuple[Path, ...], as_json: bool) -> None:
    """報告書を解析し、解析結果に疑わしい点がある報告書と対処を一覧する（既定: data/reports）。

    視察先を特定できない報告書には、置けば解決するサイドカー
    （<報告書のファイル名>.toml）の例を示します。疑わしい点があると終了コード1。

    \b
    例:
      dxkb check
      dxkb check reports/2024 --json
    """
    from kb.check import check_reports

    result = check_reports(list(paths) or [default_reports_dir()])
    if as_json:
        echo_json(result.to_list())
        for line in ignored_lines(result.ignored):
            echo_err(line)
    else:
        for line in format_check(result.checked, result.to_list(), result.ignored):
            click.echo(line)
    if result.items:
        sys.exit(1)


def format_check(checked: int, items: list[dict[str, Any]], ignored: dict[str, list[str]]) -> list[str]:
    """Readable lines for ``dxkb check``: per file its doubts and what to do."""
    lines = [f"報告書 {checked} 件を確かめました"]
    file = None
    for item in items:
        if item["file"] != file:
            file = item["file"]
            lines.append(file)
        where = f"（視察先{item['visit']}）" if item["visit"] else ""
        label = "問題" if item["kind"] in ("unreadable", "bad-sidecar", "missing") else "疑わしい点"
        lines.append(f"  {label}{where}: {item['message']}")
        first, *rest = (item["advice"] or "なし").rstrip("\n").split("\n")
        lines.append(f"  対処: {first}")
        lines.extend(f"    {line}".rstrip() for line in rest)
    files = len({item["file"] for item in items})
    lines.append(f"疑わしい点のある報告書 {files} 件（{len(items)} 点）" if items else "疑わしい点はありません")
    lines.extend(ignored_lines(ignored))
    return lines


def _width(text: str) -> int:
    """Columns a string takes in a terminal (wide and full-width characters count 2)."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def failure_table(failed: list[dict[str, Any]]) -> list[str]:
    """The files that did not go in as an aligned table: file, problem, what to do."""
    rows = [("ファイル", "問題", "対処")] + [(f["file"], f["message"], f.get("hint", "")) for f in failed]
    widths = [max(_width(row[i]) for row in rows) for i in range(2)]
    return [
        "  " + "  ".join(cell + " " * (widths[i] - _width(cell)) if i < 2 else cell
                         for i, cell in enumerate(row)).rstrip()
        for row in rows
    ]


@main.command()
@click.argument("query")
@index_option
@click.option("--json", "as_json", is_flag=True, help="JSONで出力する")
@click.option("--limit", default=10, show_default=True, type=int, help="表示件数")
@click.option("--page", default=1, show_default=True, type=int, help="ページ番号")
@click.option("--city", default=None, help="市区町村名または6桁の団体コードで絞り込む")
@click.option("--pref", "prefecture", default=None, help="都道府県で絞り込む")
@click.option("--year", default=None, type=int, help="視察年（西暦）で絞り込む")
@click.option("--section", default=None, help="区分で絞り込む: overview, content, qa, observation")
@click.option("--practice", default=None, help="取組のID（dxkb practices で一覧）で絞り込む")
@click.option("--exact", is_flag=True, help="同じ意味の語に広げず、入力した語だけで検索する")
@click.option("--no-scope", "no_scope", is_flag=True, help="検索語の自治体名で視察先を絞り込まない")
@handle_errors
def search(query: str, index_dir: Path | None, as_json: bool, limit: int, page: int,
           city: str | None, prefecture: str | None, year: int | None, section: str | None,
           practice: str | None, exact: bool, no_scope: bool) -> None:
    """索引からQUERYを含む段落を検索する。

    検索語に自治体名（読みでも可）があれば、その自治体を視察した報告書に絞り込む。

    \b
    例:
      dxkb search BYOD
      dxkb search "通信費 負担" --section qa --json
      dxkb search kintone --city 神戸市 --limit 5
      dxkb search キントーン --exact
      dxkb search 研修 --practice dx-training
      dxkb search "福岡市 kintone"
    """
    from index.search import SearchService

    service = SearchService(index_dir or default_index_dir())
    result = service.search(query, city=city, prefecture=prefecture, year=year, section=section,
                            limit=limit, page=page, practice=practice, exact=exact,
                            scope=not no_scope)
    if as_json:
        echo_json(result)
        return
    for line in format_results(result):
        click.echo(line)


def plain_snippet(snippet: str) -> str:
    """A snippet for the terminal: matches in 【】, entities decoded."""
    return html.unescape(_MARK.sub(r"【\1】", snippet)).replace("\n", " ")


def format_results(result: dict[str, Any]) -> list[str]:
    """Readable lines for a search result."""
    from kb.model import SECTION_LABELS

    mode = {"all": "すべての語を含む", "some": "すべての語を含む箇所が先、続いていずれかの語を含む",
            "any": "いずれかの語を含む", "none": "検索語なし"}[result["mode"]]
    lines = [f"「{result['query']}」 {result['total']} 件（{mode}）"]
    lines.extend(f"注意: {n}" for n in result["notices"])
    lines.extend(_scope_lines(result))
    lines.extend(
        f"同義語: 「{e['term']}」を{''.join(f'「{w}」' for w in e['as'])}としても検索しました"
        for e in result.get("expanded", [])
    )
    start = (result["page"] - 1) * result["limit"]
    for rank, hit in enumerate(result["hits"], start + 1):
        place = hit["municipality"] or "（視察先なし）"
        label = SECTION_LABELS.get(hit["section"], hit["section"])
        lines.append(f"{rank}. {place}（{hit['prefecture']}） {hit['date']} [{label}] {hit['id']}")
        lines.append(f"   {plain_snippet(hit['snippet'])}")
        if hit.get("missing"):
            lines.append(f"   含まない語: {'、'.join(hit['missing'])}")
    return lines


def _scope_lines(result: dict[str, Any]) -> list[str]:
    """The scope of a search and its plain answer, with where else the words appear."""
    scope, answer = result.get("scope"), result.get("answer")
    if not scope:
        return []
    lines = [f"範囲: {scope['text']}（絞り込まずに検索するには --no-scope）"]
    if answer:
        lines.append(f"答え: {answer['text']}")
        if answer["elsewhere"]:
            lines.append("他の自治体: " + "、".join(f"{e['municipality']} {e['count']} 件" for e in answer["elsewhere"]))
    return lines


@main.command()
@click.argument("practice_id", required=False)
@index_option
@click.option("--json", "as_json", is_flag=True, help="JSONで出力する")
@handle_errors
def practices(practice_id: str | None, index_dir: Path | None, as_json: bool) -> None:
    """取組の一覧（分野ごと）、またはPRACTICE_IDの取組を行っている自治体を表示する。

    \b
    例:
      dxkb practices
      dxkb practices byod --json
    """
    from index.search import SearchService

    service = SearchService(index_dir or default_index_dir())
    if practice_id:
        data = service.practice(practice_id)
        lines = format_practice(data)
    else:
        data = service.practices()
        lines = format_catalogue(data)
    if as_json:
        echo_json(data)
        return
    for line in lines:
        click.echo(line)


def format_catalogue(data: dict[str, Any]) -> list[str]:
    """Readable lines for the practice catalogue."""
    lines = [f"取組 {data['practices']} 件（報告書に記載のあるもの {data['found']} 件）"]
    for category in data["categories"]:
        lines.append(f"■ {category['name']}")
        for p in category["practices"]:
            lines.append(f"  {p['id']:<24} {p['name']}  自治体 {p['cities']}・報告書 {p['reports']}")
    return lines


def format_practice(data: dict[str, Any]) -> list[str]:
    """Readable lines for one practice: cities, newest first, with their evidence."""
    p, total = data["practice"], data["total"]
    lines = [f"{p['name']}（{p['id']}、{p['category_name']}）: {p['description']}",
             f"自治体 {total['cities']}・報告書 {total['reports']}・箇所 {total['passages']}"]
    for city in data["cities"]:
        lines.append(f"■ {city['municipality'] or '報告書全体'} {city['date']}  {city['file']}")
        for e in city["passages"]:
            lines.append(f"  {e['id']}: {plain_snippet(e['snippet'])[:80]}")
    return lines


def format_option(*formats: str) -> Callable[[F], F]:
    """Mutually exclusive output flags (--json, --csv, --md) sharing one ``fmt`` argument."""
    helps = {"json": "JSONで出力する", "csv": "CSV（UTF-8・BOM付き、Excel向け）で出力する",
             "md": "Markdownで出力する"}

    def decorate(func: F) -> F:
        for name in reversed(formats):
            func = click.option(f"--{name}", "fmt", flag_value=name, help=helps[name])(func)
        return func
    return decorate


def echo_file(text: str) -> None:
    """Write an export as UTF-8 whatever the terminal's encoding (a CSV keeps its BOM)."""
    sys.stdout.flush()
    sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.buffer.flush()


@main.command()
@click.option("--cities", required=True, help="比較する市区町村（カンマ区切り。名前・団体コード・読み）")
@click.option("--q", "query", default="", help="検索語（一致した記述と、その記述に出る取組に絞る）")
@click.option("--category", "categories", multiple=True, help="分野のIDで絞る（繰り返し可）")
@click.option("--exact", is_flag=True, help="同じ意味の語に広げず、入力した語だけで検索する")
@index_option
@format_option("json", "csv", "md")
@handle_errors
def compare(cities: str, query: str, categories: tuple[str, ...], exact: bool,
            index_dir: Path | None, fmt: str | None) -> None:
    """市区町村を取組ごとに並べて比較する。

    \b
    例:
      dxkb compare --cities 大阪市,神戸市
      dxkb compare --cities 大阪市,神戸市 --q 研修 --md
      dxkb compare --cities おおさか,こうべ --category devices --csv > 比較.csv
    """
    from index.export import comparison_csv, comparison_markdown
    from index.search import SearchService

    service = SearchService(index_dir or default_index_dir())
    data = service.compare(cities, query=query, categories=categories, exact=exact)
    if fmt == "json":
        echo_json(data)
    elif fmt == "csv":
        echo_file(comparison_csv(data))
    elif fmt == "md":
        echo_file(comparison_markdown(data))
    else:
        for line in format_comparison(data):
            click.echo(line)


def format_comparison(data: dict[str, Any]) -> list[str]:
    """Readable lines for a comparison: per practice, each city's passages or 記載なし."""
    from index.compare import NO_RECORD

    names = [c["label"] for c in data["cities"]]
    lines = ["・".join(names) + "の比較" + (f"（検索語「{data['query']}」）" if data["query"] else "")]
    lines.extend(f"注意: {n}" for n in data["notices"])
    for c in data["cities"]:
        dates = "、".join(f"{r['date']} {r['file']}" for r in c["reports"]) or "報告書なし"
        lines.append(f"  {c['municipality']}（{c['prefecture']}）: {dates}")
    for group in data["groups"]:
        lines.append(f"■ {group['name']}")
        for row in group["rows"]:
            lines.append(f"  {row['practice']['name']}（{row['practice']['id']}）")
            for name, cell in zip(names, row["cells"]):
                cited = ", ".join(f"{p['file']}#{p['passage']}" for p in cell["passages"]) or NO_RECORD
                lines.append(f"    {name}: {cited}")
    for kind, label in (("figures", "主な数値"), ("qa", "質疑応答"), ("observations", "所見")):
        counts = "、".join(f"{name} {len(c['items'])}件" for name, c in zip(names, data[kind]))
        lines.append(f"■ {label}: {counts}")
    return lines


@main.command()
@click.option("--pref", "prefecture", default=None, help="都道府県で絞り込む")
@click.option("--year", default=None, type=int, help="視察年（西暦）で絞り込む")
@click.option("--sort", default="code", show_default=True, help="code, name, total か分野のID")
@index_option
@format_option("json", "csv")
@handle_errors
def matrix(prefecture: str | None, year: int | None, sort: str, index_dir: Path | None,
           fmt: str | None) -> None:
    """自治体×分野の一覧表（取組が書かれた箇所の数）を表示する。

    \b
    例:
      dxkb matrix
      dxkb matrix --pref 大阪府 --sort devices
      dxkb matrix --csv > 一覧表.csv
    """
    from index.export import matrix_csv
    from index.search import SearchService

    data = SearchService(index_dir or default_index_dir()).matrix(prefecture, year, sort)
    if fmt == "json":
        echo_json(data)
    elif fmt == "csv":
        echo_file(matrix_csv(data))
    else:
        for line in format_matrix(data):
            click.echo(line)


def format_matrix(data: dict[str, Any]) -> list[str]:
    """Readable lines for the matrix: one line per municipality with its non-empty categories."""
    names = {c["id"]: c["name"] for c in data["categories"]}
    lines = [f"{len(data['rows'])}団体（分野ごとの記載箇所数）"]
    for row in data["rows"]:
        cells = "、".join(f"{names[c['category']]} {c['count']}" for c in row["cells"] if c["count"])
        lines.append(f"{row['municipality']}（{row['prefecture']}） 計{row['total']}: {cells}")
    return lines


@main.command()
@click.argument("query", required=False, default="")
@click.option("--practice", default=None, help="取組のID（dxkb practices で一覧）")
@click.option("--cities", default="", help="自治体を指定する（カンマ区切り）")
@click.option("--exact", is_flag=True, help="同じ意味の語に広げず、入力した語だけで検索する")
@index_option
@format_option("json", "csv", "md")
@handle_errors
def qa(query: str, practice: str | None, cities: str, exact: bool, index_dir: Path | None,
       fmt: str | None) -> None:
    """QUERY（または取組）についての質疑応答を自治体ごとに並べる。

    \b
    例:
      dxkb qa 研修
      dxkb qa --practice byod --cities 大阪市,中野区 --md
    """
    from index.export import qa_csv, qa_markdown
    from index.search import SearchService

    data = SearchService(index_dir or default_index_dir()).compare_qa(
        query, practice=practice, cities=cities, exact=exact)
    if fmt == "json":
        echo_json(data)
    elif fmt == "csv":
        echo_file(qa_csv(data))
    else:
        echo_file(qa_markdown(data))


@main.command()
@click.argument("key")
@index_option
@click.option("--json", "as_json", is_flag=True, help="JSONで出力する")
@click.option("--page", default=1, show_default=True, type=int, help="視察一覧のページ番号")
@handle_errors
def city(key: str, index_dir: Path | None, as_json: bool, page: int) -> None:
    """KEY（6桁の団体コード・名前・読み）の自治体について、視察・取組・質疑応答・数値・所見をまとめる。

    \b
    例:
      dxkb city 大阪市
      dxkb city 271004 --json
      dxkb city おおさかし --page 2
    """
    from index.search import SearchService

    data = SearchService(index_dir or default_index_dir()).city(key, page, follow=True)
    if as_json:
        echo_json(data)
        return
    for line in format_choices(data) if "choices" in data else format_city(data):
        click.echo(line)


def format_choices(data: dict[str, Any]) -> list[str]:
    """Readable lines for a name shared by several municipalities."""
    lines = [f"「{data['key']}」に当たる自治体が{len(data['choices'])}団体あります（団体コードで指定してください）"]
    lines.extend(f"  {c['code']} {c['label']} {c['reading']} 報告書 {c['visits']}件" for c in data["choices"])
    return lines


def format_city(data: dict[str, Any]) -> list[str]:
    """Readable lines for a municipality's page: visits, practices, Q&A, figures, observations."""
    m, t = data["municipality"], data["total"]
    lines = [f"{m['label']} {m['reading']} 団体コード {m['code']}",
             (f"視察報告書 {t['visits']}件・{t['passages']}箇所（取組 {t['practices']}・質疑応答 {t['qa']}・"
              f"数値 {t['figures']}・所見 {t['observations']}）")]
    lines.extend(f"注意: {n}" for n in data["notices"])
    if not t["visits"]:
        return lines
    lines.append("■ 年ごとの視察: " + "、".join(f"{y['year'] + '年' if y['year'] else '日付不明'} {y['visits']}件"
                                           for y in data["years"]))
    start = (data["page"] - 1) * data["limit"]
    lines.append(f"■ 視察（{data['page']}/{data['pages']}ページ、新しい順）")
    for n, v in enumerate(data["visits"], start + 1):
        anchor = f"#visit-{v['visit']}" if v["visit"] else ""
        lines.append(f"  {n}. {v['date'] or '日付不明'} {v['council']}{v['body']} 「{v['title'] or v['file']}」 "
                     f"{v['file']}{anchor}")
        lines.extend(f"     ・{topic}" for topic in v["topics"])
    lines.append(f"■ 取組（{len(data['practices'])}/{t['practices']}件、報告書の多い順）")
    for p in data["practices"]:
        cited = ", ".join(f"{e['file']}#{e['passage']}" for e in p["evidence"])
        lines.append(f"  {p['name']}（{p['id']}） 報告書 {p['reports']}・{p['passages']}箇所: {cited}")
    lines.append(f"■ 質疑応答（{len(data['qa'])}/{t['qa']}件）")
    lines.extend(f"  問: {q['question']}\n  答: {q['answer']}\n     {q['file']}#{q['passage']}" for q in data["qa"])
    lines.append(f"■ 主な数値（{len(data['figures'])}/{t['figures']}件）")
    lines.extend(f"  {f['text']}: {f['context']} {f['file']}#{f['passage']}" for f in data["figures"])
    lines.append(f"■ 所見（{len(data['observations'])}/{t['observations']}件）")
    lines.extend(f"  {o['text']} {o['file']}#{o['passage']}" for o in data["observations"])
    return lines


@main.command()
@index_option
@click.option("--reports", "reports_dir", type=click.Path(path_type=Path), default=None,
              help="索引がないときに読み込む報告書フォルダ（既定: data/reports）")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int, help="WSGIサーバのスレッド数")
@click.option("--workers", default=lambda: os.cpu_count() or 1, show_default="CPU数", type=click.IntRange(min=1),
              help="サーバのプロセス数（検索はプロセスごとに1コアを使う）")
@click.option("--debug", is_flag=True, help="Flaskの開発用サーバで起動する")
@handle_errors
def serve(index_dir: Path | None, reports_dir: Path | None, host: str, port: int,
          threads: int, workers: int, debug: bool) -> None:
    """Webサーバを起動する（索引がなければ先に作る）。

    \b
    例:
      dxkb serve
      dxkb serve --index var/index --port 8080
      dxkb serve --workers 2 --threads 4
    """
    from index.build import build_index, index_status
    from webui import create_app

    target = index_dir or default_index_dir()
    source = reports_dir or default_reports_dir()
    status = index_status(target)
    if status != "ok":
        reason = "索引がない" if status == "missing" else "索引の形式が古い"
        click.echo(f"{reason}ため {source} から作成します…", err=True)
        summary = build_index([source], target, rebuild=True, progress=sys.stderr.isatty(), on_wait=echo_err)
        for line in format_summary(summary.to_dict(), target):
            click.echo(line, err=True)
    config = {"INDEX_DIR": str(target), "REPORTS_DIR": str(source)}
    click.echo(f"http://{host}:{port}/ で公開しています（終了は Ctrl+C）", err=True)
    if debug:
        create_app(config).run(host=host, port=port, debug=True)
        return
    from waitress import serve as waitress_serve

    if workers == 1:
        waitress_serve(create_app(config), host=host, port=port, threads=threads)
        return
    serve_workers(config, host, port, threads, workers)


def serve_workers(config: dict[str, str], host: str, port: int, threads: int, workers: int) -> None:
    """``workers`` forked server processes accepting on one listening socket (the kernel shares the connections).

    Each process makes its own app, so nothing opened before the fork
    (index connections, Sudachi) is shared; the first process to end, or
    SIGTERM/SIGINT here, ends them all.
    """
    import os
    import signal
    import socket

    from waitress import serve as waitress_serve

    from webui import create_app

    listener = socket.create_server((host, port), reuse_port=False, backlog=1024)
    children: list[int] = []
    for _ in range(workers):
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            waitress_serve(create_app(config), sockets=[listener], threads=threads)
            os._exit(0)
        children.append(pid)

    def stop(signum: int, frame: object) -> None:
        for child in children:
            try:
                os.kill(child, signal.SIGTERM)
            except ProcessLookupError:
                pass
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        os.wait()
    finally:
        stop(signal.SIGTERM, None)


@main.command()
@click.option("--sqlite", "sqlite_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="SQLiteファイルに書き出す（Datasette・DB Browser・Rでそのまま開けます）")
@click.option("--csv", "csv_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="フォルダに表ごとのCSV（UTF-8・BOM付き）を書き出す")
@index_option
@handle_errors
def export(sqlite_file: Path | None, csv_dir: Path | None, index_dir: Path | None) -> None:
    """索引の全データ（報告書・視察先・段落・質疑応答・所見・数値・取組）を表として書き出す。

    表と列は README の「Export」の節を参照してください。

    \b
    例:
      dxkb export --sqlite dxkb.sqlite
      datasette dxkb.sqlite
      dxkb export --csv dxkb-csv
      dxkb export --sqlite dxkb.sqlite --csv dxkb-csv --index var/index
    """
    from index.dump import dump_index

    if sqlite_file is None and csv_dir is None:
        raise click.UsageError("--sqlite FILE か --csv DIR を指定してください")
    counts = dump_index(index_dir or default_index_dir(), sqlite=sqlite_file, csv=csv_dir)
    for line in format_export(counts, [str(t) for t in (sqlite_file, csv_dir) if t is not None]):
        click.echo(line)


def format_export(counts: dict[str, int], targets: list[str]) -> list[str]:
    """What ``dxkb export`` says: where it wrote, then the rows of each table."""
    width = max(len(name) for name in counts)
    return [f"書き出しました: {'、'.join(targets)}", *(f"  {name:<{width}}  {n:>8,}行" for name, n in counts.items())]


@main.command()
@click.argument("path")
@index_option
@handle_errors
def get(path: str, index_dir: Path | None) -> None:
    """Webページやapiのパスを内部で呼び出し、その応答を表示する。

    \b
    例:
      dxkb get "/api/search?q=BYOD"
      dxkb get /api/stats
    """
    from webui import create_app

    app = create_app({"INDEX_DIR": str(index_dir or default_index_dir())})
    response = app.test_client().get(path)
    click.echo(response.get_data(as_text=True))
    if response.status_code >= 400:
        sys.exit(1)


if __name__ == "__main__":
    main()
