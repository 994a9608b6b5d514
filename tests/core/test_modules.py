"""One list of domains: start-up order, which role mounts which endpoints, which roles start
which services; one start-up path for the app and the CLI."""

from __future__ import annotations

from types import ModuleType

import pytest

from dari.config import Settings
from dari.config.server import SEARCH_ROLES
from dari.core import modules, startup
from dari.core.modules import DOMAINS, ENDPOINT_ROLES, endpoint_domains, module_exists, serves
from dari.core.runtime import Runtime


def test_every_domain_with_endpoints_has_a_role() -> None:
    with_endpoints = {d for d in DOMAINS if module_exists(f"dari.{d}.endpoints")}
    assert with_endpoints <= set(ENDPOINT_ROLES), "add the domain to ENDPOINT_ROLES"
    assert set(ENDPOINT_ROLES) <= set(DOMAINS)
    assert {"training", "certs"} <= set(DOMAINS)


def test_endpoints_by_role() -> None:
    assert endpoint_domains(["auth"]) == ["auth"]
    assert endpoint_domains(["chat"]) == ["chat"]
    api = endpoint_domains(["api"])
    assert api[-1] == "web"  # its catch-all routes never shadow an API route
    assert "chat" not in api and "auth" not in api
    assert endpoint_domains(["worker"]) == []


def test_services_by_role() -> None:
    assert serves(["api"], "llm") and serves(["chat"], "llm")
    assert not serves(["auth"], "llm") and not serves(["worker"], "llm")
    assert all(serves([role], "search") for role in SEARCH_ROLES)
    assert serves(["auth"], "auth") and serves(["worker"], "documents")


def _fake(name: str, log: list[str], *, fail: bool = False) -> ModuleType:
    module = ModuleType(name)

    async def up(_runtime: Runtime) -> None:
        if fail:
            raise RuntimeError("start-up failed")
        log.append(f"start {name}")

    async def down(_runtime: Runtime) -> None:
        log.append(f"stop {name}")

    module.startup = up  # type: ignore[attr-defined]
    module.shutdown = down  # type: ignore[attr-defined]
    return module


async def test_started_domains_stops_in_reverse_only_what_started(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    log: list[str] = []
    fakes = [_fake("a", log), _fake("b", log)]
    monkeypatch.setattr(startup, "domain_modules", lambda kind: fakes)
    async with startup.started_domains(runtime):
        assert log == ["start a", "start b"]
    assert log == ["start a", "start b", "stop b", "stop a"]

    log.clear()
    fakes = [_fake("a", log), _fake("b", log, fail=True), _fake("c", log)]
    with pytest.raises(RuntimeError):
        async with startup.started_domains(runtime):
            pass
    assert log == ["start a", "stop a"]


def test_lifecycles_are_found_in_domain_order(settings: Settings) -> None:
    found = [m.__name__ for m in modules.domain_modules("lifecycle")]
    order = [f"dari.{d}.lifecycle" for d in DOMAINS]
    assert found == [name for name in order if name in found]
    assert "dari.llm.lifecycle" in found and "dari.auth.lifecycle" in found
