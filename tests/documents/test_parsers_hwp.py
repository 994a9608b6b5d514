"""HWP 5.x and HWPX against the real documents in ../shared/data/hwp and their golden text."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import lxml.html
import pytest

from dari.documents.parsers import ParseLimits, parse
from dari.documents.parsers.hwp import preview_text
from tests.conftest import shared_path

HWP_FILES = [
    "basicsReport.hwp",
    "distribution.hwp",
    "example.hwp",
    "hangul5test.hwp",
    "noori.hwp",
    "selfintroduce.hwp",
    "software.hwp",
    "table-bug.hwp",
    "디지털 정부혁신 추진계획.hwp",
]
HWPX_FILES = ["Table.hwpx", "selfintroduce.hwpx", "table-bug.hwpx", "한글 테스트.hwpx"]


def squash(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFC", text))


def read(name: str) -> tuple[Path, bytes]:
    path = shared_path("data", "hwp", name)
    return path, path.read_bytes()


def assert_clean(text: str) -> None:
    """No mojibake: no replacement characters, no stray controls, mostly Hangul letters."""
    assert "\ufffd" not in text
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", text)
    letters = [c for c in text if c.isalpha()]
    hangul = [c for c in letters if "\uac00" <= c <= "\ud7a3"]
    assert len(hangul) / len(letters) > 0.5


@pytest.mark.parametrize("name", HWP_FILES + HWPX_FILES)
def test_every_real_file_parses_to_clean_korean(name: str) -> None:
    _, data = read(name)
    document = parse(data, name)
    assert document.doc_type == ("hwpx" if name.endswith(".hwpx") else "hwp")
    assert_clean(document.text())
    assert all(block.location.section == 1 for block in document.blocks)


@pytest.mark.parametrize("name", HWP_FILES)
def test_hwp_contains_its_prvtext_preview(name: str) -> None:
    """Every HWP carries a UTF-16 preview of its first text; all of its words must appear."""
    _, data = read(name)
    words = [w for w in re.sub(r"<[^<>]*>", " ", preview_text(data)).split() if len(w) > 1]
    output = " ".join(parse(data, name).text().split())
    missing = [w for w in words if w not in output]
    assert not missing


@pytest.mark.parametrize(
    ("name", "golden"),
    [
        ("example.hwp", "example.hwp/example.HTML"),
        ("selfintroduce.hwp", "selfintroduce.hwp/selfintroduce.HTML"),
        ("noori.hwp", "noori.hwp/noori.html"),
        ("software.hwp", "software.hwp/software_2.html"),
        ("table-bug.hwp", "table-bug.hwp/table-bug.HTML"),
    ],
)
def test_hwp_matches_hancom_html_export(name: str, golden: str) -> None:
    """Every text line of Hancom's own HTML export (`div.hls`) appears in the extracted text."""
    _, data = read(name)
    root = lxml.html.fromstring(shared_path("data", "hwp", "golden", golden).read_bytes())
    leaves = [d for d in root.find_class("hls") if not d.xpath('.//*[contains(@class, "hls")]')]
    lines = [squash(div.text_content()) for div in leaves]
    lines = [line for line in lines if len(line) >= 6]
    output = squash(parse(data, name).text())
    found = [line for line in lines if line in output]
    assert len(lines) >= 5
    assert len(found) / len(lines) >= 0.95, [x for x in lines if x not in output][:5]


def test_hwpx_table_cells_in_order() -> None:
    _, data = read("Table.hwpx")
    document = parse(data, "Table.hwpx")
    tables = [b for b in document.blocks if b.kind == "table"]
    assert tables[0].rows is not None
    assert tables[0].rows[:6] == [
        ["이름", "국어", "영어", "수학"],
        ["개똥이", "89", "65", "78"],
        ["칠득이", "77", "77", "77"],
        ["팔푼이", "88", "88", "88"],
        ["육손이", "66", "66", "66"],
        ["합계", "", "", ""],
    ]
    assert "C반 기말고사" in document.text()


def test_hwp_table_rows_keep_cells_in_order() -> None:
    _, data = read("hangul5test.hwp")
    tables = [b for b in parse(data, "x.hwp").blocks if b.kind == "table" and b.rows]
    header = ["임용예정직급(분야)", "선발예정인원", "채용기간", "근무예정부서(근무지)"]
    table = next(t for t in tables if t.rows and t.rows[0] == header)
    assert table.rows is not None
    assert table.rows[1][:3] == ["전문임기제 가급 (종무(불교))", "1명", "임용일 ~ ‘26.3.31."]


@pytest.mark.parametrize(
    ("hwp", "hwpx"),
    [
        ("selfintroduce.hwp", "selfintroduce.hwpx"),
        ("table-bug.hwp", "table-bug.hwpx"),
        ("hangul5test.hwp", "한글 테스트.hwpx"),
    ],
)
def test_hwp_and_hwpx_of_the_same_document_agree(hwp: str, hwpx: str) -> None:
    assert parse(read(hwp)[1], hwp).text() == parse(read(hwpx)[1], hwpx).text()


def test_hiring_notice_key_sentences_and_hanja() -> None:
    text = squash(parse(read("hangul5test.hwp")[1], "x.hwp").text())
    for sentence in (
        "문화체육관광부공무원경력경쟁채용시험공고",
        "국가공무원경력경쟁채용시험을다음과같이공고하여시행하오니많은응시바랍니다.",
        "ㅇ천주교관련종무업무보좌",
    ):
        assert sentence in text
    selfintro = parse(read("selfintroduce.hwp")[1], "x.hwp").text()
    assert "微笑天使" in selfintro and "행복(幸福)한" in selfintro


def test_distribution_document_is_decrypted_correctly() -> None:
    """배포용: the ViewText streams are AES-encrypted; the text must be the real text."""
    document = parse(read("distribution.hwp")[1], "distribution.hwp")
    text = squash(document.text())
    for sentence in (
        "배포용문서는문서를배포할시원본문서의일반적인편집을제한하기위해서설계된기능이다.",
        "(주)한글과컴퓨터(이하‘한컴’)는문서형식의개방성과표준화에대하여적극찬성합니다.",
        "2.4.해시코드와AES-128알고리즘을이용하여레코드복호화",
    ):
        assert sentence in text
    assert_clean(document.text())


def test_hwp_limits_decompression() -> None:
    _, data = read("hangul5test.hwp")
    from dari.documents.parsers import ParseError

    with pytest.raises(ParseError) as raised:
        parse(data, "x.hwp", ParseLimits(max_uncompressed_bytes=10_000))
    assert raised.value.code == "too_large"
