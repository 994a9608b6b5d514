"""The `dari` command: help, version, settings errors, unreachable services, serving."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

DARI = [sys.executable, "-m", "dari.cli"]


def run_dari(*args: str, env: dict[str, str] | None = None, cwd: Path, timeout: float = 60):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("DARI_")}
    full_env.update(env or {})
    return subprocess.run(
        [*DARI, *args], capture_output=True, text=True, env=full_env, cwd=cwd, timeout=timeout
    )


def test_help_lists_commands(tmp_path: Path) -> None:
    result = run_dari("--help", cwd=tmp_path)
    assert result.returncode == 0
    for command in ("serve", "db", "version", "config", "bench"):
        assert command in result.stdout


def test_version(tmp_path: Path) -> None:
    result = run_dari("version", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.startswith("dari ")


@pytest.mark.parametrize(
    ("name", "value"),
    [("DARI_PORT", "abc"), ("DARI_DATABASE_URL", "mysql+asyncmy://x:y@:bad:port/")],
)
def test_bad_setting_stops_serve_with_one_line(tmp_path: Path, name: str, value: str) -> None:
    result = run_dari("serve", env={name: value}, cwd=tmp_path)
    assert result.returncode == 2
    assert name in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_unreachable_database_exits_clearly(tmp_path: Path) -> None:
    env = {"DARI_DATABASE_URL": "mysql+asyncmy://dari:secretpw@127.0.0.1:1/dari"}
    result = run_dari("db", "upgrade", env=env, cwd=tmp_path)
    assert result.returncode == 1
    assert "cannot reach the database" in result.stderr
    assert "DARI_DATABASE_URL" in result.stderr
    assert "secretpw" not in result.stderr
    assert "Traceback" not in result.stderr


def test_unreachable_redis_stops_serve(tmp_path: Path) -> None:
    env = {"DARI_REDIS_URL": "redis://127.0.0.1:1/0", "DARI_DATA_DIR": str(tmp_path / "d")}
    result = run_dari("serve", env=env, cwd=tmp_path)
    assert result.returncode == 1
    assert "cannot reach Redis" in result.stderr and "Traceback" not in result.stderr


def test_db_upgrade_and_check(tmp_path: Path) -> None:
    env = {"DARI_DATA_DIR": str(tmp_path / "data")}
    assert run_dari("db", "upgrade", env=env, cwd=tmp_path).returncode == 0
    assert (tmp_path / "data" / "dari.db").exists()
    check = run_dari("db", "check", env=env, cwd=tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
def test_serve_answers_healthz(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DARI_")}
    env.update(DARI_PORT=str(port), DARI_DATA_DIR=str(tmp_path / "data"), DARI_LLM_EMBEDDED="off")
    process = subprocess.Popen(
        [*DARI, "serve"], env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    output = process.stdout.read().decode() if process.stdout else ""
                    raise AssertionError(f"dari serve did not come up:\n{output}") from None
                time.sleep(0.3)
        assert response.json() == {"status": "ok"}
    finally:
        process.terminate()
        process.wait(timeout=20)
