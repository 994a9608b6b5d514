"""Refresh the JSON Schemas in docs/chat-protocol.md from `protocol.py`.

    python -m dari.chat.docs [docs/chat-protocol.md]

Each `<!-- schema:<side>.<type> -->` marker is followed by a ```json block holding that
frame's schema; this rewrites those blocks (a test fails when they are out of date).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from dari.chat.protocol import frame_schemas

_BLOCK = re.compile(r"(<!-- schema:(\S+) -->\n)```json\n.*?\n```", re.S)


def refresh(text: str) -> str:
    schemas = frame_schemas()

    def replace(match: re.Match[str]) -> str:
        schema = json.dumps(schemas[match.group(2)], ensure_ascii=False, indent=2)
        return f"{match.group(1)}```json\n{schema}\n```"

    return _BLOCK.sub(replace, text)


if __name__ == "__main__":  # pragma: no cover - documentation helper
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/chat-protocol.md")
    path.write_text(refresh(path.read_text(encoding="utf-8")), encoding="utf-8")
