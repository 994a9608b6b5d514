"""Hostile and broken files: each is refused with a reason an administrator can act on."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import olefile
import pypdfium2 as pdfium
import pytest

from dari.documents.parsers import ParseError, ParseLimits, parse
from dari.documents.storage import OriginalStore, safe_filename, safe_source_path
from tests.conftest import shared_path
from tests.documents.builders import make_encrypted_pdf, make_zip_bomb


def reason(data: bytes, name: str, limits: ParseLimits | None = None) -> ParseError:
    with pytest.raises(ParseError) as raised:
        parse(data, name, limits)
    assert raised.value.reason and "Traceback" not in raised.value.reason
    return raised.value


def test_encrypted_pdf() -> None:
    error = reason(make_encrypted_pdf(), "급여.pdf")
    assert error.code == "encrypted" and "password" in error.reason


def test_corrupt_zip() -> None:
    data = b"PK\x03\x04" + b"\x14\x00" + b"garbage" * 100
    assert reason(data, "report.docx").code == "corrupt_file"


def test_truncated_docx() -> None:
    from tests.documents.builders import make_docx

    data = make_docx()
    error = reason(data[: len(data) // 2], "report.docx")
    assert error.code == "corrupt_file"


def test_zip_bomb_is_refused_without_inflating() -> None:
    error = reason(make_zip_bomb(), "bomb.docx")
    assert error.code == "zip_bomb" and "expands" in error.reason


def test_zip_total_size_is_bounded() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("word/document.xml", b"<w/>" * 300_000)
    error = reason(out.getvalue(), "big.docx", ParseLimits(max_uncompressed_bytes=1_000_000))
    assert error.code == "zip_bomb" and "DARI_DOCUMENTS_MAX_UNCOMPRESSED_MB" in error.reason


def _hwp_copy(tmp_path: Path) -> Path:
    target = tmp_path / "copy.hwp"
    shutil.copy(shared_path("data", "hwp", "example.hwp"), target)
    target.chmod(0o644)
    return target


def test_hwp_with_a_broken_stream(tmp_path: Path) -> None:
    path = _hwp_copy(tmp_path)
    with olefile.OleFileIO(str(path), write_mode=True) as ole:
        size = ole.get_size("BodyText/Section0")
        ole.write_stream("BodyText/Section0", b"\x07" * size)
    error = reason(path.read_bytes(), "broken.hwp")
    assert error.code == "corrupt_file" and "BodyText/Section0" in error.reason


def test_password_hwp(tmp_path: Path) -> None:
    path = _hwp_copy(tmp_path)
    with olefile.OleFileIO(str(path), write_mode=True) as ole:
        header = bytearray(ole.openstream("FileHeader").read())
        header[36] |= 0b10
        ole.write_stream("FileHeader", bytes(header))
    error = reason(path.read_bytes(), "secret.hwp")
    assert error.code == "encrypted" and "password" in error.reason


def test_truncated_hwp() -> None:
    data = shared_path("data", "hwp", "example.hwp").read_bytes()
    assert reason(data[:5000], "cut.hwp").code == "corrupt_file"


def test_empty_file() -> None:
    assert reason(b"", "empty.pdf").code == "empty_file"


def test_lying_extension_with_unknown_binary() -> None:
    error = reason(bytes(range(256)) * 40, "totally-a-report.pdf")
    assert error.code == "unsupported_type"


def test_too_many_pages(tmp_path: Path) -> None:
    pdf = pdfium.PdfDocument.new()
    for _ in range(10_000):
        pdf.new_page(100, 100).close()
    out = io.BytesIO()
    pdf.save(out)
    error = reason(out.getvalue(), "huge.pdf", ParseLimits(max_pages=2000))
    assert error.code == "too_many_pages" and "10000" in error.reason


def test_pdf_without_any_text_and_no_ocr() -> None:
    from tests.documents.builders import make_pdf

    error = reason(make_pdf([None, None]), "scan.pdf", ParseLimits(ocr=False))
    assert error.code == "needs_ocr" and "page 1" in error.reason


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\kim\\보고서.hwp", "보고서.hwp"),
        ("보고\x00서\x1b[31m.pdf", "보고서[31m.pdf"),
        ("..", "document"),
        ("\u202eexe.pdf", "exe.pdf"),
    ],
)
def test_filenames_are_made_safe(name: str, expected: str) -> None:
    assert safe_filename(name) == expected


def test_source_paths_cannot_climb() -> None:
    assert safe_source_path("../a/./b/../c.txt") == "a/b/c.txt"


def test_originals_are_content_addressed(tmp_path: Path) -> None:
    store = OriginalStore(tmp_path)
    digest = store.put(b"hello")
    assert store.path(digest).is_relative_to(tmp_path)
    assert store.get(digest) == b"hello"
    with pytest.raises(ValueError):
        store.path("../../etc/passwd")
