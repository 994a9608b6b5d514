"""Optional per-domain modules (models, lifecycle, cli, bench, jobs) found by name."""

import importlib
import importlib.util
from types import ModuleType

DOMAINS = (
    "audit",
    "auth",
    "documents",
    "search",
    "llm",
    "erp",
    "chat",
    "training",
    "certs",
    "demo",
    "web",
)


def module_exists(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:  # the parent package does not exist
        return False


def domain_modules(kind: str) -> list[ModuleType]:
    """Import `dari.<domain>.<kind>` for every domain that has one, in DOMAINS order."""
    modules = []
    for domain in DOMAINS:
        name = f"dari.{domain}.{kind}"
        if module_exists(name):
            modules.append(importlib.import_module(name))
    return modules
