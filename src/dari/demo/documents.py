"""The demo documents: catalogue, rendering and the committed files under `documents/`.

`python -m dari.demo.documents` (re)writes the files; the output is byte-for-byte reproducible,
and a test checks the committed files match, so `dari demo setup` never generates anything.
"""

from __future__ import annotations

import sys
from pathlib import Path

from dari.demo.content_hr import HR_DOCUMENTS
from dari.demo.content_ops import OPS_DOCUMENTS
from dari.demo.content_sales import SALES_DOCUMENTS
from dari.demo.hwpx import write_hwpx
from dari.demo.model import DemoDocument
from dari.demo.office import write_docx, write_pdf, write_xlsx

DOCUMENTS_DIR = Path(__file__).with_name("documents")
DEMO_DOCUMENTS: tuple[DemoDocument, ...] = HR_DOCUMENTS + OPS_DOCUMENTS + SALES_DOCUMENTS


def render(document: DemoDocument) -> bytes:
    """The document's file bytes in its format."""
    if document.format == "hwpx":
        return write_hwpx(document)
    if document.format == "docx":
        return write_docx(document)
    if document.format == "xlsx":
        return write_xlsx(document)
    return write_pdf(document)


def path_of(document: DemoDocument) -> Path:
    return DOCUMENTS_DIR / document.filename


def by_title(title: str) -> DemoDocument:
    for document in DEMO_DOCUMENTS:
        if document.title == title:
            return document
    raise KeyError(title)


def write_all(directory: Path = DOCUMENTS_DIR) -> list[Path]:
    """Render every demo document into `directory`; returns the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for document in DEMO_DOCUMENTS:
        path = directory / document.filename
        path.write_bytes(render(document))
        written.append(path)
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else DOCUMENTS_DIR
    for written_path in write_all(target):
        print(f"{written_path} ({written_path.stat().st_size:,} bytes)")
