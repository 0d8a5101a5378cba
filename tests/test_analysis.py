"""Tests of index.analysis: Sudachi terms, token contract, chunking, queries, safety."""

from __future__ import annotations

import itertools
import pickle
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import RamStorage
from whoosh.searching import Searcher

from index.analysis import (
    MAX_CHUNK_BYTES,
    JapaneseAnalyzer,
    SudachiTokenizer,
    analyze,
    build_query,
    query_terms,
    split_for_sudachi,
)

REPORTS = Path(__file__).resolve().parents[1] / "data" / "reports"
YOKOHAMA = REPORTS / "yokohama-2022-07-digital-committee.txt"
SUDACHI_MAX_BYTES = 49_149


def report_texts() -> list[tuple[str, str]]:
    """(name, text) of every UTF-8 report of the bundled corpus."""
    return [
        (path.name, path.read_text(encoding="utf-8"))
        for path in sorted(REPORTS.glob("*.txt"))
        if ".sjis." not in path.name
    ]


# ---------------------------------------------------------------------------
# Golden terms


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("関西国際空港", ["関西国際空港", "関西", "国際", "空港"]),
        ("シュミレーション", ["シミュレーション"]),
        # A practice alias is one term, followed by its practice term (§id)
        # and by its words, so that 研修 still finds DX基礎研修.
        ("Intune", ["intune", "§intune"]),
        ("ＢＹＯＤを認めている", ["byod", "§byod", "認める", "居る"]),
        ("byod", ["byod", "§byod"]),
        (
            "BYOD（Bring Your Own Device）については",
            ["byod", "§byod", "bringyourowndevice", "§byod", "bring", "ユア", "オウン", "デバイス", "つく"],
        ),
        (
            "DX基礎研修を全職員が受講する",
            ["dx基礎研修", "§dx-training", "dx", "基礎", "研修", "全職員", "全", "職員", "受講", "為る"],
        ),
        ("β'モデル", ["β'モデル", "§beta-prime-model", "β", "モデル"]),
        ("β’モデル", ["β'モデル", "§beta-prime-model", "β", "モデル"]),
        ("αモデル", ["αモデル", "§alpha-model", "α", "モデル"]),
        ("e-KOBEで申請", ["ekobe", "§e-kobe", "e", "kobe", "申請"]),
        ("Power Platform", ["powerplatform", "§power-platform", "パワー", "プラットフォーム"]),
        ("ｷﾝﾄｰﾝ", ["キントーン", "§kintone"]),
        ("三層分離モデル", ["三層分離", "§three-layer-separation", "3", "層", "分離", "モデル"]),
        ("MAILで送る", ["メール", "送る"]),
        ("令和4年7月21日", ["令和", "4", "年", "7", "月", "21", "日"]),
        ("令和４年度", ["令和", "4", "年度"]),
        ("リモートワーク", ["リモートワーク", "§telework", "リモート", "ワーク"]),
        ("リモート勤務", ["リモート", "勤務"]),
        ("※○■　、。", []),
        (
            "LGWAN環境システムの一部をインターネット接続環境へ移行させる",
            [
                "lgwan",
                "§lgwan",
                "環境",
                "システム",
                "一部",
                "インターネット",
                "接続",
                "環境",
                "移行",
                "為る",
            ],
        ),
        (
            "テレワークやWeb会議などのコミュニケーションツール",
            [
                "テレワーク",
                "§telework",
                "web会議",
                "§web-meeting",
                "ウェブ",
                "会議",
                "コミュニケーションツール",
                "コミュニケーション",
                "ツール",
            ],
        ),
        (
            "2014年度のインフラ基盤の見直し",
            ["2014", "年度", "インフラ", "基盤", "見直し"],
        ),
    ],
)
def test_analyze_golden(text: str, expected: list[str]) -> None:
    assert analyze(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("約1,020万件のうち", [["約"], ["10200000"], ["件"], ["うち"]]),
        ("書かない窓口", [["書かない窓口", "書く", "窓口"]]),
        ("マイナンバーカード", [["マイナンバーカード", "マイナンバー", "カード"]]),
        ("生成AIを活用", [["生成ai", "生成", "ai"], ["活用"]]),
        ("Wi-Fi", [["wifi"]]),
        ("Ｗｉ－Ｆｉ", [["wifi"]]),
        ("LoGoフォーム", [["logoフォーム", "ロゴ", "フォーム"]]),
        (
            "e-KOBE（神戸市スマート申請",
            [["ekobe", "e", "kobe"], ["神戸市", "神戸", "市"], ["スマート申請", "スマート", "申請"]],
        ),
    ],
)
def test_corpus_phrases_query_terms(text: str, expected: list[list[str]]) -> None:
    assert query_terms(text) == expected


@pytest.mark.parametrize(
    "phrase",
    [
        "β'モデル",
        "BYOD（Bring Your Own Device）については",
        "（Intune）",
        "令和4年7月21日",
        "DX基礎研修",
        "e-KOBE（神戸市スマート申請",
    ],
)
def test_golden_phrases_occur_in_the_corpus(phrase: str) -> None:
    assert phrase in YOKOHAMA.read_text(encoding="utf-8")


def test_greek_letters_keep_alpha_and_beta_models_apart() -> None:
    assert set(analyze("αモデル")) != set(analyze("β'モデル"))


# ---------------------------------------------------------------------------
# query_terms


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("関西国際空港", [["関西国際空港", "関西", "国際", "空港"]]),
        # 国際空港 is two long units, not one long unit with short units.
        ("国際空港", [["国際"], ["空港"]]),
        ("ＢＹＯＤ", [["byod"]]),
        ("リモートワーク 職員", [["リモートワーク", "リモート", "ワーク"], ["職員"]]),
        ("の", []),
        ("", []),
    ],
)
def test_query_terms(text: str, expected: list[list[str]]) -> None:
    assert query_terms(text) == expected


# ---------------------------------------------------------------------------
# End to end through a Whoosh index

DOCS = {
    "kix": "関西国際空港に到着した。",
    "nrt": "成田国際空港の見学を行った。",
    "kansai_no": "関西の国際空港を利用する。",
    "byod": "BYODを認めている自治体がある。",
    "remote": "リモートワークを推進する。",
    "beta": "β'モデルを前提に構築されている。",
}


@pytest.fixture(scope="module")
def searcher() -> Iterator[Searcher]:
    schema = Schema(key=ID(stored=True), body=TEXT(analyzer=JapaneseAnalyzer()))
    ix = RamStorage().create_index(schema)
    writer = ix.writer()
    for key, body in DOCS.items():
        writer.add_document(key=key, body=body)
    writer.commit()
    with ix.searcher() as s:
        yield s


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("国際空港", {"kix", "nrt", "kansai_no"}),
        ("関西国際空港", {"kix", "kansai_no"}),
        ("関西の空港", {"kix", "kansai_no"}),
        ("成田国際空港", {"nrt"}),
        ("BYOD", {"byod"}),
        ("ＢＹＯＤ", {"byod"}),
        ("byod", {"byod"}),
        ("リモートワーク", {"remote"}),
        ("リモート", {"remote"}),
        ("βモデル", {"beta"}),
        ("αモデル", set()),
        ("羽田空港", set()),
    ],
)
def test_search_end_to_end(searcher: Searcher, text: str, expected: set[str]) -> None:
    hits = searcher.search(build_query("body", text), limit=None)
    assert {hit["key"] for hit in hits} == expected


def test_exact_long_unit_ranks_first(searcher: Searcher) -> None:
    hits = searcher.search(build_query("body", "関西国際空港 空港"), limit=None)
    assert hits[0]["key"] == "kix"


# ---------------------------------------------------------------------------
# Token contract


def test_offsets_slice_the_surface_for_every_token_of_a_report() -> None:
    text = YOKOHAMA.read_text(encoding="utf-8")
    tokens = JapaneseAnalyzer()(text, chars=True, keeporiginal=True)
    count = 0
    for t in tokens:
        assert text[t.startchar : t.endchar] == t.original
        count += 1
    assert count > 1000


def test_positions_count_long_units_and_short_units_share_them() -> None:
    text = YOKOHAMA.read_text(encoding="utf-8")
    last = -1
    long_pos = -1
    for t in JapaneseAnalyzer()(text, positions=True):
        if t.subunit:
            assert t.pos == long_pos
        else:
            assert t.pos == last + 1
            long_pos = t.pos
        last = t.pos


def test_start_pos_and_start_char_shift_tokens() -> None:
    tokens = [
        (t.text, t.pos, t.startchar, t.endchar, t.subunit)
        for t in JapaneseAnalyzer()(
            "関西国際空港の全職員",
            positions=True,
            chars=True,
            start_pos=5,
            start_char=100,
        )
    ]
    assert tokens == [
        ("関西国際空港", 5, 100, 106, False),
        ("関西", 5, 100, 102, True),
        ("国際", 5, 102, 104, True),
        ("空港", 5, 104, 106, True),
        ("全職員", 6, 107, 110, False),
        ("全", 6, 107, 108, True),
        ("職員", 6, 108, 110, True),
    ]


def test_removestops_false_keeps_stopped_tokens_flagged() -> None:
    tokens = [
        (t.text, t.stopped) for t in JapaneseAnalyzer()("空港へ行く", removestops=False)
    ]
    assert tokens == [("空港", False), ("へ", True), ("行く", False)]


def test_tokenize_false_yields_the_whole_value_normalized() -> None:
    tokens = [
        (t.text, t.pos)
        for t in JapaneseAnalyzer()(
            "ＢＹＯＤ Ｄｅｖｉｃｅ", tokenize=False, positions=True
        )
    ]
    assert tokens == [("byod device", 0)]


def test_query_mode_gives_the_same_terms_as_index_mode() -> None:
    text = "関西国際空港のBYODとリモートワーク"
    ana = JapaneseAnalyzer()
    index_terms = [t.text for t in ana(text, mode="index")]
    # Practice terms (§id) are added at index time only.
    assert "§byod" in index_terms
    assert [t.text for t in ana(text, mode="query")] == [
        term for term in index_terms if not term.startswith("§")
    ]


# ---------------------------------------------------------------------------
# Long texts


def test_split_keeps_short_text_whole() -> None:
    assert split_for_sudachi("短い文。\n") == [(0, "短い文。\n")]
    assert split_for_sudachi("") == []


def test_split_cuts_at_line_ends_within_the_limit() -> None:
    text = "".join(f"{i}行目の文です。\n" for i in range(20_000))
    pieces = split_for_sudachi(text)
    assert len(pieces) > 1
    assert "".join(piece for _, piece in pieces) == text
    for offset, piece in pieces:
        assert len(piece.encode("utf-8")) <= MAX_CHUNK_BYTES
        assert text[offset : offset + len(piece)] == piece
        assert piece.endswith("\n")


def test_split_cuts_a_long_line_at_a_sentence_end() -> None:
    line = "これは長い一行の文です。" * 5_000
    pieces = split_for_sudachi(line)
    assert "".join(piece for _, piece in pieces) == line
    assert all(piece.endswith("。") for _, piece in pieces)
    assert all(len(piece.encode("utf-8")) <= MAX_CHUNK_BYTES for _, piece in pieces)


def test_split_cuts_a_line_without_punctuation_at_a_character_boundary() -> None:
    line = "あ" * 30_000 + "𠮷" * 10_000  # 3-byte and 4-byte characters
    pieces = split_for_sudachi(line)
    assert "".join(piece for _, piece in pieces) == line
    assert all(len(piece.encode("utf-8")) <= MAX_CHUNK_BYTES for _, piece in pieces)


def test_200000_character_text_tokenises_with_true_offsets() -> None:
    base = YOKOHAMA.read_text(encoding="utf-8")
    # One paragraph becomes a single line far beyond Sudachi's input limit.
    long_line = "大阪市の情報システムはβ'モデルを前提に構築されている" * 2_000
    text = (base + long_line + "\n") * 20
    text = text[:200_000]
    assert len(text.encode("utf-8")) > SUDACHI_MAX_BYTES
    last = None
    for t in SudachiTokenizer()(text, chars=True, positions=True):
        assert text[t.startchar : t.endchar] == t.text
        last = (t.startchar, t.endchar, t.text)
    assert last is not None
    assert last[1] >= len(text) - 5
    assert text[last[0] : last[1]] == last[2]


# ---------------------------------------------------------------------------
# Pickling and threads


def test_analyzer_pickles_and_tokenises() -> None:
    analyzer = JapaneseAnalyzer()
    list(analyzer("空港"))  # warm the shared Sudachi objects first
    restored = pickle.loads(pickle.dumps(analyzer))
    assert restored == analyzer
    assert [t.text for t in restored("関西国際空港")] == [
        "関西国際空港",
        "関西",
        "国際",
        "空港",
    ]


def test_schema_with_the_analyzer_pickles() -> None:
    schema = Schema(body=TEXT(analyzer=JapaneseAnalyzer()))
    restored = pickle.loads(pickle.dumps(schema))
    assert list(restored["body"].process_text("ＢＹＯＤ")) == ["byod"]


def test_interleaved_streams_in_one_thread_stay_independent() -> None:
    (_, first), (_, second) = report_texts()[:2]
    analyzer = JapaneseAnalyzer()
    got: tuple[list[str], list[str]] = ([], [])
    for a, b in itertools.zip_longest(analyzer(first, mode="index"), analyzer(second, mode="index")):
        if a is not None:
            got[0].append(a.text)
        if b is not None:
            got[1].append(b.text)
    assert got == (analyze(first), analyze(second))


def test_four_threads_give_the_serial_result() -> None:
    texts = [text for _, text in report_texts()]
    serial = [analyze(text) for text in texts]
    results: dict[int, list[list[str]]] = {}
    barrier = threading.Barrier(4)

    def work(worker: int) -> None:
        barrier.wait()
        results[worker] = [analyze(text) for text in texts]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4
    assert all(result == serial for result in results.values())


_REPORTS = sorted((Path(__file__).resolve().parents[1] / "data" / "reports").glob("*.txt"))


@pytest.mark.parametrize("path", _REPORTS, ids=lambda p: p.name)
def test_direct_index_positions_equal_the_pipeline(path: Path) -> None:
    from index.analysis import analyze_positions, analyze_tokens, index_positions, index_spans
    from index.build import passage_documents
    from kb.parse import parse_file

    report = parse_file(path)
    texts = [t for d in passage_documents(report, str(path)) for t in (d["text"], d["heading"])]
    for text in texts + ["関西国際空港の ＢＹＯＤ と Power Platform、e-KOBE", ""]:
        assert [sorted(p) for p in index_positions(text)] == [sorted(p) for p in analyze_positions(text)], text
        pipeline = {(term, start, end) for term, _, start, end in analyze_tokens(text)}
        assert {span for spans in index_spans(text) for span in spans} == pipeline, text


@pytest.mark.parametrize(("name", "text"), [*report_texts()[:6], ("short", "αモデルとタブレット端末の導入。ＢＹＯＤ")],
                         ids=lambda v: v if len(v) < 60 else "")
def test_positions_with_spans_are_the_index_positions(name: str, text: str) -> None:
    """The build's one analysis gives index_positions' terms and each position's long-unit span."""
    from index.analysis import index_positions, index_positions_spans, index_spans

    positions, spans = index_positions_spans(text)
    assert positions == [p for p in index_positions(text) if p]
    assert spans == [(found[0][1], found[0][2]) for found in index_spans(text)]
