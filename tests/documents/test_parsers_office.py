"""PDF, DOCX, XLSX, PPTX, HTML, Markdown, TXT/CSV: generated fixtures and real Korean files."""

from __future__ import annotations

import re

import pytest

from dari.documents.parsers import ParseLimits, detect_type, parse
from dari.documents.parsers.ocr import tesseract_available
from tests.conftest import shared_path
from tests.documents.builders import make_docx, make_pdf, make_pptx, make_xlsx


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_docx_headings_lists_and_tables() -> None:
    document = parse(make_docx(), "규정.docx")
    kinds = [(b.kind, b.text or b.rows) for b in document.blocks]
    assert kinds[0] == ("heading", "인사 규정")
    paragraph = next(b for b in document.blocks if b.text.startswith("연차휴가는"))
    assert paragraph.heading_path == ("인사 규정", "제1장 휴가")
    assert any(b.kind == "list" and b.text.startswith("병가는") for b in document.blocks)
    table = next(b for b in document.blocks if b.kind == "table")
    assert table.rows == [
        ["구분", "일수", "비고"],
        ["연차", "15일", "매년"],
        ["병가", "60일", "진단서"],
    ]
    last = document.blocks[-1]
    assert last.text == "국내 출장비는 실비로 정산한다." and last.heading_path == (
        "인사 규정",
        "제2장 출장",
    )


def test_xlsx_each_sheet_is_a_table_with_its_location() -> None:
    document = parse(make_xlsx(), "매출.xlsx")
    tables = [b for b in document.blocks if b.kind == "table"]
    assert [t.location.sheet for t in tables] == ["매출", "재고"]
    assert tables[0].rows == [
        ["지점", "1분기", "2분기"],
        ["서울", "1200", "1350"],
        ["부산", "800", "950.5"],
    ]
    assert tables[1].heading_path == ("재고",)


def test_pptx_slides_titles_tables_and_notes() -> None:
    document = parse(make_pptx(), "전략.pptx")
    assert document.page_count == 2
    first = [b for b in document.blocks if b.location.slide == 1]
    assert first[0].kind == "heading" and first[0].text == "2025년 영업 전략"
    assert any(b.kind == "list" and b.text == "재계약률 90% 달성" for b in first)
    assert any("발표 시간은 10분입니다." in b.text for b in first)
    table = next(b for b in document.blocks if b.kind == "table")
    assert table.location.slide == 2 and table.rows == [
        ["지역", "목표"],
        ["수도권", "40억"],
        ["영남", "25억"],
    ]
    assert table.heading_path == ("지역별 목표",)


def test_pdf_text_per_page_and_pages_without_text() -> None:
    data = make_pdf(["Quarterly report page one", None, "Closing remarks on page three"])
    document = parse(data, "report.pdf", ParseLimits(ocr=False))
    assert document.page_count == 3
    assert [(b.location.page, b.text) for b in document.blocks] == [
        (1, "Quarterly report page one"),
        (3, "Closing remarks on page three"),
    ]
    assert document.warnings == ["page 2 has no text layer and needs OCR"]


@pytest.mark.skipif(not tesseract_available(), reason="tesseract is not installed")
def test_pdf_page_without_text_is_ocred() -> None:
    import io

    import pypdfium2 as pdfium
    from PIL import Image, ImageDraw, ImageFont

    font_path = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
    if not __import__("os").path.exists(font_path):
        pytest.skip("Noto CJK font is not installed")
    image = Image.new("RGB", (1240, 400), "white")  # a 150-dpi strip of an A4 page
    font = ImageFont.truetype(font_path, 20)
    text = "연차휴가 신청 안내: 신청서는 인사팀에 제출합니다."
    ImageDraw.Draw(image).text((60, 100), text, font=font, fill="black")
    pdf = pdfium.PdfDocument.new()
    page = pdf.new_page(1240 * 72 / 150, 400 * 72 / 150)
    bitmap = pdfium.PdfImage.new(pdf)
    bitmap.set_bitmap(pdfium.PdfBitmap.from_pil(image))
    bitmap.set_matrix(pdfium.PdfMatrix().scale(1240 * 72 / 150, 400 * 72 / 150))
    page.insert_obj(bitmap)
    page.gen_content()
    out = io.BytesIO()
    pdf.save(out)
    document = parse(out.getvalue(), "scan.pdf")
    assert "연차휴가신청안내" in squash(document.text())
    assert not document.warnings


def test_real_korean_pdf_keeps_pages_and_text() -> None:
    data = shared_path("data", "office", "pdf 테스트.pdf").read_bytes()
    document = parse(data, "pdf 테스트.pdf")
    assert document.page_count == 18
    assert {b.location.page for b in document.blocks} == set(range(1, 19))
    text = squash(document.text())
    assert "문화체육관광부공무원경력경쟁채용시험공고" in text
    assert "\ufffe" not in document.text() and "\ufffd" not in document.text()
    # The same notice as hangul5test.hwp: the HWP's table cells appear in the PDF in order.
    assert text.index("임용예정직급(분야)") < text.index("선발예정인원") < text.index("채용기간")


def test_real_pdf_with_tables() -> None:
    data = shared_path("data", "office", "korean-text-with-tables.pdf").read_bytes()
    text = squash(parse(data, "x.pdf").text())
    assert "적립한도없이할인점·주유·온라인쇼핑몰1.5%빅포인트적립" in text
    assert text.index("할인점") < text.index("이마트,이마트트레이더스,롯데마트,홈플러스")


def test_real_docx_and_pptx_share_the_glossary() -> None:
    docx = parse(shared_path("data", "office", "sample-word-document.docx").read_bytes(), "a.docx")
    pptx = parse(shared_path("data", "office", "sample-ppt.pptx").read_bytes(), "a.pptx")
    sentence = (
        "정의:의미론적검색은사용자의질의를단순한키워드매칭을넘어서"
        "그의미를파악하여관련된결과를반환하는검색방식입니다."
    )
    assert sentence in squash(docx.text()) and sentence in squash(pptx.text())
    assert {b.location.slide for b in pptx.blocks} >= {1, 2}


def test_real_xlsx_matches_golden() -> None:
    document = parse(shared_path("data", "office", "sample.xlsx").read_bytes(), "sample.xlsx")
    tables = {b.location.sheet: b.rows for b in document.blocks if b.kind == "table"}
    assert tables["Sheet1"] == [
        ["Name", "Age", "City"],
        ["Alice", "30", "Seoul"],
        ["Bob", "25", "東京"],
        ["Charlie", "35", "New York"],
        ["다영", "28", "서울"],
    ]
    assert tables["Sheet2"][2] == ["Gadget", "19.5", "✨"]


def test_html_structure() -> None:
    html = """<html><head><title>복리후생</title><style>p{}</style></head><body>
    <h1>복리후생</h1><h2>건강검진</h2><p>임직원은 매년 건강검진을 받는다.</p>
    <ul><li>배우자 포함</li></ul>
    <table><tr><th>항목</th><th>지원</th></tr><tr><td>종합검진</td><td>50만원</td></tr></table>
    <script>alert('x')</script></body></html>""".encode("cp949")
    html = html.replace(b"<head>", b'<head><meta charset="euc-kr">')
    document = parse(html, "page.html")
    assert document.title == "복리후생"
    paragraph = next(b for b in document.blocks if b.kind == "paragraph")
    assert paragraph.text == "임직원은 매년 건강검진을 받는다."
    assert paragraph.heading_path == ("복리후생", "건강검진")
    assert any(b.kind == "list" and b.text == "배우자 포함" for b in document.blocks)
    assert next(b for b in document.blocks if b.kind == "table").rows == [
        ["항목", "지원"],
        ["종합검진", "50만원"],
    ]
    assert "alert" not in document.text()


def test_markdown_structure() -> None:
    text = (
        "# 보안 수칙\n\n## 비밀번호\n\n비밀번호는 90일마다 바꾼다.\n\n- 12자 이상\n\n"
        "| 등급 | 주기 |\n|---|---|\n| 일반 | 90일 |\n"
    )
    document = parse(text.encode(), "보안.md")
    assert document.doc_type == "markdown"
    paragraph = next(b for b in document.blocks if b.kind == "paragraph")
    assert paragraph.heading_path == ("보안 수칙", "비밀번호")
    assert any(b.kind == "list" and b.text == "12자 이상" for b in document.blocks)
    assert next(b for b in document.blocks if b.kind == "table").rows == [
        ["등급", "주기"],
        ["일반", "90일"],
    ]


@pytest.mark.parametrize("encoding", ["utf-8", "cp949", "euc-kr", "utf-16"])
def test_text_encodings_are_detected(encoding: str) -> None:
    text = "사내 식당은 오전 11시 30분에 문을 엽니다.\n\n주말에는 운영하지 않습니다."
    document = parse(text.encode(encoding), "공지.txt")
    assert [b.text for b in document.blocks] == [
        "사내 식당은 오전 11시 30분에 문을 엽니다.",
        "주말에는 운영하지 않습니다.",
    ]


def test_csv_in_cp949_is_a_table() -> None:
    data = "이름,부서,내선\n김민수,영업1팀,1234\n이영희,인사팀,5678\n".encode("cp949")
    document = parse(data, "연락처.csv")
    assert document.blocks[0].rows == [
        ["이름", "부서", "내선"],
        ["김민수", "영업1팀", "1234"],
        ["이영희", "인사팀", "5678"],
    ]


def test_type_is_decided_by_content_not_extension() -> None:
    assert detect_type(make_docx(), "report.pdf") == "docx"
    assert detect_type(make_pdf(["x"]), "report.hwp") == "pdf"
    assert detect_type(make_xlsx(), "data.csv") == "xlsx"
    hwp = shared_path("data", "hwp", "example.hwp").read_bytes()
    assert detect_type(hwp, "example.txt") == "hwp"
    assert parse(make_docx(), "report.pdf").doc_type == "docx"
