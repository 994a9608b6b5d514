"""The one list of domains, which role serves each, and their optional modules (models,
lifecycle, cli, bench, jobs, endpoints) found by name."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Iterable
from types import ModuleType

from dari.config.server import SEARCH_ROLES, Role

# Every domain, in start-up order (`web` last: its catch-all routes never shadow an API route).
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


# Which role mounts each domain's endpoints (`dari.<domain>.endpoints.router`). A domain with
# endpoints must be listed (tests/core/test_modules.py checks it).
ENDPOINT_ROLES: dict[str, Role] = {
    "audit": "api",
    "auth": "auth",
    "documents": "api",
    "search": "api",
    "llm": "api",
    "erp": "api",
    "chat": "chat",
    "training": "api",
    "certs": "api",
    "web": "api",
}

# Which roles start a domain's services (its lifecycle runs in every process and asks `serves`);
# a domain not listed serves every role. The LLM: only the roles that answer questions need a
# model (an auth or worker process split off with --role starts no embedded server).
SERVICE_ROLES: dict[str, frozenset[Role]] = {
    "llm": frozenset({"api", "chat"}),
    "search": SEARCH_ROLES,
}


def serves(roles: Iterable[str], domain: str) -> bool:
    """Whether a process running `roles` starts `domain`'s services."""
    wanted = SERVICE_ROLES.get(domain)
    return wanted is None or bool(wanted & set(roles))


def endpoint_domains(roles: Iterable[str]) -> list[str]:
    """The domains whose endpoints a process running `roles` mounts, in DOMAINS order."""
    chosen = set(roles)
    return [d for d in DOMAINS if d in ENDPOINT_ROLES and ENDPOINT_ROLES[d] in chosen]


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
