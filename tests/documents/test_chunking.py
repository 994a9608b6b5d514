"""Chunking: token budget, sections never mixed, table headers repeated, Kiwi sentences."""

from __future__ import annotations

import itertools

from dari.documents.chunking import ChunkOptions, chunk_blocks
from dari.documents.parsers import parse
from dari.documents.parsers.base import Block, Location, assign_heading_paths
from dari.documents.tokens import approximate_tokens, e5_counter
from tests.conftest import shared_path

SENTENCES = [
    "연차휴가는 입사일을 기준으로 매년 15일이 부여됩니다.",
    "3년 이상 근속한 직원에게는 2년마다 1일이 가산됩니다.",
    "미사용 연차는 다음 해로 이월되지 않으며 수당으로 지급됩니다",
    "반차는 오전과 오후로 나누어 사용할 수 있습니다.",
    "휴가 신청은 사내 전자결재로 3일 전까지 제출해야 합니다.",
]


def section(title: str, paragraphs: list[str], page: int = 1) -> list[Block]:
    loc = Location(page=page)
    return [Block("heading", title, loc, level=1)] + [
        Block("paragraph", p, loc) for p in paragraphs
    ]


def test_chunks_respect_the_token_budget_and_sentence_boundaries() -> None:
    count = e5_counter()
    text = " ".join(SENTENCES * 8)
    blocks = assign_heading_paths(section("휴가", [text]))
    chunks = chunk_blocks(blocks, ChunkOptions(max_tokens=80, overlap=0.15))
    assert len(chunks) > 3
    for chunk in chunks:
        assert chunk.token_count <= 80 and count(chunk.text) == chunk.token_count
        # Whole sentences only: every line is one of the source sentences.
        assert all(line in SENTENCES for line in chunk.text.split("\n"))
        assert chunk.heading_path == ("휴가",) and chunk.location.page == 1


def test_consecutive_chunks_overlap_by_whole_sentences() -> None:
    blocks = assign_heading_paths(section("휴가", [" ".join(SENTENCES * 8)]))
    chunks = chunk_blocks(blocks, ChunkOptions(max_tokens=80, overlap=0.3))
    for first, second in itertools.pairwise(chunks):
        assert first.text.split("\n")[-1] == second.text.split("\n")[0]


def test_sections_are_never_mixed() -> None:
    blocks = assign_heading_paths(
        section("휴가", SENTENCES[:2]) + section("출장", ["국내 출장비는 실비로 정산합니다."])
    )
    chunks = chunk_blocks(blocks, ChunkOptions(max_tokens=400))
    assert [c.heading_path for c in chunks] == [("휴가",), ("출장",)]
    assert "출장비" not in chunks[0].text


def test_page_changes_start_a_new_chunk() -> None:
    blocks = [
        Block("paragraph", SENTENCES[0], Location(page=1)),
        Block("paragraph", SENTENCES[1], Location(page=2)),
    ]
    chunks = chunk_blocks(blocks)
    assert [c.location.page for c in chunks] == [1, 2]


def test_large_tables_repeat_their_header() -> None:
    rows = [["사번", "이름", "부서", "직급"]] + [
        [f"2024{i:04d}", f"직원{i}", "영업1팀", "대리"] for i in range(200)
    ]
    blocks = [Block("table", location=Location(sheet="명단"), rows=rows, heading_path=("명단",))]
    chunks = chunk_blocks(blocks, ChunkOptions(max_tokens=120))
    assert len(chunks) > 5
    seen = []
    for chunk in chunks:
        lines = chunk.text.split("\n")
        assert lines[0] == "사번 | 이름 | 부서 | 직급"
        assert chunk.kind == "table" and chunk.token_count <= 120
        assert chunk.location.sheet == "명단"
        seen += lines[1:]
    assert seen == [" | ".join(r) for r in rows[1:]]  # every row once, in order


def test_small_table_stays_with_its_text() -> None:
    blocks = [
        Block("paragraph", "휴가 일수는 다음과 같다.", Location()),
        Block("table", location=Location(), rows=[["구분", "일수"], ["연차", "15일"]]),
    ]
    chunks = chunk_blocks(blocks)
    assert (
        len(chunks) == 1 and chunks[0].text == "휴가 일수는 다음과 같다.\n구분 | 일수\n연차 | 15일"
    )


def test_overlong_sentence_is_cut_within_budget() -> None:
    blocks = [Block("paragraph", "가" * 3000, Location())]
    chunks = chunk_blocks(blocks, ChunkOptions(max_tokens=100))
    assert all(c.token_count <= 100 for c in chunks)
    assert "".join(c.text for c in chunks) == "가" * 3000


def test_real_document_chunks_stay_in_budget() -> None:
    data = shared_path("data", "hwp", "hangul5test.hwp").read_bytes()
    chunks = chunk_blocks(parse(data, "x.hwp").blocks)
    assert len(chunks) > 20
    assert max(c.token_count for c in chunks) <= 400
    assert all(c.location.section == 1 for c in chunks)


def test_approximation_is_conservative_for_korean() -> None:
    text = " ".join(SENTENCES)
    assert approximate_tokens(text) >= e5_counter()(text)
