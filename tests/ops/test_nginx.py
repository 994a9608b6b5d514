"""deploy/nginx/dari.conf: nginx accepts it, it sends each route to the role that serves it,
and — run for real in front of a real Dari — it speaks TLS 1.3 only and upgrades /ws/chat."""

from __future__ import annotations

import re
import socket
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from dari.app import create_app
from dari.config import Settings
from dari.config.server import ServerSettings
from dari.llm.embedded import free_port
from tests.ops.conftest import DariServer
from tests.ops.deploy import DEPLOY, tool, wait_port

CONF = DEPLOY / "nginx" / "dari.conf"
_LOCATION = re.compile(
    r"location\s+(=\s+)?(\S+)\s*\{\s*(?:[^{}]*?)(?:proxy_pass http://(\w+)|return (\d+))"
)


def locations() -> list[tuple[bool, str, str]]:
    """(exact, path, upstream or `return NNN`) for every location of the HTTPS server."""
    text = CONF.read_text(encoding="utf-8")
    return [
        (bool(m.group(1)), m.group(2), m.group(3) or f"return {m.group(4)}")
        for m in _LOCATION.finditer(text)
    ]


def route(path: str) -> str:
    """nginx's choice for prefix and exact locations: exact match, else the longest prefix."""
    table = locations()
    for exact, location, target in table:
        if exact and location == path:
            return target
    prefixes = [(loc, target) for exact, loc, target in table if not exact and path.startswith(loc)]
    return max(prefixes, key=lambda item: len(item[0]))[1]


def role_settings(settings: Settings, roles: list[str]) -> Settings:
    server = ServerSettings.model_validate({**settings.server.model_dump(), "roles": roles})
    return Settings(**{**dict(settings), "server": server})


@pytest.mark.parametrize("role", ["api", "chat", "auth"])
def test_every_route_goes_to_its_role(settings: Settings, role: str) -> None:
    paths = set(create_app(role_settings(settings, [role])).openapi()["paths"])
    if role == "chat":
        paths.add("/ws/chat")
    assert len(paths) > 2
    for path in sorted(paths - {"/healthz", "/readyz"}):
        concrete = re.sub(r"\{[^}]+\}", "x1", path)
        assert route(concrete) == f"dari_{role}", f"{path} is served by {role}"


def test_operations_endpoints_stay_inside() -> None:
    assert route("/metrics") == "return 404"
    assert route("/readyz") == "return 404"
    assert route("/") == "dari_api" and route("/static/app.js") == "dari_api"


def test_tls_13_only_and_mtls_documented() -> None:
    text = CONF.read_text(encoding="utf-8")
    assert re.search(r"^\s*ssl_protocols TLSv1\.3;", text, re.M)
    assert "TLSv1.2" not in text.replace("# ", "")
    assert "# ssl_verify_client on;" in text and "# proxy_ssl_certificate " in text


def test_locations_keep_the_forwarding_headers() -> None:
    """nginx drops the server's proxy_set_header in a location that sets any of its own."""
    text = CONF.read_text(encoding="utf-8")
    server = text[text.index("listen 443") :]
    header = re.compile(r"^\s*proxy_set_header ([\w-]+)", re.M)
    top = set(header.findall(re.sub(r"location[^{]*\{[^}]*\}", "", server)))
    assert {"Host", "X-Forwarded-For", "X-Forwarded-Proto", "X-Request-ID"} <= top
    for block in re.findall(r"location[^{]*\{([^}]*)\}", server):
        own = set(header.findall(block))
        if own:
            assert top - {"Connection"} <= own, f"location drops {top - own}: {block.strip()}"


def test_upload_limit_covers_the_setting() -> None:
    from dari.config.documents import DocumentSettings

    limit = int(re.search(r"client_max_body_size (\d+)m;", CONF.read_text()).group(1))  # type: ignore[union-attr]
    assert limit > DocumentSettings().max_upload_mb


# --- nginx for real ---------------------------------------------------------------------------


def _write_config(tmp: Path, https: int, http: int, upstream: int) -> Path:
    tls = tmp / "tls"
    tls.mkdir()
    openssl = tool("openssl")
    key, cert = str(tls / "dari.key"), str(tls / "dari.crt")
    command = "req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1"
    subject = ["-subj", "/CN=dari.test", "-keyout", key, "-out", cert]
    subprocess.run(
        [openssl, *command.split(), *subject], check=True, capture_output=True, timeout=60
    )
    (tmp / "logs").mkdir()
    text = CONF.read_text(encoding="utf-8")
    text = text.replace("/etc/nginx/tls/", f"{tls}/").replace("/var/log/nginx/", f"{tmp}/logs/")
    text = re.sub(r"\n\s*listen \[::\]:\d+[^;]*;", "", text)
    text = text.replace("listen 80;", f"listen 127.0.0.1:{http};")
    text = text.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https} ssl http2;")
    text = re.sub(r"server 127\.0\.0\.1:800[123];", f"server 127.0.0.1:{upstream};", text)
    (tmp / "dari.conf").write_text(text, encoding="utf-8")
    temp = "\n".join(f" {kind}_temp_path {tmp}/{kind};" for kind in ("client_body", "proxy"))
    conf = tmp / "nginx.conf"
    conf.write_text(
        f"pid {tmp}/nginx.pid;\nerror_log {tmp}/logs/error.log;\nevents {{}}\n"
        f"http {{\n{temp}\n include {tmp}/dari.conf;\n}}\n",
        encoding="utf-8",
    )
    return conf


def test_nginx_accepts_the_config(tmp_path: Path) -> None:
    nginx = tool("nginx")
    conf = _write_config(tmp_path, free_port("127.0.0.1"), free_port("127.0.0.1"), 8001)
    done = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(conf)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


@pytest.fixture
def proxy(tmp_path: Path, dari_server: DariServer) -> Iterator[tuple[int, int]]:
    nginx = tool("nginx")
    https, http = free_port("127.0.0.1"), free_port("127.0.0.1")
    conf = _write_config(tmp_path, https, http, dari_server.port)
    process = subprocess.Popen(
        [nginx, "-p", str(tmp_path), "-c", str(conf), "-g", "daemon off;"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        wait_port(https)
        yield https, http
    finally:
        process.terminate()
        process.wait(timeout=15)


def _client_context(**versions: ssl.TLSVersion) -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    for name, value in versions.items():
        setattr(context, name, value)
    return context


def test_proxy_speaks_tls_13_only(proxy: tuple[int, int]) -> None:
    https, _ = proxy
    old = _client_context(maximum_version=ssl.TLSVersion.TLSv1_2)
    with pytest.raises(ssl.SSLError), socket.create_connection(("127.0.0.1", https)) as raw:
        old.wrap_socket(raw, server_hostname="dari.test")
    modern = _client_context(minimum_version=ssl.TLSVersion.TLSv1_3)
    with (
        socket.create_connection(("127.0.0.1", https)) as raw,
        modern.wrap_socket(raw, server_hostname="dari.test") as tls,
    ):
        assert tls.version() == "TLSv1.3"


def test_proxy_forwards_to_dari_with_one_request_id(proxy: tuple[int, int]) -> None:
    https, http = proxy
    with httpx.Client(verify=_client_context(), base_url=f"https://127.0.0.1:{https}") as client:
        health = client.get("/healthz")
        assert health.status_code == 200 and health.json() == {"status": "ok"}
        assert re.fullmatch(r"[0-9a-f]{32}", health.headers["x-request-id"])  # nginx's $request_id
        assert health.headers["strict-transport-security"].startswith("max-age=")
        assert client.get("/metrics").status_code == 404
        token = client.post("/api/auth/token", data={"username": "x", "password": "wrong-password"})
        assert token.status_code == 401
        assert token.json()["request_id"] == token.headers["x-request-id"]
    plain = httpx.get(f"http://127.0.0.1:{http}/api/chat", follow_redirects=False)
    assert plain.status_code == 301 and plain.headers["location"].startswith("https://")


def test_proxy_upgrades_the_chat_websocket(proxy: tuple[int, int]) -> None:
    """WSS through nginx reaches /ws/chat: a bad first frame gets Dari's own refusal."""
    from websockets.exceptions import ConnectionClosed
    from websockets.sync.client import connect

    https, _ = proxy
    with connect(f"wss://127.0.0.1:{https}/ws/chat", ssl=_client_context(), open_timeout=10) as ws:
        ws.send('{"type": "auth", "token": "not-a-token"}')
        received = []
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                received.append(ws.recv(timeout=10))
    assert closed.value.rcvd is not None and closed.value.rcvd.code in (4401, 4403), closed.value
    assert any('"unauthorized"' in str(frame) for frame in received), received
