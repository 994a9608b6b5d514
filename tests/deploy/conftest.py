"""Container tests: podman, a compose tool and (for `containers`) time.

The `containers` tests build the images and run the `cpu` profile for real (several minutes,
most of a 24 GB machine's memory): they run when DARI_TEST_CONTAINERS=1 — `.ci/run` runs
them as their own step after `make test` — and are skipped otherwise, so `make test` and a
developer's `pytest` stay as fast as before.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CONTAINER_DIR = REPO / "deploy" / "container"
COMPOSE_FILE = CONTAINER_DIR / "compose.yaml"


def compose_command() -> list[str] | None:
    """podman-compose from the venv or the PATH; None when there is none."""
    venv = REPO / ".venv" / "bin" / "podman-compose"
    if venv.exists():
        return [str(venv)]
    found = shutil.which("podman-compose")
    return [found] if found else None


def require_tools() -> list[str]:
    """The compose command; skipped without podman, failed under CI (`.ci/run` installs it)."""
    compose = compose_command()
    if compose is None or shutil.which("podman") is None:
        reason = "podman and podman-compose are not installed (.ci/run installs them)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return compose


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("DARI_TEST_CONTAINERS") == "1":
        return
    skip = pytest.mark.skip(
        reason="builds and runs the containers (minutes): DARI_TEST_CONTAINERS=1, "
        "run by .ci/run as its own step"
    )
    for item in items:
        if "containers" in item.keywords:
            item.add_marker(skip)
