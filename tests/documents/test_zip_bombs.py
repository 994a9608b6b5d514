"""Zip bombs whose headers lie: real bytes are counted while inflating, in bounded memory."""

from __future__ import annotations

import io
import tracemalloc
import zipfile
from collections.abc import Callable

import pytest

from dari.documents.parsers import ParseError, ParseLimits, parse
from dari.documents.parsers.safezip import check_inflated_sizes
from tests.documents.builders import (
    forge_member_size,
    make_docx,
    make_hwpx,
    make_pptx,
    make_xlsx,
)

FORMATS: list[tuple[str, Callable[[], bytes], str]] = [
    ("docx", make_docx, "word/document.xml"),
    ("xlsx", make_xlsx, "xl/workbook.xml"),
    ("pptx", make_pptx, "ppt/presentation.xml"),
    ("hwpx", make_hwpx, "Contents/section0.xml"),
]
HIDDEN = 96 * 1024 * 1024  # inflated beyond what the headers declare
PEAK_LIMIT = 8 * 1024 * 1024


@pytest.mark.parametrize(("kind", "make", "member"), FORMATS, ids=[f[0] for f in FORMATS])
def test_forged_sizes_are_refused_in_bounded_memory(
    kind: str, make: Callable[[], bytes], member: str
) -> None:
    honest = make()
    assert parse(honest, f"honest.{kind}").doc_type == kind  # the same document parses
    forged = forge_member_size(honest, member, HIDDEN)
    declared = {i.filename: i.file_size for i in zipfile.ZipFile(io.BytesIO(forged)).infolist()}
    assert declared[member] < 1024 * 1024 and len(forged) < 1024 * 1024  # nothing looks big
    tracemalloc.start()
    try:
        with pytest.raises(ParseError) as raised:
            parse(forged, f"forged.{kind}")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert raised.value.code == "zip_bomb", raised.value.reason
    assert member in raised.value.reason and "declares" in raised.value.reason
    assert peak < PEAK_LIMIT, f"{peak / 2**20:.0f} MiB allocated while refusing"


def test_honest_archives_inflate_to_their_declared_sizes() -> None:
    for _, make, _ in FORMATS:
        data = make()
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
        assert check_inflated_sizes(data, infos, ParseLimits(), "zip") == sum(
            i.file_size for i in infos
        )


def test_the_total_budget_counts_real_bytes() -> None:
    data = make_docx()
    infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    real = sum(i.file_size for i in infos)
    limits = ParseLimits(max_uncompressed_bytes=real - 1)
    with pytest.raises(ParseError) as raised:
        check_inflated_sizes(data, infos, limits, "DOCX")
    assert raised.value.code == "zip_bomb"
    assert "DARI_DOCUMENTS_MAX_UNCOMPRESSED_MB" in raised.value.reason


def test_a_member_shorter_than_declared_is_corrupt() -> None:
    data = bytearray(make_docx())
    member = "word/document.xml"
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo(member)
    # Raise its declared size in the central directory (offset 24 of the entry) by one byte.
    entry = data.index(b"PK\x01\x02")
    while data[entry + 46 : entry + 46 + len(member)] != member.encode():
        entry = data.index(b"PK\x01\x02", entry + 4)
    data[entry + 24 : entry + 28] = (info.file_size + 1).to_bytes(4, "little")
    with pytest.raises(ParseError) as raised:
        parse(bytes(data), "short.docx")
    assert raised.value.code == "corrupt_file"
    assert member in raised.value.reason and "shorter" in raised.value.reason
