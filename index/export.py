"""Comparisons as CSV (UTF-8 with BOM, for Excel) and Markdown, with numbered sources.

The functions take the dicts of :mod:`index.compare` and :mod:`index.matrix`
and give text; ``base`` is prefixed to report links (``http://host`` on the
web, empty on the command line, which prints paths).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import quote

from index.compare import NO_RECORD

BOM = "\ufeff"

EXTRA_ROWS = (("figures", "主な数値"), ("qa", "質疑応答"), ("observations", "所見"))


def passage_url(file: str, passage: str, base: str = "") -> str:
    """The link to a passage on its report page."""
    return f"{base}/reports/{quote(file)}#{passage}"


def source_label(source: Mapping[str, Any]) -> str:
    """A citation: 自治体・議会（委員会）「報告書」視察日."""
    issuer = "・".join(x for x in (source.get("council"), source.get("body")) if x)
    parts = [source.get("municipality", ""), issuer, f"「{source.get('title', '')}」" if source.get("title") else "",
             str(source.get("date", ""))]
    return "　".join(p for p in parts if p)


def _item_text(kind: str, item: Mapping[str, Any]) -> str:
    if kind == "figures":
        approx = "約" if item.get("approx") else ""
        return f"{approx}{item.get('text', '')}（{item.get('context', '')}）"
    if kind == "qa":
        return f"問：{item.get('question', '')}／答：{item.get('answer', '')}"
    return str(item.get("text", ""))


def table_rows(data: Mapping[str, Any]) -> list[tuple[str, str, list[list[str]]]]:
    """(group, row label, per city the cited texts) for every row of a comparison."""
    rows: list[tuple[str, str, list[list[str]]]] = []
    if data.get("query"):
        cells = [[f"{p['text']} [{p['source']}]" for p in c["passages"]] for c in data.get("matches", [])]
        rows.append(("検索語", f"「{data['query']}」", cells))
    for group in data.get("groups", []):
        for row in group["rows"]:
            cells = [[f"{p['text']} [{p['source']}]" for p in c["passages"]] for c in row["cells"]]
            rows.append((group["name"], row["practice"]["name"], cells))
    for kind, label in EXTRA_ROWS:
        cells = [[f"{_item_text(kind, i)} [{i['source']}]" for i in c["items"]] for c in data.get(kind, [])]
        rows.append(("視察の記録", label, cells))
    return rows


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""A cell starting with one of these would be run as a formula by a spreadsheet."""


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _csv(rows: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows([_cell(v) for v in row] for row in rows)
    return BOM + out.getvalue()


def comparison_csv(data: Mapping[str, Any], base: str = "") -> str:
    """The comparison as a CSV table, one column per city, then its numbered sources."""
    names = [c.get("label") or c["municipality"] for c in data["cities"]]
    lines: list[list[Any]] = [["分野", "項目", *names]]
    for group, label, cells in table_rows(data):
        lines.append([group, label, *("\n\n".join(texts) or NO_RECORD for texts in cells)])
    lines += [[], ["出典番号", "出典", "リンク"]]
    lines += [[s["n"], source_label(s), passage_url(s["file"], s["passage"], base)] for s in data["sources"]]
    return _csv(lines)


def _md_cell(text: str) -> str:
    return text.replace("|", "｜").replace("\n", " ")


def _md_sources(sources: Iterable[Mapping[str, Any]], base: str) -> list[str]:
    lines = ["", "## 出典", ""]
    lines += [f"{s['n']}. {source_label(s)} {passage_url(s['file'], s['passage'], base)}" for s in sources]
    return lines


def comparison_markdown(data: Mapping[str, Any], base: str = "") -> str:
    """The comparison as a Markdown table with numbered sources below it."""
    names = [c.get("label") or c["municipality"] for c in data["cities"]]
    title = "・".join(names) + "の比較" + (f"（検索語「{data['query']}」）" if data.get("query") else "")
    lines = [f"# {title}", "", "| 分野 | 項目 | " + " | ".join(names) + " |",
             "|" + "---|" * (len(names) + 2)]
    for group, label, cells in table_rows(data):
        texts = ["<br>".join(_md_cell(t) for t in texts) or NO_RECORD for texts in cells]
        lines.append(f"| {group} | {label} | " + " | ".join(texts) + " |")
    return "\n".join(lines + _md_sources(data["sources"], base)) + "\n"


def matrix_csv(data: Mapping[str, Any]) -> str:
    """The matrix: one row per municipality, passages per category and in total."""
    lines: list[list[Any]] = [["自治体", "都道府県", "団体コード", *(c["name"] for c in data["categories"]), "合計"]]
    for row in data["rows"]:
        lines.append([row["municipality"], row["prefecture"], row["code"],
                      *(cell["count"] for cell in row["cells"]), row["total"]])
    return _csv(lines)


def qa_csv(data: Mapping[str, Any], base: str = "") -> str:
    """A Q&A comparison: one row per pair, with its citation."""
    lines: list[list[Any]] = [["自治体", "質問", "回答", "議会", "委員会", "報告書", "視察日", "リンク"]]
    for column in data["cities"]:
        for item in column["items"]:
            lines.append([column["municipality"], item["question"], item["answer"], item.get("council", ""),
                          item.get("body", ""), item.get("title", ""), item.get("date", ""),
                          passage_url(item["file"], item["passage"], base)])
    return _csv(lines)


def qa_markdown(data: Mapping[str, Any], base: str = "") -> str:
    """A Q&A comparison in Markdown: a section per city, each pair with its footnote."""
    about = f"「{data['query']}」" if data.get("query") else ""
    about += f"（取組：{data['practice_name']}）" if data.get("practice_name") else ""
    lines = [f"# {about}についての質疑応答"]
    for column in data["cities"]:
        lines += ["", f"## {column['municipality']}", ""]
        if not column["items"]:
            lines.append(NO_RECORD)
        for item in column["items"]:
            lines += [f"- 問：{item['question']}", f"  答：{item['answer']} [{item['source']}]"]
    return "\n".join(lines + _md_sources(data["sources"], base)) + "\n"
