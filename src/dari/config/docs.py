"""Generate `docs/configuration.md` from the settings sections."""

from __future__ import annotations

import json
import sys
from typing import Any

from pydantic_core import PydanticUndefined

from dari.config import env_name, section_classes

HEADER = """# Configuration

Every setting is an environment variable with the prefix `DARI_` (a `.env` file in the working
directory is read too). This page is generated from the code by `dari config docs`; a test
fails when a setting is missing here. `DARI_ENV=production` refuses default secrets.

"""


def _default(field: Any) -> str:
    if field.default_factory is not None:
        value = field.default_factory()
    elif field.default is PydanticUndefined:
        return "(required)"
    else:
        value = field.default
    if isinstance(value, list | dict):
        return f"`{json.dumps(value)}`" if value else "(empty)"
    text = str(value)
    return f"`{text}`" if text else "(empty)"


def render() -> str:
    """The Markdown text of docs/configuration.md."""
    parts = [HEADER]
    for name, cls in section_classes().items():
        doc = cls.__doc__ or sys.modules[cls.__module__].__doc__ or ""
        parts.append(f"## {name}\n\n{doc.strip()}\n\n")
        parts.append("| Variable | Default | Description |\n| --- | --- | --- |\n")
        for field_name, field in cls.model_fields.items():
            description = (field.description or "").replace("|", "\\|").replace("\n", " ")
            parts.append(f"| `{env_name(cls, field_name)}` | {_default(field)} | {description} |\n")
        parts.append("\n")
    return "".join(parts).rstrip() + "\n"
