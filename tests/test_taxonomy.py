"""Tests of kb.taxonomy: the practice file, its validation and the tagger."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from kb.errors import NotFoundError, TaxonomyError
from kb.readers import read_document
from kb.repair import repair_text
from kb.taxonomy import DEFAULT_PATH, Mention, Taxonomy, alias_key, default_taxonomy

REPORTS = Path(__file__).resolve().parents[1] / "data" / "reports"
REQUIRED_IDS = (
    "microsoft-365", "teams", "intune", "byod", "ipad", "telework", "web-meeting", "beta-prime-model",
    "e-kobe", "kintone", "power-platform", "paperless-meeting", "dx-training",
)


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return default_taxonomy()


def _report_texts() -> dict[str, str]:
    paths = sorted(p for p in REPORTS.iterdir() if p.suffix in {".txt", ".html"})
    return {p.name: repair_text(read_document(p).text) for p in paths}


# --- the bundled file ---------------------------------------------------------


def test_bundled_file_is_large_enough(taxonomy: Taxonomy) -> None:
    assert len(taxonomy.practices) >= 80
    assert len(taxonomy.categories) >= 10
    assert all(taxonomy.in_category(c.id) for c in taxonomy.categories)


def test_ids_the_product_relies_on_exist(taxonomy: Taxonomy) -> None:
    for practice_id in REQUIRED_IDS:
        assert taxonomy.practice(practice_id).id == practice_id


def test_every_related_id_exists(taxonomy: Taxonomy) -> None:
    known = {p.id for p in taxonomy.practices}
    for practice in taxonomy.practices:
        assert set(practice.related) <= known - {practice.id}, practice.id


def test_every_alias_belongs_to_one_practice(taxonomy: Taxonomy) -> None:
    owners: dict[str, str] = {}
    for practice in taxonomy.practices:
        assert practice.aliases[0] == practice.name
        for alias in practice.aliases:
            assert owners.setdefault(alias_key(alias), practice.id) == practice.id, alias
            assert taxonomy.by_alias(alias) == practice


def test_every_alias_is_found_in_its_own_text(taxonomy: Taxonomy) -> None:
    for practice in taxonomy.practices:
        for alias in practice.aliases:
            assert taxonomy.tag(f"「{alias}」") == (practice.id,), alias


def test_fingerprint_is_the_file_hash(taxonomy: Taxonomy) -> None:
    assert taxonomy.fingerprint == hashlib.sha256(DEFAULT_PATH.read_bytes()).hexdigest()


def test_default_taxonomy_is_loaded_once() -> None:
    assert default_taxonomy() is default_taxonomy()


def test_descriptions_are_one_line(taxonomy: Taxonomy) -> None:
    for practice in taxonomy.practices:
        assert practice.description and "\n" not in practice.description, practice.id


# --- look-ups -----------------------------------------------------------------


@pytest.mark.parametrize(("term", "key"), [
    ("Office 365", "office365"),
    ("ｅ－ＫＯＢＥ", "ekobe"),
    ("Microsoft　Teams", "microsoftteams"),
    ("コード・フォー・ジャパン", "コードフォージャパン"),
    ("β’モデル", "β'モデル"),
    ("ﾃﾚﾜｰｸ", "テレワーク"),
])
def test_alias_key(term: str, key: str) -> None:
    assert alias_key(term) == key


def test_practice_and_category_lookups(taxonomy: Taxonomy) -> None:
    kintone = taxonomy.practice("kintone")
    assert kintone.to_dict() == {"id": "kintone", "name": "kintone", "category": kintone.category}
    assert kintone in taxonomy.in_category(kintone.category)
    assert taxonomy.category(kintone.category).name
    with pytest.raises(NotFoundError, match="no-such-practice"):
        taxonomy.practice("no-such-practice")
    with pytest.raises(NotFoundError, match="no-such-category"):
        taxonomy.category("no-such-category")
    with pytest.raises(NotFoundError):
        taxonomy.in_category("no-such-category")


@pytest.mark.parametrize(("term", "practice_id"), [
    ("キントーン", "kintone"),
    ("ＯＦＦＩＣＥ３６５", "microsoft-365"),
    ("bring your own device", "byod"),
    ("チームズ", "teams"),
    ("在宅勤務", "telework"),
    ("存在しない取組", None),
])
def test_by_alias(taxonomy: Taxonomy, term: str, practice_id: str | None) -> None:
    practice = taxonomy.by_alias(term)
    assert (practice.id if practice else None) == practice_id


def test_equivalents_of_a_practice_start_with_its_name(taxonomy: Taxonomy) -> None:
    terms = taxonomy.equivalents("リモートワーク")
    assert terms[0] == "テレワーク"
    assert {"リモートワーク", "在宅勤務"} <= set(terms)


def test_equivalents_join_practice_and_variant_group(taxonomy: Taxonomy) -> None:
    terms = taxonomy.equivalents("オンライン申請")
    assert terms[0] == "電子申請"
    assert {"電子手続き", "オンライン手続き", "行政手続のオンライン化"} <= set(terms)
    assert len(terms) == len(set(terms))


@pytest.mark.parametrize(("term", "expected"), [
    ("押印", {"ハンコ", "印鑑", "押印"}),
    ("研修", {"研修", "講習"}),
    ("ｽﾏﾎ", {"スマートフォン", "スマホ"}),
])
def test_equivalents_of_a_variant(taxonomy: Taxonomy, term: str, expected: set[str]) -> None:
    assert expected <= set(taxonomy.equivalents(term))


def test_equivalents_of_an_unknown_term_is_empty(taxonomy: Taxonomy) -> None:
    assert taxonomy.equivalents("動物愛護") == ()


# --- tagging ------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("全庁でキントーンを使っている。", ("kintone",)),
    ("ｉＰａｄを配備した。", ("ipad",)),
    ("ＭＡＩＬとMAILで送る", ()),
    ("ONLINEで配信", ()),
    ("オンライン申請", ("e-application",)),
    ("ガイドラインを定めた", ()),
    ("M3650型の機器", ()),
    ("M365を導入", ("microsoft-365",)),
    ("β'モデルを採用", ("beta-prime-model",)),
    ("β’モデルを採用", ("beta-prime-model",)),
    ("βモデルとαモデル", ("beta-model", "alpha-model")),
    ("Office 365とオフィス365", ("microsoft-365",)),
    ("Office365、Office　365、ＯＦＦＩＣＥ ３６５", ("microsoft-365",)),
    ("私物端末の利用", ("byod",)),
    ("e-KOBEとｅ－ＫＯＢＥとeKOBE", ("e-kobe",)),
    ("Microsoft Power Platformを活用", ("power-platform",)),
    ("Power Platformを活用", ("power-platform",)),
    ("Microsoft Teamsを付与", ("teams",)),
    ("AIチャットボットとAI", ("ai-chatbot", "ai-use")),
    ("チャットボットに質問", ("ai-chatbot",)),
    ("生成AIとChatGPT", ("generative-ai", "chatgpt")),
    ("AiCT（アイクト）に入居", ()),
    ("リモートワークと在宅勤務", ("telework",)),
    ("ウェブ会議やオンライン会議", ("web-meeting",)),
    ("オンライン委員会を開いた", ("online-committee",)),
    ("ﾃﾚﾜｰｸの推進", ("telework",)),
    ("ノーコードツールで作る", ("no-code",)),
    ("デマンド型乗合タクシー", ("on-demand-transport",)),
    ("オンデマンドバスの運行", ("on-demand-transport",)),
    ("LINE WORKSで連絡、公式LINEで配信", ("business-chat", "official-line")),
    ("書かない窓口とコンビニ交付", ("kakanai-madoguchi", "convenience-store-issuance")),
    ("DX基礎研修とeラーニング", ("dx-training", "e-learning")),
    ("Intuneで管理するBYOD", ("intune", "byod")),
    ("ペーパーレス会議システム「SideBooks」", ("paperless-meeting", "sidebooks")),
    ("動物愛護管理センターの運営", ()),
    ("テレ\nワーク", ()),
    ("サマースクールとMaaS", ("maas",)),
    ("タブレットスタンド", ()),
    ("DX戦略課長が説明", ()),
])
def test_tag(taxonomy: Taxonomy, text: str, expected: tuple[str, ...]) -> None:
    assert taxonomy.tag(text) == expected


def test_find_offsets_point_into_the_original_text(taxonomy: Taxonomy) -> None:
    text = "本市はｉＰａｄと Office　365 を導入し、ﾃﾚﾜｰｸも進めた。"
    mentions = taxonomy.find(text)
    assert [m.practice for m in mentions] == ["ipad", "microsoft-365", "telework"]
    for mention in mentions:
        assert text[mention.start:mention.end] == mention.text
    assert [m.text for m in mentions] == ["ｉＰａｄ", "Office　365", "ﾃﾚﾜｰｸ"]


@pytest.mark.parametrize("text", [
    "ｉＰａｄと Office　365、ﾃﾚﾜｰｸ", "㈱ＡＩ－ＯＣＲ、ｶﾞｲﾄﾞと\0NULのあるkintone", "ﬁle ß e\u0301-KOBE ＬＩＮＥ",
    "面積１０㎢…㈱ＡＩ－ＯＣＲ…ﬁle ß Microsoft　365㍿", "㎢", "\0", "",
])
def test_find_fast_paths_equal_the_char_by_char_fold(taxonomy: Taxonomy, text: str) -> None:
    from kb.taxonomy import _MARK, _fold_unmarked, _normalise

    reports = [read_document(p).text for p in sorted(REPORTS.glob("*.txt")) if ".sjis." not in p.name]
    for sample in [text, *reports, text + reports[0] + text]:
        assert taxonomy.spans(sample) == taxonomy._spans_in(*_normalise(sample))
        if _MARK.search(sample) is None:
            assert _fold_unmarked(sample) == _normalise(sample)


def test_find_prefers_the_longest_alias_without_overlap(taxonomy: Taxonomy) -> None:
    text = "AI議事録作成システムと神戸市スマート申請システム"
    assert taxonomy.find(text) == [
        Mention("ai-minutes", 0, 11, "AI議事録作成システム"),
        Mention("e-kobe", 12, 25, "神戸市スマート申請システム"),
    ]


def test_find_keeps_repeated_mentions_and_tag_dedupes(taxonomy: Taxonomy) -> None:
    text = "BYODとiPad、そしてBYOD"
    assert [m.practice for m in taxonomy.find(text)] == ["byod", "ipad", "byod"]
    assert taxonomy.tag(text) == ("byod", "ipad")


@pytest.mark.parametrize(("text", "expected"), [
    # a cue word counts in a sentence naming another practice…
    ("Office 365の使用は一般的だが、職員に対する研修等の実施状況はどうか。", ("microsoft-365", "dx-training")),
    ("ノーコードツールの操作を学ぶ研修を開いている。", ("no-code", "dx-training")),
    # …not alone, not in another sentence, and not inside another practice's name
    ("新任職員の研修を行った。", ()),
    ("研修を行った。kintoneも使う。", ("kintone",)),
    ("オンライン研修を受講した。", ("e-learning",)),
    ("DX研修でkintoneを学ぶ。", ("dx-training", "kintone")),
])
def test_cue_words_tag_in_a_sentence_naming_another_practice(
    taxonomy: Taxonomy, text: str, expected: tuple[str, ...]
) -> None:
    assert taxonomy.tag(text) == expected


def test_cue_mentions_point_at_the_cue(taxonomy: Taxonomy) -> None:
    text = "問：Teamsの研修は。"
    cued = [m for m in taxonomy.mentions(text) if m.practice == "dx-training"]
    assert cued == [Mention("dx-training", 8, 10, "研修")]
    assert taxonomy.find(text) == [Mention("teams", 2, 7, "Teams")]


# --- the bundled corpus -------------------------------------------------------


def test_every_report_mentions_some_practice(taxonomy: Taxonomy) -> None:
    texts = _report_texts()
    assert texts
    for name, text in texts.items():
        assert taxonomy.tag(text), name


def test_copies_of_a_report_tag_alike(taxonomy: Taxonomy) -> None:
    groups: dict[str, set[tuple[str, ...]]] = {}
    for name, text in _report_texts().items():
        stem = re.sub(r"(\.sjis)?\.(txt|html)$", "", name)
        groups.setdefault(stem, set()).add(tuple(sorted(taxonomy.tag(text))))
    assert all(len(tags) == 1 for tags in groups.values()), groups


def test_yokohama_report_mentions_its_practices(taxonomy: Taxonomy) -> None:
    names = [name for name in _report_texts() if "yokohama" in name]
    assert len(names) == 1
    tags = set(taxonomy.tag(_report_texts()[names[0]]))
    assert {
        "microsoft-365", "intune", "byod", "telework", "beta-prime-model", "teams", "ipad",
        "e-kobe", "kintone", "power-platform", "dx-training",
    } <= tags
    assert "beta-model" in tags  # the report names βモデル as well, separately


# --- validation ---------------------------------------------------------------

_CATEGORY = '[[category]]\nid = "cloud"\nname = "クラウド"\n'


def _practice(pid: str, aliases: str = '["X1"]', category: str = "cloud", related: str = "[]") -> str:
    return (f'[[practice]]\nid = "{pid}"\nname = "{pid}"\ncategory = "{category}"\n'
            f'aliases = {aliases}\ndescription = "d"\nrelated = {related}\n')


@pytest.mark.parametrize(("body", "needles"), [
    (_CATEGORY + _practice("a", category="nope"), ["'a'", "nope"]),
    (_CATEGORY + _practice("a", related='["ghost"]'), ["'a'", "ghost"]),
    (_CATEGORY + _practice("a", related='["a"]'), ["'a'"]),
    (_CATEGORY + _practice("a", '["X1"]') + _practice("a", '["X2"]'), ["'a'", "重複"]),
    (_CATEGORY + _CATEGORY, ["'cloud'", "重複"]),
    (_CATEGORY + _practice("a", '["Office 365"]') + _practice("b", '["ｏｆｆｉｃｅ３６５"]'), ["'a'", "'b'", "office365"]),
    (_CATEGORY + _practice("a", '["A-1"]') + _practice("b", '["b"]'), ["'b'"]),
    (_CATEGORY + _practice("a", "[]"), ["'a'", "aliases"]),
    (_CATEGORY + _practice("a", '[""]'), ["'a'"]),
    (_CATEGORY + _practice("Bad_ID"), ["Bad_ID"]),
    (_CATEGORY + _practice("a", '"X1"'), ["'a'", "aliases"]),
    (_CATEGORY + '[[practice]]\nid = "a"\ncategory = "cloud"\naliases = ["X1"]\n', ["'a'", "name"]),
    (_practice("a"), ["category"]),
    (_CATEGORY + '[[variant]]\nterms = ["ひとつ"]\n', ["variant"]),
    (_CATEGORY + "[[practice]\n", ["TOML"]),
])
def test_invalid_files_are_rejected_naming_file_and_entry(tmp_path: Path, body: str, needles: list[str]) -> None:
    path = tmp_path / "taxonomy-broken.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(TaxonomyError) as caught:
        Taxonomy.load(path)
    message = str(caught.value)
    assert str(path) in message
    for needle in needles:
        assert needle in message


def test_missing_file_is_a_taxonomy_error(tmp_path: Path) -> None:
    with pytest.raises(TaxonomyError, match="missing.toml"):
        Taxonomy.load(tmp_path / "missing.toml")


def test_a_small_valid_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "taxonomy-small.toml"
    path.write_text(
        _CATEGORY + _practice("a", '["Alpha One", "A1"]', related='["b"]') + _practice("b", '["Beta"]')
        + '[[variant]]\nterms = ["費用", "経費"]\n', encoding="utf-8")
    small = Taxonomy.load(path)
    assert [p.id for p in small.practices] == ["a", "b"]
    assert small.practice("a").aliases == ("a", "Alpha One", "A1")
    assert small.variants == (("費用", "経費"),)
    assert small.tag("alpha-one と BETA と a1") == ("a", "b")
    assert small.equivalents("経費") == ("費用", "経費")
