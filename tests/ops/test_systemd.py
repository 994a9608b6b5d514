"""deploy/systemd: each unit runs a `dari` command that exists, on the ports the rest expects."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import typer

from dari.cli.main import app as dari_app
from tests.ops.deploy import DEPLOY, ROLES, load_yaml, tool

UNITS = DEPLOY / "systemd"
HARDENING = {
    "NoNewPrivileges": "yes",
    "ProtectSystem": "strict",
    "ProtectHome": "yes",
    "PrivateTmp": "yes",
    "CapabilityBoundingSet": "",
}


def parse_unit(path: Path) -> dict[str, dict[str, list[str]]]:
    """A unit file as section → key → values (keys repeat; backslash continues a line)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] = {}
    text = re.sub(r"\\\n\s*", " ", path.read_text(encoding="utf-8"))
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), {})
            continue
        key, _, value = line.partition("=")
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def resolve(argv: list[str]) -> tuple[Any, dict[str, Any]]:
    """Parse a `dari …` command line with the real CLI (Typer's click); fails like `dari`."""
    command: Any = typer.main.get_command(dari_app)
    args = list(argv)
    while hasattr(command, "commands"):  # a group: the next word names a sub-command
        name = args.pop(0)
        sub = command.commands.get(name)
        assert sub is not None, f"`dari` has no command {name!r} ({' '.join(argv)})"
        command = sub
    context = command.make_context("dari", args)
    return command, dict(context.params)


def exec_argv(unit: str) -> list[str]:
    service = parse_unit(UNITS / unit)["Service"]
    (line,) = service["ExecStart"]
    argv = shlex.split(line)
    assert argv[0].endswith("/bin/dari") and argv[0].startswith("/"), argv[0]
    return argv[1:]


@pytest.mark.parametrize("role", ROLES)
def test_role_unit_serves_its_role(role: str) -> None:
    unit = parse_unit(UNITS / f"dari-{role}.service")
    service = unit["Service"]
    _, params = resolve(exec_argv(f"dari-{role}.service"))
    assert params["role"] == [role]
    assert params["host"] == "127.0.0.1"
    assert service["EnvironmentFile"] == ["/etc/dari/dari.env"]
    assert service["User"] == ["dari"]
    for key, value in HARDENING.items():
        assert service.get(key) == [value], f"dari-{role}: {key}={value}"
    assert "dari-migrate.service" in unit["Unit"]["Requires"][0]
    assert unit["Install"]["WantedBy"] == ["dari.target"]


def role_ports() -> dict[str, int]:
    ports = {}
    for role in ROLES:
        _, params = resolve(exec_argv(f"dari-{role}.service"))
        ports[role] = int(str(params["port"]))
    return ports


def test_ports_agree_with_prometheus_and_nginx() -> None:
    ports = role_ports()
    assert len(set(ports.values())) == len(ports), ports
    jobs = {j["job_name"]: j for j in load_yaml("prometheus", "prometheus.yml")["scrape_configs"]}
    for role, port in ports.items():
        targets = [t for s in jobs[f"dari-{role}"]["static_configs"] for t in s["targets"]]
        assert all(t.endswith(f":{port}") for t in targets), (role, targets)
        readyz = [t for s in jobs["dari-readyz"]["static_configs"] for t in s["targets"]]
        assert any(t.endswith(f":{port}/readyz") for t in readyz), role
    nginx = (DEPLOY / "nginx" / "dari.conf").read_text(encoding="utf-8")
    for role in ("api", "chat", "auth"):
        block = re.search(rf"upstream dari_{role} \{{(.*?)\}}", nginx, re.S)
        assert block and f"server 127.0.0.1:{ports[role]};" in block.group(1), role


def test_migrate_and_llm_units_run_real_commands() -> None:
    command, _ = resolve(exec_argv("dari-migrate.service"))
    assert command.name == "upgrade"
    assert parse_unit(UNITS / "dari-migrate.service")["Service"]["Type"] == ["oneshot"]
    command, params = resolve(exec_argv("dari-llm.service"))
    assert command.name == "serve" and params["port"] == 8081
    env = (DEPLOY / "env.production.example").read_text(encoding="utf-8")
    assert "#DARI_LLM_BASE_URL=http://127.0.0.1:8081/v1" in env


def test_resolve_refuses_unknown_commands_and_options() -> None:
    with pytest.raises(AssertionError):
        resolve(["serve-all"])
    with pytest.raises(Exception, match="No such option"):
        resolve(["serve", "--workers", "4"])
    with pytest.raises(Exception, match="valid integer"):
        resolve(["serve", "--port", "http"])


def test_target_wants_every_role() -> None:
    wants = " ".join(parse_unit(UNITS / "dari.target")["Unit"]["Wants"]).split()
    assert {f"dari-{role}.service" for role in ROLES} <= set(wants)


def test_systemd_analyze_verify(tmp_path: Path) -> None:
    """systemd itself reads the units: unknown keys or bad values are reported."""
    analyze = tool("systemd-analyze")
    system = Path("/lib/systemd/system")
    if not system.is_dir():
        pytest.skip("no systemd unit directory (/lib/systemd/system) to verify against")
    shutil.copytree(system, tmp_path / "usr/lib/systemd/system", symlinks=True)
    for binary in ("opt/dari/venv/bin/dari", "opt/vllm/venv/bin/vllm"):
        path = tmp_path / binary
        path.parent.mkdir(parents=True)
        path.write_text("#!/bin/sh\n")
        path.chmod(0o755)
    target = tmp_path / "etc/systemd/system"
    target.mkdir(parents=True)
    units = sorted(p for p in UNITS.iterdir() if p.suffix in (".service", ".target"))
    for unit in units:
        shutil.copy(unit, target / unit.name)
    done = subprocess.run(
        [
            analyze,
            "verify",
            f"--root={tmp_path}",
            "--man=no",
            *(str(target / u.name) for u in units),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr
