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


def _user_row(tmp_path: Path, username: str) -> tuple[dict[str, str], int]:
    import sqlite3

    with sqlite3.connect(tmp_path / "data" / "dari.db") as db:
        attributes, version = db.execute(
            "SELECT attributes, token_version FROM auth_users WHERE username = ?", (username,)
        ).fetchone()
    return json.loads(attributes), version


def test_set_attr_sets_and_removes_erp_attributes(tmp_path: Path, dari) -> None:
    created = dari("users", "create", "--username", "kim", "--password-stdin", cwd=tmp_path,
                   stdin="first-password-1\n")  # fmt: skip
    assert created.exit_code == 0, created.stderr
    _attrs, version = _user_row(tmp_path, "kim")
    done = dari("users", "set-attr", "kim", "erp_employee_code=E1001", "department_code=D110",
                cwd=tmp_path)  # fmt: skip
    assert done.exit_code == 0, done.stderr
    assert "department_code=D110 erp_employee_code=E1001" in done.stdout
    attrs, changed_version = _user_row(tmp_path, "kim")
    assert attrs == {"erp_employee_code": "E1001", "department_code": "D110"}
    assert changed_version == version + 1  # old access tokens stop working
    removed = dari("users", "set-attr", "kim", "department_code=", cwd=tmp_path)
    assert removed.exit_code == 0 and _user_row(tmp_path, "kim")[0] == {
        "erp_employee_code": "E1001"
    }
    bad = dari("users", "set-attr", "kim", "erp_employee_code", cwd=tmp_path)
    assert bad.exit_code == 2 and "key=value" in bad.stderr
    unsafe = dari("users", "set-attr", "kim", "department_code=D1' OR 1=1", cwd=tmp_path)
    assert unsafe.exit_code == 2 and "row scope" in unsafe.stderr
    ghost = dari("users", "set-attr", "ghost", "a=b", cwd=tmp_path)
    assert ghost.exit_code == 1 and "ghost" in ghost.stderr and "Traceback" not in ghost.output
    assert ghost.exception is None or isinstance(ghost.exception, SystemExit)


def test_roles_create_grant_revoke_list(tmp_path: Path, dari) -> None:
    created = dari("users", "create", "--username", "kim", "--password-stdin", cwd=tmp_path,
                   stdin="first-password-1\n")  # fmt: skip
    assert created.exit_code == 0, created.stderr
    made = dari("roles", "create", "sales", "erp:sales_by_period", "--description", "영업",
                cwd=tmp_path)  # fmt: skip
    assert made.exit_code == 0, made.stderr
    assert "created role sales: erp:sales_by_period" in made.stdout
    again = dari("roles", "create", "sales", cwd=tmp_path)
    assert again.exit_code == 1 and "Traceback" not in again.output
    granted = dari("roles", "grant", "sales", "erp:sales_by_customer", "--user", "kim",
                   cwd=tmp_path)  # fmt: skip
    assert granted.exit_code == 0, granted.stderr
    assert granted.stdout.splitlines() == [
        "role sales: erp:sales_by_customer, erp:sales_by_period",
        "user kim: employee, sales",
    ]
    listed = dari("roles", "list", cwd=tmp_path).stdout.splitlines()
    assert "sales\tcustom\terp:sales_by_customer,erp:sales_by_period\t1 users" in listed
    assert any(line.startswith("employee\tbuiltin\t") for line in listed)
    assert "kim\tactive\temployee,sales\t-" in dari("users", "list", cwd=tmp_path).stdout

    revoked = dari("roles", "revoke", "sales", "erp:sales_by_period", "--user", "kim",
                   cwd=tmp_path)  # fmt: skip
    assert revoked.exit_code == 0, revoked.stderr
    assert "role sales: erp:sales_by_customer" in revoked.stdout
    assert "kim\tactive\temployee\t-" in dari("users", "list", cwd=tmp_path).stdout
    builtin = dari("roles", "grant", "employee", "erp:*", cwd=tmp_path)
    assert builtin.exit_code == 1 and "Traceback" not in builtin.output
    bad = dari("roles", "grant", "sales", "not a permission", cwd=tmp_path)
    assert bad.exit_code == 1 and "not a permission" in bad.stderr
    ghost_role = dari("roles", "grant", "ghost", "--user", "kim", cwd=tmp_path)
    assert ghost_role.exit_code == 1 and "ghost" in ghost_role.stderr
    ghost_user = dari("roles", "grant", "sales", "--user", "ghost", cwd=tmp_path)
    assert ghost_user.exit_code == 1 and "ghost" in ghost_user.stderr
    nothing = dari("roles", "grant", "sales", cwd=tmp_path)
    assert nothing.exit_code == 2
    last = dari("roles", "revoke", "employee", "--user", "kim", cwd=tmp_path)
    assert last.exit_code == 1 and "only role" in last.stderr


def test_erp_call_before_any_user_is_one_line(tmp_path: Path, dari) -> None:
    """No database yet (found: a 167-line `no such table: auth_users` traceback)."""
    result = dari("erp", "call", "my_leave_balance", "--as", "kim", cwd=tmp_path)
    assert result.exit_code == 1
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert "dari db upgrade" in result.stderr and "dari users create" in result.stderr
    assert isinstance(result.exception, SystemExit)
    listed = dari("erp", "tools", "--as", "kim", cwd=tmp_path)
    assert listed.exit_code == 1 and "no users yet" in listed.stderr
    created = dari("users", "create", "--username", "boss", "--password-stdin", cwd=tmp_path,
                   stdin="first-password-1\n")  # fmt: skip
    assert created.exit_code == 0
    ghost = dari("erp", "call", "my_leave_balance", "--as", "kim", cwd=tmp_path)
    assert ghost.exit_code == 1 and ghost.stderr.strip() == (
        "error: no user 'kim'; create one with `dari users create --username kim` "
        "or the admin console"
    )
    assert dari("users", "deactivate", "boss", cwd=tmp_path).exit_code == 0
    off = dari("erp", "tools", "--as", "boss", cwd=tmp_path)
    assert off.exit_code == 1 and "deactivated" in off.stderr
