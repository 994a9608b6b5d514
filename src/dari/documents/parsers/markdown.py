"""Markdown through markdown-it-py (CommonMark + tables)."""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.token import Token

from dari.documents.parsers.base import (
    Block,
    Location,
    ParsedDocument,
    ParseLimits,
    assign_heading_paths,
    normalize_space,
    table_block,
)
from dari.documents.parsers.text import decode_text

_MD = MarkdownIt("commonmark").enable("table")


def _inline_text(token: Token) -> str:
    if not token.children:
        return token.content
    return "".join(
        child.content
        if child.type in ("text", "code_inline")
        else " "
        if "break" in child.type
        else ""
        for child in token.children
    )


def parse_markdown(data: bytes, limits: ParseLimits) -> ParsedDocument:
    text, _ = decode_text(data)
    tokens = _MD.parse(text)
    blocks: list[Block] = []
    location = Location()
    list_depth = 0
    heading_level = 0
    table_rows: list[list[str]] | None = None
    for token in tokens:
        if token.type in ("bullet_list_open", "ordered_list_open"):
            list_depth += 1
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            list_depth -= 1
        elif token.type == "heading_open":
            heading_level = int(token.tag[1])
        elif token.type == "heading_close":
            heading_level = 0
        elif token.type == "table_open":
            table_rows = []
        elif token.type == "table_close" and table_rows is not None:
            block = table_block(table_rows, location)
            if block is not None:
                blocks.append(block)
            table_rows = None
        elif token.type == "tr_open" and table_rows is not None:
            table_rows.append([])
        elif token.type == "inline" and table_rows is not None:
            if table_rows:
                table_rows[-1].append(normalize_space(_inline_text(token)))
        elif token.type == "inline":
            content = normalize_space(_inline_text(token))
            if not content:
                continue
            if heading_level:
                blocks.append(Block("heading", content, location, level=heading_level))
            else:
                blocks.append(Block("list" if list_depth else "paragraph", content, location))
        elif token.type in ("fence", "code_block"):
            content = token.content.strip()
            if content:
                blocks.append(Block("paragraph", content, location))
    return ParsedDocument("markdown", assign_heading_paths(blocks))
