"""Prompt files of the assistant (Korean), under `dari/chat/prompts/` (read by the one prompt
loader, `dari.llm.prompts`)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import yaml

from dari.llm.prompts import fill, read


def load(name: str) -> str:
    return read("dari.chat", name)


def render(name: str, **values: str) -> str:
    """`prompts/<name>.md` with `$placeholders` filled."""
    return fill(load(f"{name}.md"), values)


@lru_cache(maxsize=1)
def fixed_messages() -> dict[str, Any]:
    data = yaml.safe_load(load("messages.yaml"))
    assert isinstance(data, dict)
    return data


def fixed(name: str) -> str:
    """A fixed reply (not found, forbidden, out of scope) from `prompts/messages.yaml`."""
    return str(fixed_messages()[name])
