"""docs/chat-protocol.md shows the JSON Schema of every frame, as the code defines it."""

from __future__ import annotations

import json
import re
from pathlib import Path

from dari.chat.protocol import ERROR_CODES, frame_schemas
from dari.chat.ws import SUBPROTOCOL

DOC = Path(__file__).resolve().parents[2] / "docs" / "chat-protocol.md"


def test_every_frame_schema_is_documented_and_current() -> None:
    text = DOC.read_text(encoding="utf-8")
    blocks = dict(re.findall(r"<!-- schema:(\S+) -->\n```json\n(.*?)\n```", text, re.S))
    schemas = frame_schemas()
    assert set(blocks) == set(schemas), "run `python -m dari.chat.docs` to regenerate"
    for name, schema in schemas.items():
        assert json.loads(blocks[name]) == schema, f"{name} is out of date in {DOC.name}"
    for code in ERROR_CODES:
        assert f"`{code}`" in text
    assert SUBPROTOCOL in text
