"""Reading one incoming chat WebSocket frame: size and nesting are bounded *before* parsing.

`json.loads` recurses once per nesting level, so `{"type":"auth","token":[[[…100k…]]]}`
raised `RecursionError` out of the ASGI app and dropped the socket without a close frame. Here
a frame over `DARI_WS_MAX_FRAME_BYTES` or nested deeper than `MAX_DEPTH` is refused with a
`FrameError` carrying the close code (docs/chat-protocol.md#error-codes); other malformed
frames get a `FrameError` without one (the connection stays usable).
"""

from __future__ import annotations

import json
import re
from array import array
from itertools import accumulate
from typing import Any

# Every protocol frame is a flat object; a little room is left for future nested members.
MAX_DEPTH = 32
# Before sign-in only an `auth` frame is accepted (a token is at most 8,192 characters).
AUTH_FRAME_MAX_BYTES = 16 * 1024
CLOSE_TOO_BIG = 1009  # RFC 6455: message too big to process
CLOSE_POLICY = 1008  # RFC 6455: policy violation (a frame no client of this protocol sends)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = bytes.maketrans(b"[]{}", bytes([1, 255, 1, 255]))  # 255 is -1 as a signed byte


class FrameError(Exception):
    """A frame that cannot be used: `code` and Korean `message` for the `error` event, and the
    WebSocket close code when the connection must end (None: it stays open)."""

    def __init__(self, code: str, message: str, close_code: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.close_code = close_code


def utf8_size(text: str, limit: int) -> int:
    """The UTF-8 size of `text`, or any number over `limit` once it surely passes it."""
    if len(text) > limit:  # every character is at least one byte
        return len(text)
    if len(text) * 4 <= limit:  # and at most four
        return len(text)
    return len(text.encode("utf-8", "surrogatepass"))


def nesting_depth(text: str) -> int:
    """How deep arrays and objects nest in JSON `text` — the recursion `json.loads` would need.

    Every step runs in C (no Python loop per character), so a 1 MiB frame costs milliseconds.
    Unbalanced brackets count as they open, as the parser would descend into them.
    """
    # Drop string contents, where brackets are text: remove escaped backslashes, then escaped
    # quotes, so every remaining quote delimits a string (the text between pairs is inside).
    unescaped = text.replace("\\\\", "").replace('\\"', "")
    outside = "".join(unescaped.split('"')[::2])
    brackets = _NOT_BRACKET.sub("", outside).encode("ascii")
    steps = array("b", brackets.translate(_STEP))  # +1 for [ {, -1 for ] }
    return max(accumulate(steps), default=0)


def parse_frame(raw: str | None, max_bytes: int) -> dict[str, Any]:
    """The frame as a dict with a string `type`; raises `FrameError` otherwise."""
    if raw is None:
        raise FrameError("bad_frame", "프레임은 JSON 텍스트여야 합니다 (바이너리 불가).")
    if utf8_size(raw, max_bytes) > max_bytes:
        raise FrameError(
            "bad_frame", f"프레임이 너무 큽니다 (최대 {max_bytes:,}바이트).", CLOSE_TOO_BIG
        )
    # Counting openers is one C pass and bounds the depth: only a frame with more of them than
    # MAX_DEPTH (none of the protocol's) needs the exact measure.
    if raw.count("[") + raw.count("{") > MAX_DEPTH and nesting_depth(raw) > MAX_DEPTH:
        raise FrameError(
            "bad_frame",
            f"JSON이 너무 깊게 중첩되어 있습니다 (최대 {MAX_DEPTH}단계).",
            CLOSE_POLICY,
        )
    try:
        data = json.loads(raw)
    except RecursionError:  # not reachable after the depth scan; kept as a last guard
        raise FrameError("bad_frame", "JSON이 너무 깊게 중첩되어 있습니다.", CLOSE_POLICY) from None
    except ValueError:
        raise FrameError("bad_frame", "JSON이 아닙니다.") from None
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        raise FrameError("bad_frame", "프레임은 type이 있는 JSON 객체여야 합니다.")
    return data
