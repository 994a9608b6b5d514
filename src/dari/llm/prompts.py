"""Prompt templates, kept as files under `dari/llm/prompts/` (Korean system prompts).

Templates use `$name` placeholders (`string.Template`), so JSON braces need no escaping.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from string import Template


@lru_cache(maxsize=32)
def load(name: str) -> str:
    """The text of `prompts/<name>.md`."""
    return (resources.files("dari.llm") / "prompts" / f"{name}.md").read_text(encoding="utf-8")


def render(name: str, **values: str) -> str:
    """The template `name` with every `$placeholder` filled (a missing value is an error)."""
    return Template(load(name)).substitute(values).strip()
