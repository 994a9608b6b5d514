"""`dari users …` (in-process through Typer's runner) against a fresh SQLite data directory."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dari.cli.main import app


@pytest.fixture
def dari(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    for name in list(os.environ):
        if name.startswith("DARI_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("DARI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def invoke(*args: str, cwd: Path, stdin: str = ""):
        return runner.invoke(app, list(args), input=stdin)

    return invoke


def test_users_commands(tmp_path: Path, dari) -> None:
    created = dari(
        "users", "create", "--username", "boss", "--role", "admin", "--department", "본사",
        "--password-stdin", cwd=tmp_path, stdin="first-password-1\n",
    )  # fmt: skip
    assert created.exit_code == 0, created.stderr
    assert "created user boss" in created.stdout
    weak = dari("users", "create", "--username", "kim", "--password-stdin", cwd=tmp_path,
                stdin="short\n")  # fmt: skip
    assert weak.exit_code == 1 and "10" in weak.stderr and "Traceback" not in weak.stderr
    bad_role = dari("users", "create", "--username", "kim", "--role", "ghost",
                    "--password-stdin", cwd=tmp_path, stdin="long-password-1\n")  # fmt: skip
    assert bad_role.exit_code == 1 and "ghost" in bad_role.stderr
    listed = dari("users", "list", cwd=tmp_path)
    assert listed.stdout.strip().splitlines() == ["boss\tactive\tadmin\t본사"]
    changed = dari("users", "set-password", "boss", "--password-stdin", cwd=tmp_path,
                   stdin="second-password-2\n")  # fmt: skip
    assert changed.exit_code == 0, changed.stderr
    missing = dari("users", "set-password", "nobody", "--password-stdin", cwd=tmp_path,
                   stdin="second-password-2\n")  # fmt: skip
    assert missing.exit_code == 1 and "nobody" in missing.stderr

    state_path = tmp_path / "data" / "keys" / "state.json"
    rotated = dari("users", "rotate-keys", cwd=tmp_path)
    assert rotated.exit_code == 0, rotated.stderr
    state = json.loads(state_path.read_text())
    assert state["current"] in rotated.stdout and len(state["retired"]) == 1
    assert (
        oct((tmp_path / "data" / "keys" / f"{state['current']}.pem").stat().st_mode)[-3:] == "600"
    )
    deactivated = dari("users", "deactivate", "boss", cwd=tmp_path)
    assert deactivated.exit_code == 0
    assert "inactive" in dari("users", "list", cwd=tmp_path).stdout
