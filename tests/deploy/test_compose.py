"""compose.yaml against the design document (시스템 구성도 §2.1, §4.1): the `gpu` profile has
the seed's containers, memory budgets and GPU devices; the `cpu` profile fits a 2-core,
24 GB machine; only the proxy publishes a port; every Dari role serves mutual TLS."""

from __future__ import annotations

import ipaddress
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.conftest import COMPOSE_FILE, CONTAINER_DIR, REPO, require_tools

SEED = Path(__file__).resolve().parents[3] / "shared" / "seed" / "system-architecture.ko.md"

# §2.1 of the design document: container → (memory, GPU devices).
SEED_LAYOUT: dict[str, tuple[str, list[str]]] = {
    "llm-server": ("64g", ["0", "1"]),
    "vector-db": ("32g", ["2"]),
    "training-server": ("32g", ["2"]),
    "api-server": ("16g", ["3"]),
    "chat-server": ("8g", []),
    "auth-server": ("4g", []),
    "mariadb": ("64g", []),
    "elasticsearch": ("32g", []),
    "redis": ("16g", []),
    "prometheus": ("8g", []),
    "grafana": ("4g", []),
    "alertmanager": ("2g", []),
}
DARI_ROLES_CPU = ("cpu-app", "cpu-auth")
CPU_BUDGET_BYTES = 24 * 1024**3


def _bytes(value: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([kmg]?)", value.lower()).groups()  # type: ignore[union-attr]
    return int(number) * {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[unit]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text())


def _profile(compose: dict[str, Any], name: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in compose["services"].items() if name in v.get("profiles", [])}


def test_seed_table_is_the_design_documents() -> None:
    """SEED_LAYOUT is copied from §2.1; when the seed is here, check it still says so."""
    if not SEED.is_file():
        pytest.skip(f"{SEED} is not here")
    text = SEED.read_text()
    section = text.split("### 2.1", 1)[1].split("## 3.", 1)[0]
    for name, (memory, devices) in SEED_LAYOUT.items():
        block = section.split(f"{name}:", 1)[1].split(":\n", 1)[0]
        assert f"memory: {memory.upper()}B" in block.replace(" \n", "\n"), name
        if devices:
            assert f'gpu: "device={",".join(devices)}"' in section.split(f"{name}:", 1)[1][:120]


def test_gpu_profile_matches_the_seed(compose: dict[str, Any]) -> None:
    gpu = _profile(compose, "gpu")
    for name, (memory, devices) in SEED_LAYOUT.items():
        assert name in gpu, f"{name} missing from the gpu profile"
        service = gpu[name]
        assert service["mem_limit"] == memory, name
        limits = service.get("deploy", {}).get("resources", {}).get("limits", {})
        if "memory" in limits:
            assert limits["memory"] == memory, name
        reservations = service.get("deploy", {}).get("resources", {}).get("reservations", {})
        got = [d for r in reservations.get("devices", []) for d in r["device_ids"]]
        assert got == devices, f"{name}: GPU devices {got}, the seed says {devices}"
        for r in reservations.get("devices", []):
            assert r["driver"] == "nvidia" and r["capabilities"] == ["gpu"]
    # The official images where a registry is reachable.
    assert gpu["llm-server"]["image"].startswith("docker.io/vllm/vllm-openai")
    assert gpu["vector-db"]["image"].startswith("docker.io/qdrant/qdrant")
    assert gpu["grafana"]["image"].startswith("docker.io/grafana/grafana")
    es = (CONTAINER_DIR / gpu["elasticsearch"]["build"]["dockerfile"]).read_text()
    assert "analysis-nori" in es and "docker.elastic.co/elasticsearch/elasticsearch" in es


def test_the_training_server_can_train(compose: dict[str, Any]) -> None:
    """It serves the trainer queue (LoRA runs) from an image that has the `train` extra."""
    service = _profile(compose, "gpu")["training-server"]
    assert service["command"] == ["serve", "--role", "trainer"]
    assert service["image"].startswith("localhost/dari/trainer:")
    trainer = (CONTAINER_DIR / "Containerfile.trainer").read_text()
    assert "requirements-train.txt" in trainer and "ARG TORCH=torch==" in trainer
    build = (CONTAINER_DIR / "build.sh").read_text()
    assert '["optional-dependencies"]["train"]' in build
    assert "build trainer" in build


def test_cpu_profile_fits_the_small_machine(compose: dict[str, Any]) -> None:
    cpu = _profile(compose, "cpu")
    assert set(DARI_ROLES_CPU) | {"cpu-mariadb", "cpu-redis", "cpu-proxy"} <= set(cpu)
    total = sum(_bytes(s["mem_limit"]) for s in cpu.values() if s.get("restart") != "no")
    assert total <= CPU_BUDGET_BYTES // 2, f"cpu limits add up to {total / 1024**3:.1f} GiB"
    # api, chat and worker share the embedded search index: one process.
    assert cpu["cpu-app"]["command"] == [
        "serve",
        "--role",
        "api",
        "--role",
        "chat",
        "--role",
        "worker",
    ]
    assert cpu["cpu-app"]["environment"]["DARI_LLM_EMBEDDED"] == "on"
    assert cpu["cpu-auth"]["command"] == ["serve", "--role", "auth"]
    for service in cpu.values():
        assert "deploy" not in service  # no GPU here


@pytest.mark.parametrize("profile", ["cpu", "gpu"])
def test_only_the_proxy_publishes_a_port(compose: dict[str, Any], profile: str) -> None:
    services = _profile(compose, profile)
    published = {name for name, s in services.items() if s.get("ports")}
    assert published == {"cpu-proxy" if profile == "cpu" else "proxy"}
    ports = services["cpu-proxy" if profile == "cpu" else "proxy"]["ports"]
    assert ports == ["${DARI_HTTPS_PORT:-443}:8443"]


def test_dari_roles_serve_mutual_tls_and_use_tls(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        if not str(service.get("image", "")).startswith("localhost/dari/dari"):
            continue
        env = service["environment"]
        assert env["DARI_TLS_CLIENT_CA"] and env["DARI_TLS_CERTFILE"], name
        assert env["DARI_REDIS_URL"].startswith("rediss://"), name
        assert "ssl_ca_certs=" in env["DARI_REDIS_URL"], name
        assert env["DARI_DATABASE_TLS_CA"], name
        mounts = [v for v in service["volumes"] if v.endswith(":/etc/dari/tls:ro")]
        assert len(mounts) == 1, f"{name} mounts one certificate folder"
    nginx = (CONTAINER_DIR / "nginx.conf").read_text()
    assert "ssl_protocols TLSv1.3;" in nginx and "proxy_ssl_protocols TLSv1.3;" in nginx
    assert "proxy_ssl_verify on;" in nginx and "proxy_ssl_certificate " in nginx
    assert "http://" not in nginx.replace("http://dari", "")


def test_proxy_routes_match_the_systemd_layouts_nginx() -> None:
    """deploy/nginx/dari.conf (systemd) and the container proxy send each path to one role."""

    def routes(text: str) -> list[tuple[str, str]]:
        found = re.findall(
            r"location\s+(=\s+)?(\S+)\s*\{[^}]*?proxy_pass https?://(dari_\w+)", text
        )
        return sorted((path, upstream) for _, path, upstream in found)

    systemd = routes((REPO / "deploy" / "nginx" / "dari.conf").read_text())
    container = routes((CONTAINER_DIR / "nginx.conf").read_text())
    assert systemd and container == systemd


def test_every_stateful_part_has_a_volume(compose: dict[str, Any]) -> None:
    for name, target in {
        "cpu-mariadb": "/var/lib/mysql",
        "cpu-redis": "/data",
        "cpu-app": "/var/lib/dari/data",
        "mariadb": "/var/lib/mysql",
        "redis": "/data",
        "vector-db": "/qdrant/storage",
        "elasticsearch": "/usr/share/elasticsearch/data",
        "prometheus": "/prometheus",
        "grafana": "/var/lib/grafana",
    }.items():
        volumes = compose["services"][name]["volumes"]
        named = [v for v in volumes if v.endswith(f":{target}") and not v.startswith((".", "$"))]
        assert named, f"{name} keeps {target} in a named volume"
        assert named[0].split(":")[0] in compose["volumes"]


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv4Network:
    """`${DARI_NET:-10.89.77}.5` → 10.89.77.5 (the default network)."""
    expanded = re.sub(r"\$\{DARI_NET:-([\d.]+)\}", r"\1", value)
    return ipaddress.IPv4Network(expanded) if "/" in expanded else ipaddress.IPv4Address(expanded)


def test_fixed_addresses_are_outside_the_dynamic_range(compose: dict[str, Any]) -> None:
    """A container without a fixed address must never be given one a service owns (CI saw a
    role take the proxy's .5 and the proxy fail to start)."""
    (config,) = compose["networks"]["dari"]["ipam"]["config"]
    subnet, dynamic = _address(config["subnet"]), _address(config["ip_range"])
    assert isinstance(subnet, ipaddress.IPv4Network)
    assert isinstance(dynamic, ipaddress.IPv4Network) and dynamic.subnet_of(subnet)
    fixed = [
        _address(net["ipv4_address"])
        for service in compose["services"].values()
        if isinstance(service.get("networks"), dict)
        for net in service["networks"].values()
        if isinstance(net, dict) and "ipv4_address" in net
    ]
    assert len(fixed) >= 3  # the proxy, MariaDB and Redis
    for address in fixed:
        assert address in subnet and address not in dynamic


@pytest.mark.parametrize("profile", ["gpu", "cpu"])
def test_compose_config_validates(profile: str, tmp_path: Path) -> None:
    """`podman-compose config` accepts the file and resolves the profile (GPU reservations
    included) with the variables the .env file would give."""
    command = require_tools()
    env = {
        **os.environ,
        "DARI_SECRET_KEY": "x" * 48,
        "DARI_DB_PASSWORD": "p",
        "MARIADB_ROOT_PASSWORD": "r",
        "DARI_REDIS_PASSWORD": "q",
    }
    result = subprocess.run(
        [*command, "-f", str(COMPOSE_FILE), "--profile", profile, "config"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    resolved = yaml.safe_load(result.stdout)
    services = resolved["services"]
    if profile == "gpu":
        assert set(SEED_LAYOUT) <= set(services)
        devices = services["llm-server"]["deploy"]["resources"]["reservations"]["devices"]
        assert devices[0]["device_ids"] == ["0", "1"]
    else:
        assert set(DARI_ROLES_CPU) <= set(services)
    assert "x" * 48 in result.stdout  # interpolated


def test_prometheus_scrapes_every_role_over_mutual_tls(tmp_path: Path) -> None:
    config = yaml.safe_load((CONTAINER_DIR / "prometheus.yml").read_text())
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    for role in ("api", "chat", "auth", "worker"):
        job = jobs[f"dari-{role}"]
        assert job["scheme"] == "https"
        assert job["tls_config"]["cert_file"] and job["tls_config"]["min_version"] == "TLS13"
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool is not installed (.ci/run installs Debian's prometheus)")
    shutil.copy(CONTAINER_DIR / "prometheus.yml", tmp_path / "prometheus.yml")
    shutil.copy(REPO / "deploy" / "prometheus" / "alerts.yml", tmp_path / "alerts.yml")
    result = subprocess.run(
        [promtool, "check", "config", "--syntax-only", str(tmp_path / "prometheus.yml")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
