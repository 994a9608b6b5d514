"""Prompt templates kept as files under `<package>/prompts/` (Korean system prompts): the one
loader, used for the gateway's own prompts (`dari/llm/prompts/`) and the assistant's
(`dari/chat/prompts/`, via `dari.chat.assistant.prompts`).

Templates use `$name` placeholders (`string.Template`), so JSON braces need no escaping.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from string import Template


@lru_cache(maxsize=64)
def read(package: str, filename: str) -> str:
    """The text of `<package>/prompts/<filename>`."""
    return (resources.files(package) / "prompts" / filename).read_text(encoding="utf-8")


def fill(text: str, values: dict[str, str]) -> str:
    """`text` with every `$placeholder` filled (a missing value is an error)."""
    return Template(text).substitute(values).strip()


def load(name: str) -> str:
    """The text of `dari/llm/prompts/<name>.md`."""
    return read("dari.llm", f"{name}.md")


def render(name: str, **values: str) -> str:
    """The template `dari/llm/prompts/<name>.md` with every `$placeholder` filled."""
    return fill(load(name), values)
