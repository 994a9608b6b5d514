"""Prompt files of the assistant (Korean), under `dari/chat/prompts/`."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from string import Template
from typing import Any

import yaml


@lru_cache(maxsize=16)
def load(name: str) -> str:
    return (resources.files("dari.chat") / "prompts" / name).read_text(encoding="utf-8")


def render(name: str, **values: str) -> str:
    """`prompts/<name>.md` with `$placeholders` filled."""
    return Template(load(f"{name}.md")).substitute(values).strip()


@lru_cache(maxsize=1)
def fixed_messages() -> dict[str, Any]:
    data = yaml.safe_load(load("messages.yaml"))
    assert isinstance(data, dict)
    return data


def fixed(name: str) -> str:
    """A fixed reply (not found, forbidden, out of scope) from `prompts/messages.yaml`."""
    return str(fixed_messages()[name])
