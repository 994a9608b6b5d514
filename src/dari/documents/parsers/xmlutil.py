"""Safe XML parsing (no entities, no network, no huge trees) and namespace-free helpers."""

from __future__ import annotations

from lxml import etree

from dari.documents.parsers.base import ParseError

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True
)


def parse_xml(data: bytes, what: str) -> etree._Element:
    try:
        return etree.fromstring(data, parser=_PARSER)
    except etree.XMLSyntaxError as exc:
        raise ParseError("corrupt_file", f"{what} is not well-formed XML ({exc}).") from None


def local(element: etree._Element) -> str:
    """The tag without its namespace (`hp:p` → `p`); '' for comments and PIs."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]
