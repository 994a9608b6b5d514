"""deploy/container/redis-entrypoint.sh hands the password to Redis in a private file.

The script runs for real; `redis-server` is a stand-in on PATH that records what it was
given (the real server would need the container's certificates and /data).
"""

from __future__ import annotations

import os
import stat
import subprocess
import time
from pathlib import Path

import pytest
import redis

from dari.llm.embedded import free_port
from tests.deploy.conftest import CONTAINER_DIR

ENTRYPOINT = CONTAINER_DIR / "redis-entrypoint.sh"
RECORDER = """#!/bin/sh
printf '%s\\n' "$@" > "$RECORD_DIR/args"
cp "$1" "$RECORD_DIR/conf"
stat -c %a "$1" > "$RECORD_DIR/mode"
env > "$RECORD_DIR/env"
"""


def _run(tmp_path: Path, password: str) -> subprocess.CompletedProcess[str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    fake = bin_dir / "redis-server"
    fake.write_text(RECORDER)
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    env = {
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "TMPDIR": str(tmp_path),
        "RECORD_DIR": str(tmp_path),
        "REDIS_PASSWORD": password,
    }
    return subprocess.run(
        ["sh", str(ENTRYPOINT), "--loglevel", "notice"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )


@pytest.mark.parametrize("password", ["s3cret-Token_x", 'with "quotes" and \\ back\\slash'])
def test_password_goes_in_a_private_file_not_the_command_line(tmp_path: Path, password: str):
    result = _run(tmp_path, password)
    assert result.returncode == 0, result.stderr
    args = (tmp_path / "args").read_text().splitlines()
    assert all(password not in arg for arg in args)
    assert "--requirepass" not in args
    assert args[-2:] == ["--loglevel", "notice"]  # extra arguments still reach Redis
    assert "--tls-protocols" in args and args[args.index("--tls-protocols") + 1] == "TLSv1.3"
    assert (tmp_path / "mode").read_text().strip() == "600"
    escaped = password.replace("\\", "\\\\").replace('"', '\\"')
    assert (tmp_path / "conf").read_text() == f'requirepass "{escaped}"\n'
    assert "REDIS_PASSWORD" not in (tmp_path / "env").read_text()


def test_real_redis_reads_the_same_password(tmp_path: Path):
    """The escaping is Redis's own: a real redis-server loads the file and wants that password."""
    password = 'a "quoted" \\ pass'
    assert _run(tmp_path, password).returncode == 0
    port = free_port("127.0.0.1")
    server = subprocess.Popen(
        [
            "redis-server",
            str(tmp_path / "conf"),
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        client = redis.Redis(port=port, password=password, socket_connect_timeout=1)
        for _ in range(100):
            try:
                assert client.ping() is True
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        else:
            pytest.fail("redis-server did not start")
        with pytest.raises(redis.AuthenticationError):
            redis.Redis(port=port, password="wrong").ping()
        client.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
