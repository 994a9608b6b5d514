"""Small documents generated in tests with the same libraries the parsers read them with."""

from __future__ import annotations

import ctypes
import io
import struct
import zipfile
import zlib
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c


def make_docx() -> bytes:
    import docx

    document = docx.Document()
    document.add_heading("인사 규정", level=1)
    document.add_heading("제1장 휴가", level=2)
    document.add_paragraph(
        "연차휴가는 입사일 기준으로 매년 15일이 부여된다. 미사용 연차는 이월되지 않는다."
    )
    document.add_paragraph("병가는 연간 60일까지 사용할 수 있다", style="List Bullet")
    table = document.add_table(rows=3, cols=3)
    for row, values in enumerate(
        [("구분", "일수", "비고"), ("연차", "15일", "매년"), ("병가", "60일", "진단서")]
    ):
        for col, value in enumerate(values):
            table.cell(row, col).text = value
    document.add_heading("제2장 출장", level=2)
    document.add_paragraph("국내 출장비는 실비로 정산한다.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def make_xlsx() -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "매출"
    sheet.append(["지점", "1분기", "2분기"])
    sheet.append(["서울", 1200, 1350])
    sheet.append(["부산", 800, 950.5])
    other = workbook.create_sheet("재고")
    other.append(["품목", "수량"])
    other.append(["볼트", 5000])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def make_pptx() -> bytes:
    from pptx import Presentation
    from pptx.util import Inches

    presentation = Presentation()
    slide = presentation.slides.add_slide(presentation.slide_layouts[1])
    slide.shapes.title.text = "2025년 영업 전략"
    body = slide.placeholders[1].text_frame
    body.text = "신규 고객 확보"
    item = body.add_paragraph()
    item.text = "재계약률 90% 달성"
    item.level = 1
    slide.notes_slide.notes_text_frame.text = "발표 시간은 10분입니다."
    second = presentation.slides.add_slide(presentation.slide_layouts[5])
    second.shapes.title.text = "지역별 목표"
    shape = second.shapes.add_table(3, 2, Inches(1), Inches(2), Inches(6), Inches(2))
    for row, values in enumerate([("지역", "목표"), ("수도권", "40억"), ("영남", "25억")]):
        for col, value in enumerate(values):
            shape.table.cell(row, col).text = value
    buffer = io.BytesIO()
    presentation.save(buffer)
    return buffer.getvalue()


def make_pdf(pages: list[str | None]) -> bytes:
    """A PDF with one ASCII text line per page; None makes a page without a text layer."""
    pdf = pdfium.PdfDocument.new()
    font = pdfium_c.FPDFText_LoadStandardFont(pdf.raw, b"Helvetica")
    for text in pages:
        page = pdf.new_page(595, 842)
        if text is not None:
            obj = pdfium_c.FPDFPageObj_NewTextObj(pdf.raw, b"Helvetica", ctypes.c_float(12))
            encoded = (text + "\x00").encode("utf-16-le")
            buffer = ctypes.create_string_buffer(encoded, len(encoded))
            pdfium_c.FPDFText_SetText(obj, ctypes.cast(buffer, ctypes.POINTER(pdfium_c.FPDF_WCHAR)))
            pdfium_c.FPDFPageObj_Transform(obj, 1, 0, 0, 1, 50, 700)
            pdfium_c.FPDFPage_InsertObject(page.raw, obj)
            pdfium_c.FPDFPage_GenerateContent(page.raw)
        page.close()
    assert font
    out = io.BytesIO()
    pdf.save(out)
    pdf.close()
    return out.getvalue()


def make_encrypted_pdf() -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(["Secret salary table"]))))
    writer.encrypt(user_password="pw", owner_password="owner")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_zip_bomb(kind: str = "docx") -> bytes:
    """A DOCX-looking zip whose member inflates 200 MB of zeros from a few hundred KB."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            chunk = b"\x00" * (1024 * 1024)
            for _ in range(200):
                member.write(chunk)
    return out.getvalue()


def make_many_pages(count: int = 10_000) -> bytes:
    pdf = pdfium.PdfDocument.new()
    for _ in range(count):
        pdf.new_page(100, 100).close()
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def make_broken_hwp(source: bytes, directory: Path) -> bytes:
    """A real HWP whose body stream is overwritten with junk of the same size."""
    import olefile

    path = directory / "broken.hwp"
    path.write_bytes(source)
    with olefile.OleFileIO(str(path), write_mode=True) as ole:
        size = ole.get_size("BodyText/Section0")
        ole.write_stream("BodyText/Section0", b"\x07" * size)
    return path.read_bytes()


def forge_member_size(archive: bytes, member: str, extra_bytes: int) -> bytes:
    """A copy of `archive` whose `member` inflates to its content plus `extra_bytes` spaces
    while its local header and central directory still declare the original size and CRC.

    Trailing spaces after the root element are valid XML, and `zipfile` cuts a member at its
    declared size (where the CRC matches), so a parser that trusts the headers reads a
    well-formed document — after inflating everything in memory.
    """
    source = zipfile.ZipFile(io.BytesIO(archive))
    out = io.BytesIO()
    central: list[bytes] = []
    block = b" " * (1024 * 1024)
    for info in source.infolist():
        content = source.read(info.filename)
        compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
        parts = [compressor.compress(content)]
        if info.filename == member:
            parts += [compressor.compress(block) for _ in range(extra_bytes // len(block))]
        parts.append(compressor.flush())
        data = b"".join(parts)
        name = info.filename.encode()
        crc, declared, offset = zlib.crc32(content), len(content), out.tell()
        # Local file header and central directory entry, both declaring the honest size.
        out.write(
            struct.pack(
                "<4s5H3L2H",
                b"PK\x03\x04",
                20,
                0,
                8,
                0,
                0x21,
                crc,
                len(data),
                declared,
                len(name),
                0,
            )
        )
        out.write(name + data)
        central.append(
            struct.pack(
                "<4s6H3L5H2L",
                b"PK\x01\x02",
                20,
                20,
                0,
                8,
                0,
                0x21,
                crc,
                len(data),
                declared,
                len(name),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + name
        )
    start = out.tell()
    out.write(b"".join(central))
    size = out.tell() - start
    out.write(
        struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(central), len(central), size, start, 0)
    )
    return out.getvalue()


def make_hwpx() -> bytes:
    """An HWPX written like 한글 writes it (the demo's writer), with headings and a table."""
    from dari.demo.documents import DEMO_DOCUMENTS
    from dari.demo.hwpx import write_hwpx

    spec = next(d for d in DEMO_DOCUMENTS if d.filename.endswith(".hwpx"))
    return write_hwpx(spec)
