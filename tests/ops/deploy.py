"""Helpers of the deployment tests: the files under deploy/, PromQL selectors, local tools."""

from __future__ import annotations

import json
import re
import shutil
import socket
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import CI

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
ROLES = ("api", "chat", "auth", "worker")

_SELECTOR = re.compile(r"\b(dari_[a-zA-Z0-9_]+)\b(\{[^}]*\})?")
_MATCHER = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*,?')
# Labels Prometheus adds at scrape time or that belong to histogram series, not to Dari's code.
TARGET_LABELS = {"job", "instance", "le", "role"}


def load_yaml(*parts: str) -> Any:
    return yaml.safe_load(DEPLOY.joinpath(*parts).read_text(encoding="utf-8"))


def alert_rules() -> list[dict[str, Any]]:
    return [
        rule for group in load_yaml("prometheus", "alerts.yml")["groups"] for rule in group["rules"]
    ]


def dashboard() -> dict[str, Any]:
    return json.loads((DEPLOY / "grafana" / "dari-dashboard.json").read_text(encoding="utf-8"))


def dashboard_panels() -> list[dict[str, Any]]:
    return [panel for panel in dashboard()["panels"] if panel.get("type") != "row"]


def dashboard_exprs() -> list[str]:
    return [target["expr"] for panel in dashboard_panels() for target in panel["targets"]]


def rule_exprs() -> list[str]:
    return [str(rule["expr"]) for rule in alert_rules()]


Matcher = tuple[str, str, str]


def selectors(expr: str) -> list[tuple[str, list[Matcher]]]:
    """Every `dari_*` metric an expression reads, with its label matchers."""
    found = []
    for match in _SELECTOR.finditer(expr):
        body = (match.group(2) or "{}")[1:-1]
        matchers = [(m.group(1), m.group(2), m.group(3)) for m in _MATCHER.finditer(body)]
        found.append((match.group(1), matchers))
    return found


def matches(labels: dict[str, str], matchers: list[Matcher]) -> bool:
    """Prometheus semantics: regexes are anchored; a missing label is the empty string."""
    for name, op, value in matchers:
        actual = labels.get(name, "")
        if op == "=" and actual != value:
            return False
        if op == "!=" and actual == value:
            return False
        if op == "=~" and not re.fullmatch(value, actual):
            return False
        if op == "!~" and re.fullmatch(value, actual):
            return False
    return True


def family_of(series: str) -> str:
    """The metric family a series name belongs to (`x_total`, `x_bucket` … → `x`)."""
    for suffix in ("_total", "_bucket", "_count", "_sum", "_created"):
        if series.endswith(suffix):
            return series[: -len(suffix)]
    return series


def tool(name: str) -> str:
    """Path of a command-line tool; skipped with the reason where absent (failed under CI)."""
    path = shutil.which(name)
    if path is None:
        message = f"`{name}` is not installed (Debian package: {DEBIAN[name]})"
        if CI:
            pytest.fail(f"{message}; CI installs it in .ci/run")
        pytest.skip(message)
    return path


DEBIAN = {
    "promtool": "prometheus",
    "amtool": "prometheus-alertmanager",
    "nginx": "nginx",
    "systemd-analyze": "systemd",
    "openssl": "openssl",
    "prometheus-blackbox-exporter": "prometheus-blackbox-exporter",
}


def wait_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"nothing listens on {port}")
