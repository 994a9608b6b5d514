"""Tesseract OCR in a subprocess (never in-process: a crash or hang must not take the worker).

Pages are rendered at 300 dpi and read as one uniform block (`--psm 6`): on Korean office
pages it keeps the reading order, where automatic segmentation (`--psm 3`) dropped or
scrambled lines in our tests.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from dari.documents.parsers.base import ParseLimits


def tesseract_available() -> bool:
    return shutil.which("tesseract") is not None


def ocr_image(image: Any, limits: ParseLimits) -> str:
    """Text of a PIL image, or '' when Tesseract fails or times out."""
    binary = shutil.which("tesseract")
    if binary is None:
        return ""
    with tempfile.TemporaryDirectory(prefix="dari-ocr-") as directory:
        path = Path(directory) / "page.png"
        image.save(path)
        try:
            result = subprocess.run(  # noqa: S603 - fixed binary, our own temp file
                [
                    binary,
                    str(path),
                    "stdout",
                    "-l",
                    limits.ocr_languages,
                    "--dpi",
                    "300",
                    "--psm",
                    "6",
                ],
                capture_output=True,
                timeout=limits.ocr_timeout_s,
                check=False,
            )
        except (subprocess.TimeoutExpired, OSError):
            return ""
    if result.returncode != 0:
        return ""
    return result.stdout.decode("utf-8", "replace")
