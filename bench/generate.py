"""Deterministic generator of inspection reports for benchmarks.

Reports follow the layouts of the bundled corpus (numbered sections with
labelled fields, 問/答 Q&A, "・…"/"→…" pairs, ■ headings with 【】 labels,
質疑応答 with ○/●, one 所感 per member, HTML pages).  Their prose is made of
sentences sampled from the corpus, so vocabulary and term frequencies stay
realistic; municipalities come from data/municipalities.csv and dates and
figures vary.  The same seed gives byte-identical files.

Usage::

    python bench/generate.py OUT_DIR --reports 1000 [--seed 7]
"""

from __future__ import annotations

import argparse
import csv
import html
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "data" / "reports"
MUNICIPALITIES = ROOT / "data" / "municipalities.csv"
MIN_CHARS, MAX_CHARS = 3000, 8000

PRACTICES = (
    "BYOD", "kintone", "テレワーク", "電子申請", "書かない窓口", "生成AI", "ChatGPT", "RPA",
    "LINE公式アカウント", "ペーパーレス会議", "タブレット端末", "オンライン委員会", "マイナンバーカード",
    "スマートシティ", "AIデマンドバス", "パブリッククラウド", "ノーコードツール", "AI-OCR",
    "オープンデータ", "キャッシュレス決済", "電子契約", "Microsoft 365", "Zoom", "GIGAスクール",
    "データ連携基盤", "デジタル人材育成", "ガバメントクラウド", "AI議事録", "チャットボット",
    "遠隔手話通訳", "ドローン", "防災アプリ", "行かない窓口", "SideBooks", "議会中継",
)
FRAMES = (
    "{city}では、{practice}の導入を進めている。",
    "{city}の{practice}は、全国的にも先進的な取組として知られている。",
    "{practice}について、{city}の担当課長から説明を受けた。",
    "{city}は{year}年度から{practice}を本格的に運用しており、利用件数は{n}件に達した。",
    "{practice}の導入経費は約{m}万円で、その{p}割を国の交付金で賄った。",
    "{city}では職員{n}人を対象に{practice}の研修を行った。",
)
QUESTIONS = (
    "{practice}の導入にかかった費用はどの程度か。",
    "{practice}を使えない市民への対応はどうしているか。",
    "{practice}の効果をどのように測っているのか。",
    "{practice}の運用は何人の職員で担っているのか。",
)
SURNAMES = ["佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田", "山田", "佐々木", "松本", "井上", "木村", "清水", "林", "斎藤", "山口"]
GIVEN = ["誠", "浩", "聡", "健一", "直樹", "美穂", "由美子", "大輔", "陽子", "和也", "恵", "修", "智子", "剛", "真理", "隆", "綾", "悟", "翔太", "香織"]
_SENTENCE = re.compile(r"[^。！？]+[。！？]")
_MARKED = re.compile(r"^(?:問|答|Q|A|Ｑ|Ａ)[）)　 ]|^[・→]")


@dataclass
class Pools:
    """Sentences, questions and answers taken from the corpus; places from the table."""

    sentences: list[str]
    questions: list[str]
    answers: list[str]
    places: list[tuple[str, str]]


def load_pools(corpus: Path = CORPUS, table: Path = MUNICIPALITIES) -> Pools:
    """Read the corpus sentences and the municipality table (UTF-8 text files only)."""
    sentences: list[str] = []
    questions: list[str] = []
    answers: list[str] = []
    for path in sorted(corpus.glob("*.txt")):
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for raw in text.splitlines():
            _sort_line(raw.strip(" \u3000"), sentences, questions, answers)
    with table.open(encoding="utf-8") as handle:
        places = [(r["prefecture"], r["municipality"]) for r in csv.DictReader(handle) if r["municipality"]]
    return Pools(sorted(set(sentences)), sorted(set(questions)), sorted(set(answers)), places)


def _sort_line(line: str, sentences: list[str], questions: list[str], answers: list[str]) -> None:
    if _MARKED.match(line):
        body = _MARKED.sub("", line).strip(" \u3000")
        if len(body) >= 10:
            (answers if line[0] in "答AＡ→" else questions).append(body)
        return
    for sentence in _SENTENCE.findall(line):
        if 15 <= len(sentence) <= 160 and not sentence.startswith(("（", "(", "【", "■")):
            sentences.append(sentence.strip(" \u3000"))


@dataclass
class Visit:
    """One visited municipality of a generated report."""

    prefecture: str
    city: str
    month: int
    day: int
    practices: list[str]


@dataclass
class Draft:
    """The random choices of one report, and helpers drawing prose from the pools."""

    rng: random.Random
    pools: Pools
    year: int
    members: list[str]
    visits: list[Visit]
    paragraphs: int
    extra: dict[str, str] = field(default_factory=dict)

    def paragraph(self, visit: Visit) -> str:
        """A paragraph of corpus sentences, often naming the city and a practice."""
        rng = self.rng
        parts = rng.sample(self.pools.sentences, rng.randint(2, 5))
        if rng.random() < 0.7:
            frame = rng.choice(FRAMES)
            parts.insert(rng.randrange(len(parts) + 1), frame.format(
                city=visit.city, practice=rng.choice(visit.practices), year=self.year - rng.randint(0, 3),
                n=rng.randint(3, 9000), m=rng.randint(50, 9000), p=rng.randint(2, 9)))
        return "".join(parts)

    def qa(self, visit: Visit, count: int) -> list[tuple[str, str]]:
        """Question/answer pairs: corpus pairs and practice questions."""
        rng = self.rng
        pairs = []
        for _ in range(count):
            question = rng.choice(self.pools.questions)
            if rng.random() < 0.4:
                question = rng.choice(QUESTIONS).format(practice=rng.choice(visit.practices))
            pairs.append((question, rng.choice(self.pools.answers)))
        return pairs

    def era_date(self, visit: Visit) -> str:
        """The visit date written in the Japanese era (令和/平成)."""
        return f"{era(self.year)}{visit.month}月{visit.day}日"


def era(year: int) -> str:
    """``令和5年`` for 2023, ``平成30年`` for 2018, ``令和元年`` for 2019."""
    if year >= 2019:
        return "令和元年" if year == 2019 else f"令和{year - 2018}年"
    return f"平成{year - 1988}年"


def _weekday(year: int, month: int, day: int) -> str:
    import datetime

    return "月火水木金土日"[datetime.date(year, month, day).weekday()]


def numbered(d: Draft) -> str:
    """Labelled fields then (1)(2)(3) sections, 問/答 Q&A (one visit)."""
    v = d.visits[0]
    lines = ["各常任委員会、議会運営委員会、各会派　行政視察報告書", "", "視察報告書", "",
             "委員会名・会派名", d.extra["committee"], "", "視察先", f"{v.prefecture}　{v.city}", "",
             "視察案件", f"{v.practices[0]}について", "", "実施日", d.era_date(v), "",
             "参加者氏名", "、".join(d.members), "", "視察結果概要", "", "(1)視察先の概要"]
    lines += [" " + d.paragraph(v) for _ in range(2)]
    lines += ["", "(2)視察内容", "○説明者", f" {v.city}{d.extra['department']}（説明）", ""]
    for i in range(d.paragraphs):
        if i % 3 == 0:
            lines += ["", f"<{d.rng.choice(v.practices)}の概要>"]
        lines.append(" " + d.paragraph(v))
    lines += ["", "<質疑応答>"]
    for q, a in d.qa(v, d.rng.randint(3, 6)):
        lines += [f"問　{q}", f"答　{a}"]
    lines += ["", "(3)所感"] + [" " + d.paragraph(v) for _ in range(2)]
    return "\n".join(lines) + "\n"


def prefectural(d: Draft) -> str:
    """1/2/3 numbered chapters, one (n) block per visit with ア/イ/ウ and ・/→ pairs."""
    first, last = d.visits[0], d.visits[-1]
    lines = [f"{d.extra['committee']}が県外調査を実施しました（{era(d.year)}{first.month}月{first.day}日～{last.day}日）",
             "", "1　調査目的", "　" + d.paragraph(first), "", "2　調査期日",
             f"　{era(d.year)}{first.month}月{first.day}日～{last.day}日", "", "3　調査項目", ""]
    per_visit = max(1, d.paragraphs // len(d.visits))
    for n, v in enumerate(d.visits, 1):
        wd = _weekday(d.year, v.month, v.day)
        lines += [f"({n}){v.city}（{v.prefecture}{v.city}）　{v.month}月{v.day}日（{wd}曜日）", ""]
        for k, practice in zip("アイ", v.practices):
            lines.append(f"　{k}　{practice}について")
            lines += ["　　" + d.paragraph(v) for _ in range(max(1, per_visit // 2))]
            lines.append("")
        lines.append("　ウ　主な質疑")
        for q, a in d.qa(v, d.rng.randint(2, 4)):
            lines += [f"　　・{q}", f"　　　→{a}"]
        lines += ["", f"　　（対応：{v.city}{d.extra['department']}）", ""]
    lines += ["4　調査結果（所見）"] + ["　" + d.paragraph(first) for _ in range(2)]
    return "\n".join(lines) + "\n"


def bracketed(d: Draft) -> str:
    """■ one heading per visit with 【】 labels, 問）/答） Q&A and a report-wide 【所感】."""
    member = d.members[0]
    lines = [f"{d.extra['council']}　{d.extra['committee']}　県外調査報告", "",
             f"報告者　{d.extra['committee']}委員　{member}", "",
             f"【調査期間】{d.year}年{d.visits[0].month}月{d.visits[0].day}日～{d.visits[-1].month}月{d.visits[-1].day}日",
             "【調査目的】", "　" + d.paragraph(d.visits[0]), "", "━" * 32, ""]
    per_visit = max(1, d.paragraphs // len(d.visits))
    for v in d.visits:
        lines += [f"■{v.prefecture}{v.city}（{v.month}月{v.day}日）", "", "【視察項目】"]
        lines += [f"　{mark}{p}について" for mark, p in zip("①②", v.practices)]
        lines += ["", "【対応者】", f"　{v.city}{d.extra['department']}", "", "【視察内容】"]
        lines += ["　" + d.paragraph(v) for _ in range(per_visit)]
        lines += ["", "【質疑応答】"]
        for q, a in d.qa(v, d.rng.randint(2, 5)):
            lines += [f"問）{q}", f"答）{a}"]
        lines.append("")
    lines += ["━" * 32, "", "【所感】"] + ["　" + d.paragraph(d.visits[0]) for _ in range(2)]
    return "\n".join(lines) + "\n"


def circles(d: Draft) -> str:
    """Numbered items, 質疑応答 written with ○ (question) and ● (answer)."""
    lines = [f"{d.extra['council']}　{d.extra['committee']}　行政視察報告書", "",
             f"１．視察日時　　{era(d.year)}{d.visits[0].month}月{d.visits[0].day}日", "",
             "２．視察先　　　" + "、".join(f"{v.prefecture}{v.city}" for v in d.visits), "",
             "３．参加委員　　" + "、".join(d.members), "", "４．概要", ""]
    per_visit = max(1, d.paragraphs // len(d.visits))
    for n, v in enumerate(d.visits, 1):
        lines += [f"（{n}）{v.prefecture}{v.city}　{v.practices[0]}について（{v.month}月{v.day}日）"]
        lines += ["　" + d.paragraph(v) for _ in range(per_visit)]
        lines += ["", "質疑応答"]
        for q, a in d.qa(v, d.rng.randint(2, 5)):
            lines += [f"○{q}", f"●{a}"]
        lines.append("")
    return "\n".join(lines) + "\n"


def members(d: Draft) -> str:
    """Visits under 1/2/3 headings, then one 所感（name）section per member."""
    lines = [f"{era(d.year)}度　視察概要", "", d.extra["committee"], "",
             f"1　視察日　　{era(d.year)}{d.visits[0].month}月{d.visits[0].day}日", "",
             "2　視察先　　" + "　".join(f"{v.prefecture}{v.city}" for v in d.visits), "",
             "3　参加者　　" + "、".join(d.members), ""]
    per_visit = max(1, d.paragraphs // len(d.visits))
    for n, v in enumerate(d.visits, 1):
        lines += [f"{n}　{v.practices[0]}について（{v.prefecture}{v.city}）"]
        lines += ["　" + d.paragraph(v) for _ in range(per_visit)]
        for q, a in d.qa(v, d.rng.randint(1, 3)):
            lines += [f"Q　{q}", f"A　{a}"]
        lines.append("")
    for member in d.members[:3]:
        lines += [f"所感（{member}）", "　" + d.paragraph(d.visits[0]), ""]
    return "\n".join(lines) + "\n"


def html_page(d: Draft) -> str:
    """The numbered layout as an HTML page: a table of fields, h3/h4 headings, paragraphs."""
    v = d.visits[0]
    rows = [("委員会名・会派名", d.extra["committee"]), ("視察先", f"{v.prefecture}　{v.city}"),
            ("視察案件", f"{v.practices[0]}について"), ("実施日", d.era_date(v)),
            ("参加者氏名", "、".join(d.members))]
    out = ["<!DOCTYPE html>", '<html lang="ja">', "<head>", '<meta charset="UTF-8">',
           f"<title>行政視察報告書｜{html.escape(d.extra['council'])}</title>", "</head>", "<body>",
           '<div id="main">', "<h2>行政視察報告書</h2>", '<table class="visit">']
    out += [f"<tr><th>{k}</th><td>{html.escape(val)}</td></tr>" for k, val in rows]
    out += ["</table>", "<h3>(1)視察先の概要</h3>", f"<p>　{html.escape(d.paragraph(v))}</p>", "<h3>(2)視察内容</h3>"]
    for i in range(d.paragraphs):
        if i % 3 == 0:
            out.append(f"<h4>{html.escape(d.rng.choice(v.practices))}の取組</h4>")
        out.append(f"<p>　{html.escape(d.paragraph(v))}</p>")
    out.append("<h3>(3)質疑応答</h3>")
    for q, a in d.qa(v, d.rng.randint(3, 6)):
        out += [f"<p>問　{html.escape(q)}</p>", f"<p>答　{html.escape(a)}</p>"]
    out += ["<h3>(4)所感</h3>", f"<p>　{html.escape(d.paragraph(v))}</p>", "</div>", "</body>", "</html>"]
    return "\n".join(out) + "\n"


LAYOUTS: dict[str, tuple[Callable[[Draft], str], str, int]] = {
    # name: (writer, file suffix, maximum number of visits)
    "numbered": (numbered, ".txt", 1),
    "prefectural": (prefectural, ".txt", 3),
    "bracketed": (bracketed, ".txt", 3),
    "circles": (circles, ".txt", 3),
    "members": (members, ".txt", 3),
    "html": (html_page, ".html", 1),
}


def _draft(rng: random.Random, pools: Pools, max_visits: int, paragraphs: int) -> Draft:
    year = rng.randint(2016, 2025)
    month = rng.randint(1, 12)
    first_day = rng.randint(1, 25)
    places = rng.sample(pools.places, rng.randint(1, max_visits))
    visits = [Visit(pref, city, month, first_day + i, rng.sample(PRACTICES, 2))
              for i, (pref, city) in enumerate(places)]
    names = [f"{rng.choice(SURNAMES)}　{rng.choice(GIVEN)}" for _ in range(rng.randint(3, 8))]
    _, home_city = rng.choice(pools.places)
    extra = {"committee": rng.choice(("総務常任委員会", "議会運営委員会", "議会改革検討特別委員会", "文教常任委員会")),
             "council": f"{home_city}議会",
             "department": rng.choice(("総務部 情報政策課長", "企画部 デジタル推進課 担当課長", "議会事務局 議事課長"))}
    return Draft(rng, pools, year, list(dict.fromkeys(names)), visits, paragraphs, extra)


@dataclass
class Generated:
    """One generated report: file name, text, layout and the visited municipalities."""

    name: str
    text: str
    layout: str
    cities: list[str]


def generate_report(index: int, seed: int, pools: Pools) -> Generated:
    """Report number ``index``: the same arguments give the same bytes."""
    rng = random.Random(f"{seed}:{index}")
    layout = sorted(LAYOUTS)[index % len(LAYOUTS)]
    writer, suffix, max_visits = LAYOUTS[layout]
    target = rng.randint(MIN_CHARS + 300, MAX_CHARS - 500)
    paragraphs = max(3, target // 210)
    state = rng.getstate()
    for _ in range(20):
        rng.setstate(state)
        draft = _draft(rng, pools, max_visits, paragraphs)
        text = writer(draft)
        if MIN_CHARS <= len(text) <= MAX_CHARS:
            break
        step = max(1, paragraphs // 8)
        paragraphs = max(1, paragraphs + (step if len(text) < MIN_CHARS else -step))
    name = f"r{index:05d}-{layout}{suffix}"
    return Generated(name, text, layout, [v.city for v in draft.visits])


def generate(out_dir: Path, reports: int, seed: int = 7, pools: Pools | None = None) -> list[Path]:
    """Write ``reports`` generated files into ``out_dir``; return their paths."""
    pools = pools or load_pools()
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(reports):
        report = generate_report(index, seed, pools)
        path = out_dir / report.name
        path.write_text(report.text, encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    """Command line: write N reports into a folder."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--reports", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if args.out.resolve().is_relative_to((ROOT / "data").resolve()):
        parser.error("generated reports must not go into data/")
    generate(args.out, args.reports, args.seed)


if __name__ == "__main__":
    main()
