"""DOCX (python-docx) and PDF (reportlab, Korean CID font) writers for the demo documents.

Both are deterministic: DOCX core properties and zip timestamps are fixed, and reportlab runs
in `invariant` mode (no creation date, fixed document id).
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

from dari.demo.model import Bullets, DemoDocument, Heading, Para, Table

FIXED_DATE = datetime(2026, 1, 1, tzinfo=UTC)
FIXED_ZIP_TIME = (2026, 1, 1, 0, 0, 0)
PDF_FONT = "HYSMyeongJo-Medium"
PDF_BOLD_FONT = "HYGothic-Medium"


def normalize_zip(data: bytes) -> bytes:
    """The same zip with every member's timestamp fixed, so output bytes are reproducible."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with source, zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            fixed.compress_type = info.compress_type
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, source.read(info.filename))
    return buffer.getvalue()


def write_docx(document: DemoDocument) -> bytes:
    """The document as DOCX bytes: Title, Heading 1/2, List Bullet and 'Table Grid' tables."""
    from docx import Document
    from docx.oxml.ns import qn

    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = "Malgun Gothic"
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "맑은 고딕")
    props = doc.core_properties
    props.title, props.author, props.language = document.title, "한빛정밀", "ko-KR"
    props.created = props.modified = FIXED_DATE.replace(tzinfo=None)
    props.last_modified_by = "한빛정밀"
    props.revision = 1
    doc.add_heading(document.title, level=0)
    for block in document.blocks:
        if isinstance(block, Heading):
            doc.add_heading(block.text, level=min(block.level, 3))
        elif isinstance(block, Para):
            doc.add_paragraph(block.text)
        elif isinstance(block, Bullets):
            for item in block.items:
                doc.add_paragraph(_strip_marker(item), style="List Bullet")
        elif isinstance(block, Table):
            cols = max(len(row) for row in block.rows)
            table = doc.add_table(rows=len(block.rows), cols=cols)
            table.style = "Table Grid"
            for r, row in enumerate(block.rows):
                for c, text in enumerate(row):
                    cell = table.cell(r, c)
                    cell.text = text
                    if r == 0:
                        for run in cell.paragraphs[0].runs:
                            run.bold = True
    buffer = io.BytesIO()
    doc.save(buffer)
    return normalize_zip(buffer.getvalue())


def write_xlsx(document: DemoDocument) -> bytes:
    """The document as XLSX: one sheet per heading, holding the tables under it."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    workbook.properties.creator = "한빛정밀"
    workbook.properties.title = document.title
    workbook.properties.created = workbook.properties.modified = FIXED_DATE.replace(tzinfo=None)
    sheet = None
    for block in document.blocks:
        if isinstance(block, Heading):
            sheet = workbook.create_sheet(block.text[:31])
        elif isinstance(block, Table):
            if sheet is None:
                sheet = workbook.create_sheet(document.title[:31])
            start = sheet.max_row + (2 if sheet.max_row > 1 else 0)
            for r, row in enumerate(block.rows):
                for c, value in enumerate(row, start=1):
                    cell = sheet.cell(row=start + r, column=c, value=value)
                    if r == 0:
                        cell.font = Font(bold=True)
            for c in range(1, len(block.rows[0]) + 1):
                letter = sheet.cell(row=1, column=c).column_letter
                sheet.column_dimensions[letter].width = 18
    buffer = io.BytesIO()
    workbook.save(buffer)
    return normalize_zip(_fixed_xlsx_times(buffer.getvalue()))


def _fixed_xlsx_times(data: bytes) -> bytes:
    # openpyxl stamps docProps/core.xml with the save time whatever `modified` says.
    import re

    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    stamp = FIXED_DATE.strftime("%Y-%m-%dT%H:%M:%SZ")
    with source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*",
                    rb"\g<1>" + stamp.encode(),
                    content,
                )
            target.writestr(info, content)
    return buffer.getvalue()


def _strip_marker(item: str) -> str:
    return item[2:] if item.startswith("- ") else item


def write_pdf(document: DemoDocument) -> bytes:
    """The document as a PDF with a text layer in a Korean CID font (no font file embedded)."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_LEFT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import (
        ListFlowable,
        ListItem,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        TableStyle,
    )
    from reportlab.platypus import Table as PdfTable

    for font in (PDF_FONT, PDF_BOLD_FONT):
        if font not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont(font))

    def style(
        name: str, font: str, size: float, before: float = 0, after: float = 4
    ) -> ParagraphStyle:
        return ParagraphStyle(
            name,
            fontName=font,
            fontSize=size,
            leading=size * 1.5,
            spaceBefore=before,
            spaceAfter=after,
            alignment=TA_LEFT,
            wordWrap="CJK",
        )

    title = style("title", PDF_BOLD_FONT, 18, after=10)
    h1 = style("h1", PDF_BOLD_FONT, 14, before=8)
    h2 = style("h2", PDF_BOLD_FONT, 12, before=6)
    body = style("body", PDF_FONT, 10)
    cell = style("cell", PDF_FONT, 9, after=0)
    head = style("head", PDF_BOLD_FONT, 9, after=0)

    story: list[object] = [Paragraph(_esc(document.title), title)]
    for block in document.blocks:
        if isinstance(block, Heading):
            story.append(Paragraph(_esc(block.text), h1 if block.level == 1 else h2))
        elif isinstance(block, Para):
            story.append(Paragraph(_esc(block.text), body))
        elif isinstance(block, Bullets):
            items = [ListItem(Paragraph(_esc(_strip_marker(i)), body)) for i in block.items]
            story.append(ListFlowable(items, bulletType="bullet", start="•", leftIndent=12))
        elif isinstance(block, Table):
            data = [
                [Paragraph(_esc(text), head if r == 0 else cell) for text in row]
                for r, row in enumerate(block.rows)
            ]
            table = PdfTable(data, repeatRows=1, hAlign="LEFT")
            table.setStyle(
                TableStyle(
                    [
                        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E8EEF7")),
                        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ]
                )
            )
            story.extend([table, Spacer(1, 6)])
    buffer = io.BytesIO()
    template = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=document.title,
        author="한빛정밀",
        invariant=True,
    )
    template.build(story)
    return buffer.getvalue()


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
