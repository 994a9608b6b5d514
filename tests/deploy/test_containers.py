"""The `cpu` profile of deploy/container/compose.yaml, built and run for real with podman.

One module-scoped stack: build the images (cached), issue certificates with `dari certs`,
start MariaDB and Redis, migrate, start the roles and the proxy, create a user. Then: sign in
and ask over HTTPS/WSS through the proxy; memory limits from `podman inspect`; a client
without a certificate refused by a role and by `/metrics`; TLS 1.2 refused by the proxy;
MariaDB and Redis restarted with Dari recovering and nothing lost. Everything is torn down
(volumes included) at the end. Each step's duration goes to test-artifacts/containers.json.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.deploy.conftest import COMPOSE_FILE, CONTAINER_DIR, REPO, require_tools

pytestmark = [pytest.mark.containers, pytest.mark.slow, pytest.mark.timeout(3600)]

PROJECT = "dari-ci"
NET = "10.89.78"  # not the default: a stack run by hand keeps its network
MEMORY = {  # compose.yaml, cpu profile
    "cpu-mariadb": "1g",
    "cpu-redis": "512m",
    "cpu-app": "4g",
    "cpu-auth": "1g",
    "cpu-proxy": "256m",
}
READY_TIMEOUT_S = 600
QUESTION = "안녕하세요. 다리는 어떤 일을 도와줄 수 있나요?"
TIMINGS = REPO / "test-artifacts" / "containers.json"


def _bytes(value: str) -> int:
    return int(value[:-1]) * {"m": 1024**2, "g": 1024**3}[value[-1]]


@dataclass
class Stack:
    compose: list[str]
    env: dict[str, str]
    certs: Path
    port: int
    username: str
    password: str
    timings: dict[str, float] = field(default_factory=dict)

    def run(self, *args: str, check: bool = True, timeout: float = 900, **kw: Any) -> str:
        kw.setdefault("env", self.env)
        result = subprocess.run(list(args), capture_output=True, text=True, timeout=timeout, **kw)
        if check and result.returncode != 0:
            raise AssertionError(
                f"{' '.join(args[:6])} … exited {result.returncode}:\n"
                f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
            )
        return result.stdout

    def compose_run(self, *args: str, timeout: float = 900) -> str:
        return self.run(
            *self.compose,
            "-p",
            PROJECT,
            "-f",
            str(COMPOSE_FILE),
            "--profile",
            "cpu",
            *args,
            timeout=timeout,
        )

    def container(self, service: str) -> str:
        names = self.run(
            "podman",
            "ps",
            "-a",
            "--format",
            "{{.Names}}",
            "--filter",
            f"label=com.docker.compose.project={PROJECT}",
            "--filter",
            f"label=com.docker.compose.service={service}",
        ).split()
        assert names, f"no container for {service}"
        return names[0]

    def exec(self, service: str, *args: str, input: str | None = None, check: bool = True) -> str:
        return self.run(
            "podman", "exec", "-i", self.container(service), *args, input=input, check=check
        )

    def time(self, name: str, started: float) -> None:
        self.timings[name] = round(time.monotonic() - started, 1)

    @property
    def base(self) -> str:
        return f"https://localhost:{self.port}"

    def tls(self, **versions: ssl.TLSVersion) -> ssl.SSLContext:
        """A browser-like client: trusts the internal CA (the proxy's certificate), no client
        certificate."""
        context = ssl.create_default_context(cafile=str(self.certs / "ca.pem"))
        for name, version in versions.items():
            setattr(context, name, version)
        return context


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(what: str, check: Any, timeout: float = READY_TIMEOUT_S, every: float = 3) -> None:
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception as exc:
            last = exc
        time.sleep(every)
    raise AssertionError(f"{what} not within {timeout:.0f} s (last: {last!r})")


# Run inside a Dari container: connect to a role with and without the container's own client
# certificate; print one JSON line.
PROBE = r"""
import http.client, json, ssl, sys
host, path = sys.argv[1], sys.argv[2]
out = {}
def get(cert):
    ctx = ssl.create_default_context(cafile="/etc/dari/tls/ca.pem")
    if cert:
        ctx.load_cert_chain("/etc/dari/tls/cert.pem", "/etc/dari/tls/key.pem")
    conn = http.client.HTTPSConnection(host, 8443, timeout=10, context=ctx)
    try:
        conn.request("GET", path)
        r = conn.getresponse()
        return {"status": r.status, "body": r.read(2000).decode("utf-8", "replace"),
                "version": conn.sock.version()}
    except Exception as exc:
        return {"error": type(exc).__name__ + ": " + str(exc)}
out["with_cert"] = get(True)
out["without_cert"] = get(False)
print(json.dumps(out))
"""


def _healthy(stack: Stack, service: str) -> bool:
    result = subprocess.run(
        ["podman", "healthcheck", "run", stack.container(service)],
        capture_output=True,
        timeout=60,
    )
    return result.returncode == 0


def _probe(stack: Stack, host: str, path: str) -> dict[str, Any]:
    out = stack.exec("cpu-app", "python3", "-c", PROBE, host, path)
    return json.loads(out.strip().splitlines()[-1])


def _ready(stack: Stack, host: str) -> bool:
    result = _probe(stack, host, "/readyz")["with_cert"]
    return result.get("status") == 200


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    compose = require_tools()
    certs = tmp_path_factory.mktemp("certs")
    password = "Ci-" + secrets.token_urlsafe(18)
    env = {
        **os.environ,
        "DARI_SECRET_KEY": secrets.token_urlsafe(48),
        "DARI_DB_PASSWORD": secrets.token_urlsafe(24),
        "MARIADB_ROOT_PASSWORD": secrets.token_urlsafe(24),
        "DARI_REDIS_PASSWORD": secrets.token_urlsafe(24),
        "DARI_CERTS_DIR": str(certs),
        "DARI_HTTPS_PORT": str(_free_port()),
        "DARI_NET": NET,
        "DARI_PUBLIC_URL": "https://localhost",
    }
    s = Stack(compose, env, certs, int(env["DARI_HTTPS_PORT"]), "ci-admin", password)
    # Leftovers of an interrupted run.
    s.run(
        *compose,
        "-p",
        PROJECT,
        "-f",
        str(COMPOSE_FILE),
        "--profile",
        "cpu",
        "down",
        "-v",
        check=False,
        timeout=300,
    )
    started = time.monotonic()
    s.run(str(CONTAINER_DIR / "build.sh"), timeout=3000)
    s.time("build_images", started)

    started = time.monotonic()
    s.run(
        str(CONTAINER_DIR / "certs.sh"),
        str(certs),
        env={**env, "DARI": str(REPO / ".venv" / "bin" / "dari")},
    )
    s.time("certs", started)
    try:
        started = time.monotonic()
        s.compose_run("up", "-d", "cpu-mariadb", "cpu-redis")
        # The images' own health checks (podman runs them on a timer only under systemd).
        for service in ("cpu-mariadb", "cpu-redis"):
            _wait(service, lambda service=service: _healthy(s, service), 120)
        s.compose_run("run", "--rm", "cpu-migrate")
        s.time("mariadb_redis_migrate", started)
        started = time.monotonic()
        s.compose_run("up", "-d")
        s.exec(
            "cpu-auth",
            "dari",
            "users",
            "create",
            "--username",
            s.username,
            "--role",
            "admin",
            "--display-name",
            "CI",
            "--password-stdin",
            input=password + "\n",
        )
        for host in ("api-server", "chat-server", "auth-server", "worker"):
            _wait(f"{host} ready", lambda host=host: _ready(s, host))
        _wait("proxy", lambda: httpx.get(f"{s.base}/healthz", verify=s.tls()).status_code == 200)
        s.time("compose_up_until_ready", started)
        yield s
    except BaseException:
        for service in MEMORY:
            try:
                print(f"--- logs {service}")
                print(s.run("podman", "logs", "--tail", "40", s.container(service), check=False))
            except AssertionError:
                pass
        raise
    finally:
        started = time.monotonic()
        s.compose_run("down", "-v", timeout=300)
        s.time("compose_down", started)
        TIMINGS.parent.mkdir(exist_ok=True)
        TIMINGS.write_text(json.dumps(s.timings, indent=2) + "\n")
        print(f"container timings (s): {s.timings}")


def _sign_in(stack: Stack) -> str:
    response = httpx.post(
        f"{stack.base}/api/auth/token",
        data={"username": stack.username, "password": stack.password},
        verify=stack.tls(),
        timeout=60,
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def _ask_over_wss(stack: Stack, token: str, text: str) -> dict[str, Any]:
    from websockets.sync.client import connect

    events: list[dict[str, Any]] = []
    with connect(
        f"wss://localhost:{stack.port}/ws/chat",
        ssl=stack.tls(),
        subprotocols=["dari.v1", f"bearer.{token}"],  # type: ignore[list-item]
        open_timeout=30,
    ) as ws:
        assert ws.subprotocol == "dari.v1"
        ws.send(json.dumps({"type": "message", "conversation_id": None, "text": text}))
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            event = json.loads(ws.recv(timeout=600))
            events.append(event)
            if event["type"] in ("done", "error"):
                break
    kinds = [e["type"] for e in events]
    assert "error" not in kinds, events[-3:]
    assert kinds[0] in ("ready", "started") and kinds[-1] == "done", kinds
    answer = "".join(e.get("delta", "") for e in events if e["type"] == "token")
    print(f"answer over WSS: events {kinds}; {len(answer)} characters: {answer[:200]!r}")
    return {"kinds": kinds, "answer": answer, "done": events[-1]}


def test_sign_in_and_ask_through_the_proxy(stack: Stack) -> None:
    started = time.monotonic()
    token = _sign_in(stack)
    me = httpx.get(
        f"{stack.base}/api/me", headers={"Authorization": f"Bearer {token}"}, verify=stack.tls()
    )
    assert me.status_code == 200 and me.json()["username"] == stack.username
    result = _ask_over_wss(stack, token, QUESTION)
    stack.time("first_answer_over_wss", started)
    assert result["answer"].strip(), result
    assert result["done"]["conversation_id"], result
    listed = httpx.get(
        f"{stack.base}/api/conversations",
        headers={"Authorization": f"Bearer {token}"},
        verify=stack.tls(),
    )
    assert listed.status_code == 200 and listed.json()["items"], listed.text


def test_memory_limits(stack: Stack) -> None:
    for service, limit in MEMORY.items():
        inspected = json.loads(stack.run("podman", "inspect", stack.container(service)))[0]
        assert inspected["HostConfig"]["Memory"] == _bytes(limit), service


def test_health_checks(stack: Stack) -> None:
    """Every image's own HEALTHCHECK passes (a Dari role's presents the role's certificate)."""
    for service in MEMORY:
        assert _healthy(stack, service), service


def test_only_the_proxy_publishes_a_port(stack: Stack) -> None:
    for service in MEMORY:
        inspected = json.loads(stack.run("podman", "inspect", stack.container(service)))[0]
        bound = {
            port: bindings
            for port, bindings in (inspected["HostConfig"].get("PortBindings") or {}).items()
            if bindings
        }
        if service == "cpu-proxy":
            assert list(bound) == ["8443/tcp"]
            assert bound["8443/tcp"][0]["HostPort"] == str(stack.port)
        else:
            assert not bound, f"{service} publishes {bound}"


def test_tls12_refused_by_the_proxy(stack: Stack) -> None:
    with pytest.raises((ssl.SSLError, httpx.ConnectError)):
        httpx.get(f"{stack.base}/healthz", verify=stack.tls(maximum_version=ssl.TLSVersion.TLSv1_2))
    raw = socket.create_connection(("127.0.0.1", stack.port), timeout=10)
    with stack.tls().wrap_socket(raw, server_hostname="localhost") as tls:
        assert tls.version() == "TLSv1.3"


def test_roles_refuse_a_client_without_a_certificate(stack: Stack) -> None:
    result = _probe(stack, "auth-server", "/healthz")
    assert result["with_cert"]["status"] == 200
    assert result["with_cert"]["version"] == "TLSv1.3"
    assert "error" in result["without_cert"], result


def test_metrics_need_a_client_certificate(stack: Stack) -> None:
    result = _probe(stack, "api-server", "/metrics")
    assert result["with_cert"]["status"] == 200
    assert "# TYPE" in result["with_cert"]["body"] and "dari_" in result["with_cert"]["body"]
    assert "error" in result["without_cert"], result
    # And the proxy does not pass /metrics through at all.
    outside = httpx.get(f"{stack.base}/metrics", verify=stack.tls())
    assert outside.status_code == 404


# Real MariaDB and Redis (in their containers): counted by CI's real-backend check.
@pytest.mark.mariadb
@pytest.mark.redis
def test_mariadb_and_redis_take_tls_only(stack: Stack) -> None:
    plain = stack.exec(
        "cpu-mariadb",
        "sh",
        "-c",
        'mariadb --skip-ssl -h 127.0.0.1 -u dari -p"$MARIADB_PASSWORD" -e "SELECT 1" 2>&1',
        check=False,
    )
    assert "SELECT 1" not in plain.splitlines()[:1] and (
        "secure transport" in plain.lower() or "error" in plain.lower()
    ), plain
    tls = stack.exec(
        "cpu-mariadb",
        "sh",
        "-c",
        'mariadb --ssl --ssl-ca=/etc/dari/tls/ca.pem -h mariadb -u dari -p"$MARIADB_PASSWORD"'
        " -N -e \"SHOW SESSION STATUS LIKE 'Ssl_version'\"",
    )
    assert "TLSv1.3" in tls
    plain_redis = stack.exec(
        "cpu-redis",
        "sh",
        "-c",
        'REDISCLI_AUTH="$REDIS_PASSWORD" redis-cli -h 127.0.0.1 ping 2>&1',
        check=False,
    )
    assert "PONG" not in plain_redis
    # The password is in a config file only Redis can read, not on its command line.
    command_line = stack.exec("cpu-redis", "sh", "-c", "tr '\\0' ' ' < /proc/1/cmdline")
    assert command_line.startswith("redis-server")
    assert stack.env["DARI_REDIS_PASSWORD"] not in command_line


def _redis(stack: Stack, *command: str) -> str:
    return stack.exec(
        "cpu-redis",
        "sh",
        "-c",
        'REDISCLI_AUTH="$REDIS_PASSWORD" redis-cli --tls --cacert /etc/dari/tls/ca.pem '
        "--cert /etc/dari/tls/cert.pem --key /etc/dari/tls/key.pem " + " ".join(command),
    ).strip()


# Real MariaDB and Redis (in their containers): counted by CI's real-backend check.
@pytest.mark.mariadb
@pytest.mark.redis
def test_restarts_of_mariadb_and_redis_lose_nothing(stack: Stack) -> None:
    token = _sign_in(stack)
    headers = {"Authorization": f"Bearer {token}"}
    before = httpx.get(f"{stack.base}/api/conversations", headers=headers, verify=stack.tls())
    assert before.status_code == 200
    conversations = before.json()["items"]
    assert conversations, "the first test left a conversation"
    marker = secrets.token_hex(8)
    assert _redis(stack, "SET", "dari-ci:marker", marker) == "OK"

    started = time.monotonic()
    stack.run("podman", "restart", "-t", "20", stack.container("cpu-mariadb"))
    stack.run("podman", "restart", "-t", "20", stack.container("cpu-redis"))
    for host in ("api-server", "chat-server", "auth-server"):
        _wait(f"{host} ready after the restarts", lambda host=host: _ready(stack, host), 300)
    stack.time("recovery_after_restarts", started)

    assert _redis(stack, "GET", "dari-ci:marker") == marker
    # The access token issued before the restarts still works; sign-in works again.
    after = httpx.get(f"{stack.base}/api/conversations", headers=headers, verify=stack.tls())
    assert after.status_code == 200, after.text
    assert [c["id"] for c in after.json()["items"]] == [c["id"] for c in conversations]
    token = _sign_in(stack)
    started = time.monotonic()
    result = _ask_over_wss(stack, token, "고맙습니다. 다시 한 번 답해 주세요.")
    stack.time("answer_after_restarts", started)
    assert result["kinds"][-1] == "done" and result["answer"].strip(), result


def test_down_and_up_keep_everything(stack: Stack) -> None:
    """`down` (without -v) removes the containers, not the volumes: after `up` the user, the
    conversations, the signing keys (an old access token still works) and Redis's data are
    there."""
    token = _sign_in(stack)
    headers = {"Authorization": f"Bearer {token}"}
    before = httpx.get(f"{stack.base}/api/conversations", headers=headers, verify=stack.tls())
    assert before.status_code == 200 and before.json()["items"]
    marker = secrets.token_hex(8)
    assert _redis(stack, "SET", "dari-ci:down-up", marker) == "OK"

    started = time.monotonic()
    stack.compose_run("down", timeout=300)
    assert not stack.run(
        "podman", "ps", "-a", "-q", "--filter", f"label=com.docker.compose.project={PROJECT}"
    ).strip()
    stack.compose_run("up", "-d")
    for host in ("api-server", "chat-server", "auth-server", "worker"):
        _wait(f"{host} ready after down/up", lambda host=host: _ready(stack, host), 300)
    _wait(
        "proxy", lambda: httpx.get(f"{stack.base}/healthz", verify=stack.tls()).status_code == 200
    )
    stack.time("down_up_until_ready", started)

    after = httpx.get(f"{stack.base}/api/conversations", headers=headers, verify=stack.tls())
    assert after.status_code == 200, after.text
    assert [c["id"] for c in after.json()["items"]] == [c["id"] for c in before.json()["items"]]
    assert _redis(stack, "GET", "dari-ci:down-up") == marker
    _sign_in(stack)
