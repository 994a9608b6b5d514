"""A small HWPX (OWPML, KS X 6101) writer for the demo documents.

Follows the package layout 한글 writes: `mimetype` first and stored (uncompressed), then
`version.xml`, `META-INF/container.xml` (root file `Contents/content.hpf`),
`META-INF/manifest.xml`, `Contents/content.hpf` (OPF manifest and spine), `Contents/header.xml`
(fonts, character and paragraph shapes, border fills, styles incl. `개요 1..3`),
`Contents/section0.xml` (`hp:p` → `hp:run` → `hp:t`; tables `hp:tbl` → `hp:tr` → `hp:tc` →
`hp:subList` → `hp:p`) and `settings.xml`. Output is deterministic (fixed zip timestamps).
"""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

from dari.demo.model import Bullets, DemoDocument, Heading, Para, Table

NS = (
    'xmlns:ha="http://www.hancom.co.kr/hwpml/2011/app" '
    'xmlns:hp="http://www.hancom.co.kr/hwpml/2011/paragraph" '
    'xmlns:hs="http://www.hancom.co.kr/hwpml/2011/section" '
    'xmlns:hc="http://www.hancom.co.kr/hwpml/2011/core" '
    'xmlns:hh="http://www.hancom.co.kr/hwpml/2011/head" '
    'xmlns:hpf="http://www.hancom.co.kr/schema/2011/hpf" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:opf="http://www.idpf.org/2007/opf/"'
)
XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes" ?>'
FIXED_TIME = (2026, 1, 1, 0, 0, 0)
MIMETYPE = "application/hwp+zip"
PAGE_TEXT_WIDTH = 42520  # A4 (59528) minus 2 x 8504 margins, in HWPUNIT (1/7200 inch)

# Character shapes: 0 body 10pt, 1 heading 14pt bold, 2 sub-heading 12pt bold, 3 title 18pt bold.
CHAR_SHAPES = ((1000, False), (1400, True), (1200, True), (1800, True))
# Styles: id → (name, engName, paraPr, charPr). Levels of `개요 N` become heading levels.
STYLES = (
    (0, "바탕글", "Normal", 0, 0),
    (1, "개요 1", "Outline 1", 1, 1),
    (2, "개요 2", "Outline 2", 1, 2),
    (3, "개요 3", "Outline 3", 1, 2),
)


def _zip_write(
    archive: zipfile.ZipFile, name: str, data: str | bytes, *, stored: bool = False
) -> None:
    info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
    info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data.encode("utf-8") if isinstance(data, str) else data)


def _fonts() -> str:
    langs = ("HANGUL", "LATIN", "HANJA", "JAPANESE", "OTHER", "SYMBOL", "USER")
    faces = "".join(
        f'<hh:fontface lang="{lang}" fontCnt="2">'
        '<hh:font id="0" face="함초롬돋움" type="TTF" isEmbedded="0"/>'
        '<hh:font id="1" face="함초롬바탕" type="TTF" isEmbedded="0"/></hh:fontface>'
        for lang in langs
    )
    return f'<hh:fontfaces itemCnt="{len(langs)}">{faces}</hh:fontfaces>'


def _border_fills() -> str:
    def border(kind: str) -> str:
        sides = "".join(
            f'<hh:{side}Border type="{kind}" width="0.12 mm" color="#000000"/>'
            for side in ("left", "right", "top", "bottom")
        )
        return (
            f'<hh:slash type="NONE" Crooked="0" isCounter="0"/>'
            f'<hh:backSlash type="NONE" Crooked="0" isCounter="0"/>{sides}'
            '<hh:diagonal type="SOLID" width="0.1 mm" color="#000000"/>'
        )

    items = "".join(
        f'<hh:borderFill id="{i}" threeD="0" shadow="0" centerLine="NONE" '
        'breakCellSeparateLine="0">'
        f"{border(kind)}</hh:borderFill>"
        for i, kind in ((1, "NONE"), (2, "SOLID"))
    )
    return f'<hh:borderFills itemCnt="2">{items}</hh:borderFills>'


def _per_lang(tag: str, value: int) -> str:
    langs = ("hangul", "latin", "hanja", "japanese", "other", "symbol", "user")
    return f"<hh:{tag} " + " ".join(f'{lang}="{value}"' for lang in langs) + "/>"


def _char_shapes() -> str:
    items = []
    for i, (height, bold) in enumerate(CHAR_SHAPES):
        items.append(
            f'<hh:charPr id="{i}" height="{height}" textColor="#000000" shadeColor="none" '
            'useFontSpace="0" useKerning="0" symMark="NONE" borderFillIDRef="1">'
            + _per_lang("fontRef", 0)
            + _per_lang("ratio", 100)
            + _per_lang("spacing", 0)
            + _per_lang("relSz", 100)
            + _per_lang("offset", 0)
            + ("<hh:bold/>" if bold else "")
            + '<hh:underline type="NONE" shape="SOLID" color="#000000"/>'
            '<hh:strikeout shape="NONE" color="#000000"/>'
            '<hh:outline type="NONE"/><hh:shadow type="NONE" color="#B2B2B2" offsetX="10" '
            'offsetY="10"/></hh:charPr>'
        )
    return f'<hh:charProperties itemCnt="{len(items)}">{"".join(items)}</hh:charProperties>'


def _para_shapes() -> str:
    items = []
    for i, (before, after) in enumerate(((0, 400), (1200, 600))):
        items.append(
            f'<hh:paraPr id="{i}" tabPrIDRef="0" condense="0" fontLineHeight="0" snapToGrid="1" '
            'suppressLineNumbers="0" checked="0">'
            '<hh:align horizontal="JUSTIFY" vertical="BASELINE"/>'
            '<hh:heading type="NONE" idRef="0" level="0"/>'
            '<hh:breakSetting breakLatinWord="KEEP_WORD" breakNonLatinWord="KEEP_WORD" '
            'widowOrphan="0" keepWithNext="0" keepLines="0" pageBreakBefore="0" lineWrap="BREAK"/>'
            '<hh:autoSpacing eAsianEng="0" eAsianNum="0"/>'
            '<hh:margin><hc:intent value="0" unit="HWPUNIT"/><hc:left value="0" unit="HWPUNIT"/>'
            '<hc:right value="0" unit="HWPUNIT"/>'
            f'<hc:prev value="{before}" unit="HWPUNIT"/><hc:next value="{after}" unit="HWPUNIT"/>'
            '</hh:margin><hh:lineSpacing type="PERCENT" value="160" unit="HWPUNIT"/>'
            '<hh:border borderFillIDRef="1" offsetLeft="0" offsetRight="0" offsetTop="0" '
            'offsetBottom="0" connect="0" ignoreMargin="0"/></hh:paraPr>'
        )
    return f'<hh:paraProperties itemCnt="{len(items)}">{"".join(items)}</hh:paraProperties>'


def header_xml() -> str:
    styles = "".join(
        f'<hh:style id="{i}" type="PARA" name="{name}" engName="{eng}" paraPrIDRef="{para}" '
        f'charPrIDRef="{char}" nextStyleIDRef="0" langID="1042" lockForm="0"/>'
        for i, name, eng, para, char in STYLES
    )
    return (
        f'{XML}<hh:head {NS} version="1.4" secCnt="1">'
        '<hh:beginNum page="1" footnote="1" endnote="1" pic="1" tbl="1" equation="1"/>'
        f"<hh:refList>{_fonts()}{_border_fills()}{_char_shapes()}"
        '<hh:tabProperties itemCnt="1"><hh:tabPr id="0" autoTabLeft="0" autoTabRight="0"/>'
        f"</hh:tabProperties>{_para_shapes()}"
        f'<hh:styles itemCnt="{len(STYLES)}">{styles}</hh:styles></hh:refList>'
        '<hh:compatibleDocument targetProgram="HWP201X"><hh:layoutCompatibility/>'
        "</hh:compatibleDocument>"
        '<hh:docOption><hh:linkinfo path="" pageInherit="0" footnoteInherit="0"/></hh:docOption>'
        "</hh:head>"
    )


class _Section:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.next_id = 1

    def _id(self) -> int:
        self.next_id += 1
        return self.next_id

    def paragraph(self, text: str, style: int = 0, char: int | None = None, extra: str = "") -> str:
        para_pr = STYLES[style][3]
        char_pr = STYLES[style][4] if char is None else char
        run = f'<hp:run charPrIDRef="{char_pr}">{extra}<hp:t>{escape(text)}</hp:t></hp:run>'
        return (
            f'<hp:p id="{self._id()}" paraPrIDRef="{para_pr}" styleIDRef="{style}" '
            f'pageBreak="0" columnBreak="0" merged="0">{run}</hp:p>'
        )

    def table(self, rows: tuple[tuple[str, ...], ...]) -> str:
        cols = max(len(row) for row in rows)
        width = PAGE_TEXT_WIDTH // cols
        trs = []
        for r, row in enumerate(rows):
            tcs = []
            for c in range(cols):
                text = row[c] if c < len(row) else ""
                cell_p = self.paragraph(text, 0, 2 if r == 0 else 0)
                tcs.append(
                    f'<hp:tc name="" header="{1 if r == 0 else 0}" hasMargin="0" protect="0" '
                    'editable="0" dirty="0" borderFillIDRef="2">'
                    '<hp:subList id="" textDirection="HORIZONTAL" lineWrap="BREAK" '
                    'vertAlign="CENTER" linkListIDRef="0" linkListNextIDRef="0" textWidth="0" '
                    f'textHeight="0" hasTextRef="0" hasNumRef="0">{cell_p}</hp:subList>'
                    f'<hp:cellAddr colAddr="{c}" rowAddr="{r}"/>'
                    '<hp:cellSpan colSpan="1" rowSpan="1"/>'
                    f'<hp:cellSz width="{width}" height="1000"/>'
                    '<hp:cellMargin left="510" right="510" top="141" bottom="141"/></hp:tc>'
                )
            trs.append(f"<hp:tr>{''.join(tcs)}</hp:tr>")
        tbl = (
            f'<hp:tbl id="{self._id()}" zOrder="0" numberingType="TABLE" '
            'textWrap="TOP_AND_BOTTOM" textFlow="BOTH_SIDES" lock="0" dropcapstyle="None" '
            f'pageBreak="CELL" repeatHeader="1" rowCnt="{len(rows)}" colCnt="{cols}" '
            'cellSpacing="0" borderFillIDRef="2" noAdjust="0">'
            f'<hp:sz width="{width * cols}" widthRelTo="ABSOLUTE" height="{1000 * len(rows)}" '
            'heightRelTo="ABSOLUTE" protect="0"/>'
            '<hp:pos treatAsChar="1" affectLSpacing="0" flowWithText="1" allowOverlap="0" '
            'holdAnchorAndSO="0" vertRelTo="PARA" horzRelTo="COLUMN" vertAlign="TOP" '
            'horzAlign="LEFT" vertOffset="0" horzOffset="0"/>'
            '<hp:outMargin left="283" right="283" top="283" bottom="283"/>'
            '<hp:inMargin left="510" right="510" top="141" bottom="141"/>'
            f"{''.join(trs)}</hp:tbl>"
        )
        # A table is an object anchored in a run of its own paragraph.
        return (
            f'<hp:p id="{self._id()}" paraPrIDRef="0" styleIDRef="0" pageBreak="0" '
            f'columnBreak="0" merged="0"><hp:run charPrIDRef="0">{tbl}<hp:t/></hp:run></hp:p>'
        )


SEC_PR = (
    '<hp:secPr id="" textDirection="HORIZONTAL" spaceColumns="1134" tabStop="8000" '
    'tabStopVal="4000" tabStopUnit="HWPUNIT" outlineShapeIDRef="0" memoShapeIDRef="0" '
    'textVerticalWidthHead="0" masterPageCnt="0">'
    '<hp:grid lineGrid="0" charGrid="0" wonggojiFormat="0"/>'
    '<hp:startNum pageStartsOn="BOTH" page="0" pic="0" tbl="0" equation="0"/>'
    '<hp:visibility hideFirstHeader="0" hideFirstFooter="0" hideFirstMasterPage="0" '
    'border="SHOW_ALL" fill="SHOW_ALL" hideFirstPageNum="0" hideFirstEmptyLine="0" '
    'showLineNumber="0"/>'
    '<hp:pagePr landscape="WIDELY" width="59528" height="84188" gutterType="LEFT_ONLY">'
    '<hp:margin header="4252" footer="4252" gutter="0" left="8504" right="8504" top="5668" '
    'bottom="4252"/></hp:pagePr></hp:secPr>'
    '<hp:ctrl><hp:colPr id="" type="NEWSPAPER" layout="LEFT" colCount="1" sameSz="1" '
    'sameGap="0"/></hp:ctrl>'
)


def section_xml(document: DemoDocument) -> str:
    section = _Section()
    # The first paragraph carries the section properties (page size, margins), as 한글 does.
    parts = [section.paragraph(document.title, 1, 3, extra=SEC_PR)]
    for block in document.blocks:
        if isinstance(block, Heading):
            parts.append(section.paragraph(block.text, min(block.level + 1, 3)))
        elif isinstance(block, Para):
            parts.append(section.paragraph(block.text))
        elif isinstance(block, Bullets):
            parts.extend(section.paragraph(item) for item in block.items)
        elif isinstance(block, Table):
            parts.append(section.table(block.rows))
    return f"{XML}<hs:sec {NS}>{''.join(parts)}</hs:sec>"


def content_hpf(document: DemoDocument) -> str:
    return (
        f'{XML}<opf:package {NS} version="" unique-identifier="" id="">'
        f"<opf:metadata><opf:title>{escape(document.title)}</opf:title>"
        "<opf:language>ko</opf:language>"
        '<opf:meta name="creator" content="text">한빛정밀</opf:meta>'
        '<opf:meta name="CreatedDate" content="text">2026-01-01T00:00:00Z</opf:meta>'
        '<opf:meta name="ModifiedDate" content="text">2026-01-01T00:00:00Z</opf:meta>'
        "</opf:metadata><opf:manifest>"
        '<opf:item id="header" href="Contents/header.xml" media-type="application/xml"/>'
        '<opf:item id="section0" href="Contents/section0.xml" media-type="application/xml"/>'
        '<opf:item id="settings" href="settings.xml" media-type="application/xml"/>'
        '</opf:manifest><opf:spine><opf:itemref idref="header" linear="yes"/>'
        '<opf:itemref idref="section0" linear="yes"/></opf:spine></opf:package>'
    )


CONTAINER = (
    f'{XML}<ocf:container xmlns:ocf="urn:oasis:names:tc:opendocument:xmlns:container" '
    'xmlns:hpf="http://www.hancom.co.kr/schema/2011/hpf"><ocf:rootfiles>'
    '<ocf:rootfile full-path="Contents/content.hpf" media-type="application/hwpml-package+xml"/>'
    "</ocf:rootfiles></ocf:container>"
)
VERSION = (
    f'{XML}<hv:HCFVersion xmlns:hv="http://www.hancom.co.kr/hwpml/2011/version" '
    'tagetApplication="WORDPROCESSOR" major="5" minor="1" micro="0" buildNumber="0" os="1" '
    'xmlVersion="1.4" application="Dari demo writer" appVersion="1.0"/>'
)
MANIFEST = f'{XML}<odf:manifest xmlns:odf="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>'
SETTINGS = (
    f'{XML}<ha:HWPApplicationSetting xmlns:ha="http://www.hancom.co.kr/hwpml/2011/app" '
    'xmlns:config="urn:oasis:names:tc:opendocument:xmlns:config:1.0">'
    '<ha:CaretPosition listIDRef="0" paraIDRef="0" pos="0"/></ha:HWPApplicationSetting>'
)


def write_hwpx(document: DemoDocument) -> bytes:
    """The document as HWPX bytes (deterministic)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        _zip_write(archive, "mimetype", MIMETYPE, stored=True)
        _zip_write(archive, "version.xml", VERSION, stored=True)
        _zip_write(archive, "META-INF/container.xml", CONTAINER)
        _zip_write(archive, "META-INF/manifest.xml", MANIFEST)
        _zip_write(archive, "Contents/content.hpf", content_hpf(document))
        _zip_write(archive, "Contents/header.xml", header_xml())
        _zip_write(archive, "Contents/section0.xml", section_xml(document))
        _zip_write(archive, "settings.xml", SETTINGS)
    return buffer.getvalue()
