"""The committed demo documents: reproducible, valid in their format, Korean text intact."""

from __future__ import annotations

import io
import re
import zipfile

import docx
import openpyxl
import pypdfium2 as pdfium
import pytest

from dari.demo.company import DEPARTMENTS
from dari.demo.documents import DEMO_DOCUMENTS, path_of, render
from dari.demo.model import DemoDocument, Table, plain_lines
from dari.documents.parsers.base import ParseLimits
from dari.documents.parsers.hwpx import parse_hwpx

IDS = [d.key for d in DEMO_DOCUMENTS]


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def extract(document: DemoDocument) -> str:
    data = path_of(document).read_bytes()
    if document.format == "hwpx":
        return parse_hwpx(data, ParseLimits()).text()
    if document.format == "docx":
        parsed = docx.Document(io.BytesIO(data))
        cells = [c.text for t in parsed.tables for row in t.rows for c in row.cells]
        return "\n".join([p.text for p in parsed.paragraphs] + cells)
    if document.format == "xlsx":
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
        values = [
            str(v) for sheet in workbook for row in sheet.iter_rows(values_only=True) for v in row
        ]
        return "\n".join([*workbook.sheetnames, *values])
    pdf = pdfium.PdfDocument(data)
    try:
        return "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    finally:
        pdf.close()


def test_catalogue_covers_the_required_documents() -> None:
    titles = {d.title for d in DEMO_DOCUMENTS}
    for needed in (
        "취업규칙",
        "출장비",
        "보안",
        "설명서",
        "복리후생",
        "구매",
        "인사평가",
        "영업 전략",
    ):
        assert any(needed in title for title in titles), needed
    assert {d.format for d in DEMO_DOCUMENTS} == {"hwpx", "docx", "pdf", "xlsx"}
    assert len({d.filename for d in DEMO_DOCUMENTS}) == len(DEMO_DOCUMENTS)
    codes = {d.code for d in DEPARTMENTS}
    restricted = [d for d in DEMO_DOCUMENTS if not d.public]
    assert len(restricted) >= 2
    assert all(set(d.departments) <= codes for d in restricted)


@pytest.mark.parametrize("document", DEMO_DOCUMENTS, ids=IDS)
def test_committed_file_is_current_and_small(document: DemoDocument) -> None:
    path = path_of(document)
    assert path.exists(), f"run `python -m dari.demo.documents` to write {path.name}"
    assert path.stat().st_size < 200_000
    assert render(document) == path.read_bytes(), "generation is not reproducible or stale"


@pytest.mark.parametrize("document", DEMO_DOCUMENTS, ids=IDS)
def test_every_text_fragment_extracts(document: DemoDocument) -> None:
    text = squash(extract(document))
    assert "\ufffd" not in text
    lines = plain_lines(document)
    if document.format == "xlsx":  # a workbook has no title paragraph, only its properties
        lines = lines[1:]
    for line in lines:
        fragment = squash(line.removeprefix("- "))
        assert fragment in text, f"{document.filename}: missing {line!r}"
    assert any(isinstance(block, Table) for block in document.blocks)


@pytest.mark.parametrize(
    "document", [d for d in DEMO_DOCUMENTS if d.format == "hwpx"], ids=lambda d: d.key
)
def test_hwpx_package_structure_and_parse(document: DemoDocument) -> None:
    data = path_of(document).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        first = archive.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
        assert archive.read("mimetype") == b"application/hwp+zip"
        names = set(archive.namelist())
        assert {
            "META-INF/container.xml",
            "Contents/content.hpf",
            "Contents/header.xml",
            "Contents/section0.xml",
        } <= names
        assert b"Contents/content.hpf" in archive.read("META-INF/container.xml")
        assert document.title.encode() in archive.read("Contents/content.hpf")
        assert archive.testzip() is None
    parsed = parse_hwpx(data, ParseLimits())
    headings = [b for b in parsed.blocks if b.kind == "heading"]
    assert headings[0].text == document.title and headings[0].level == 1
    assert any(b.level == 2 for b in headings)
    tables = [b for b in parsed.blocks if b.kind == "table"]
    expected = [b for b in document.blocks if isinstance(b, Table)]
    assert [t.rows for t in tables] == [[list(r) for r in e.rows] for e in expected]
    assert all(t.heading_path[0] == document.title for t in tables)


def test_hwpx_leave_table_is_read_as_rows() -> None:
    rules = next(d for d in DEMO_DOCUMENTS if d.key == "hanbit-employment-rules")
    parsed = parse_hwpx(path_of(rules).read_bytes(), ParseLimits())
    leave = next(
        b for b in parsed.blocks if b.kind == "table" and b.rows and b.rows[0][0] == "근속기간"
    )
    assert leave.rows is not None
    assert ["1년 이상 3년 미만", "15일", "전년도 출근율 80% 이상"] in leave.rows
    assert "제21조 (연차유급휴가)" in leave.heading_path


def test_docx_has_headings_and_tables() -> None:
    travel = next(d for d in DEMO_DOCUMENTS if d.key == "hanbit-travel-expense-rules")
    parsed = docx.Document(io.BytesIO(path_of(travel).read_bytes()))
    styles = {p.style.name for p in parsed.paragraphs if p.style is not None}
    assert {"Title", "Heading 1", "List Bullet"} <= styles
    first = parsed.tables[0]
    assert first.rows[0].cells[0].text == "직급"
    assert [c.text for c in first.rows[3].cells][:2] == ["과장·대리", "30,000원"]
    assert parsed.core_properties.title == travel.title


def test_pdf_is_korean_text_not_images() -> None:
    manual = next(d for d in DEMO_DOCUMENTS if d.format == "pdf" and "H107" in d.title)
    pdf = pdfium.PdfDocument(path_of(manual).read_bytes())
    try:
        first_page = pdf[0].get_textpage().get_text_range()
    finally:
        pdf.close()
    assert "서보모터 H107 사용 설명서" in first_page
    assert "정격 출력" in first_page and "400 W" in first_page


@pytest.mark.parametrize("document", DEMO_DOCUMENTS, ids=IDS)
def test_the_documents_parsers_read_every_demo_file(document: DemoDocument) -> None:
    """Type detection from content and the ingestion parsers: text, tables, no warnings."""
    from dari.documents.parsers import detect_type, parse

    data = path_of(document).read_bytes()
    assert detect_type(data, "renamed.bin") == document.format
    parsed = parse(data, document.filename)
    text = squash(parsed.text())
    for line in plain_lines(document)[1:]:
        assert squash(line.removeprefix("- ")) in text, (document.filename, line)
    if document.format != "pdf":  # a PDF's text layer has no table structure to recover
        tables = [b for b in parsed.blocks if b.kind == "table"]
        assert len(tables) == sum(isinstance(b, Table) for b in document.blocks)
    if document.format != "docx":  # DOCX has no pages; others cite a page, sheet or section
        assert all(b.location.label() for b in parsed.blocks)
