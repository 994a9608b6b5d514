"""HTML through lxml: headings h1–h6, paragraphs, list items, tables (th/td rows)."""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from dari.documents.parsers.base import (
    Block,
    Location,
    ParsedDocument,
    ParseError,
    ParseLimits,
    assign_heading_paths,
    normalize_space,
    table_block,
)
from dari.documents.parsers.text import decode_text

_DROP = {"script", "style", "noscript", "template", "head", "svg", "iframe", "object"}
_PARAGRAPHS = {"p", "pre", "blockquote", "dt", "dd", "caption", "figcaption", "address"}
_HEADING = re.compile(r"^h([1-6])$")


class _Walker:
    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.location = Location()

    def text(self, value: str | None) -> None:
        text = normalize_space(value or "")
        if text:
            self.blocks.append(Block("paragraph", text, self.location))

    def walk(self, element: etree._Element) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in _DROP or not tag:
            return
        heading = _HEADING.match(tag)
        if heading:
            text = normalize_space(element.text_content())
            if text:
                self.blocks.append(Block("heading", text, self.location, level=int(heading[1])))
        elif tag in _PARAGRAPHS:
            self.text(element.text_content())
        elif tag == "li":
            text = normalize_space(element.text_content())
            if text:
                self.blocks.append(Block("list", text, self.location))
        elif tag == "table":
            rows = [
                [normalize_space(cell.text_content()) for cell in row if cell.tag in ("td", "th")]
                for row in element.iter("tr")
            ]
            block = table_block(rows, self.location)
            if block is not None:
                self.blocks.append(block)
        else:
            self.text(element.text)
            for child in element:
                self.walk(child)
                self.text(child.tail)


def parse_html(data: bytes, limits: ParseLimits) -> ParsedDocument:
    text, _ = decode_text(data)
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    try:
        root = lxml.html.document_fromstring(text or "<html></html>")
    except (etree.ParserError, ValueError) as exc:
        raise ParseError("corrupt_file", f"The HTML cannot be parsed ({exc}).") from None
    title_element = root.find(".//title")
    title = normalize_space(title_element.text_content()) if title_element is not None else None
    walker = _Walker()
    body = root.find("body")
    walker.walk(body if body is not None else root)
    return ParsedDocument("html", assign_heading_paths(walker.blocks), title=title or None)
