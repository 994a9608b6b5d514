"""deploy/prometheus and deploy/alertmanager: they parse, cover every role, and their rules fire."""

from __future__ import annotations

import re
import subprocess

import httpx

from dari.llm.embedded import free_port
from tests.ops.conftest import DariServer
from tests.ops.deploy import DEPLOY, ROLES, alert_rules, load_yaml, tool, wait_port

HANGUL = re.compile(r"[가-힣]")
LATIN_WORDS = re.compile(r"[A-Za-z]{3,}")


def test_prometheus_scrapes_one_job_per_role() -> None:
    config = load_yaml("prometheus", "prometheus.yml")
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    for role in ROLES:
        job = jobs[f"dari-{role}"]
        assert job.get("metrics_path", "/metrics") == "/metrics"
        targets = [t for static in job["static_configs"] for t in static["targets"]]
        assert targets and all(re.fullmatch(r"[\w.-]+:\d+", t) for t in targets), targets
    readyz = [t for s in jobs["dari-readyz"]["static_configs"] for t in s["targets"]]
    assert all(t.endswith("/readyz") for t in readyz) and len(readyz) == len(ROLES)
    assert (DEPLOY / "prometheus" / config["rule_files"][0]).is_file()


def test_alert_rules_are_complete_and_bilingual() -> None:
    rules = alert_rules()
    names = [rule["alert"] for rule in rules]
    assert len(names) == len(set(names)), "alert names must be unique"
    for rule in rules:
        assert rule["labels"]["severity"] in {"critical", "warning"}, rule["alert"]
        assert rule["labels"]["component"], rule["alert"]
        for field in ("summary", "description"):
            text = rule["annotations"][field]
            assert HANGUL.search(text), f"{rule['alert']} {field} has no Korean"
            assert LATIN_WORDS.search(text.split("/", 1)[-1]), f"{rule['alert']} {field}: English"
    expected = {
        "DariInstanceDown",
        "DariRoleDown",
        "DariNotReady",
        "DariHigh5xxRatio",
        "DariSlowRoute",
        "DariLLMErrors",
        "DariLLMTimeouts",
        "DariLLMSlowFirstToken",
        "DariLoginLockoutBurst",
    }
    assert expected <= set(names)


def test_alertmanager_routes_every_severity() -> None:
    config = load_yaml("alertmanager", "alertmanager.yml")
    receivers = {receiver["name"] for receiver in config["receivers"]}
    routes = config["route"]["routes"]
    assert config["route"]["receiver"] in receivers
    assert all(route["receiver"] in receivers for route in routes)
    routed = {m for route in routes for m in route.get("matchers", [])}
    severities = {rule["labels"]["severity"] for rule in alert_rules()}
    assert {f'severity="{s}"' for s in severities} <= routed
    names = {rule["alert"] for rule in alert_rules()}
    for inhibit in config["inhibit_rules"]:
        source = inhibit["source_matchers"][0]
        assert source.split('"')[1] in names, f"inhibit rule names an unknown alert: {source}"
    assert "password:" not in (DEPLOY / "alertmanager" / "alertmanager.yml").read_text()


def _run(*command: str) -> str:
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_promtool_checks_config_and_rules() -> None:
    promtool = tool("promtool")
    out = _run(promtool, "check", "config", str(DEPLOY / "prometheus" / "prometheus.yml"))
    assert f"{len(alert_rules())} rules found" in out


def test_promtool_rule_unit_tests_pass() -> None:
    """alerts.test.yml feeds series shaped like Dari's and expects the alerts (and silence)."""
    promtool = tool("promtool")
    _run(promtool, "test", "rules", str(DEPLOY / "prometheus" / "alerts.test.yml"))


def test_readiness_probe_sees_dari_fail_and_recover(dari_server: DariServer) -> None:
    """blackbox.yml's module against a real Dari: success, then failure when a part is down;
    Dari counts the probes under route="/readyz" — what DariNotReady reads."""
    exporter = tool("prometheus-blackbox-exporter")
    config = DEPLOY / "prometheus" / "blackbox.yml"
    _run(exporter, f"--config.file={config}", "--config.check")
    before = _readyz_counts(dari_server.url)
    port = free_port("127.0.0.1")
    process = subprocess.Popen(
        [exporter, f"--config.file={config}", f"--web.listen-address=127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_port(port)

        def probe() -> float:
            response = httpx.get(
                f"http://127.0.0.1:{port}/probe",
                params={"module": "dari_readyz", "target": f"{dari_server.url}/readyz"},
                timeout=30,
            )
            line = re.search(r"^probe_success (\S+)$", response.text, re.M)
            assert line, response.text
            return float(line.group(1))

        assert probe() == 1.0
        runtime = dari_server.app.state.runtime

        async def down() -> None:
            raise ConnectionError("cache down")

        working = runtime.readiness["cache"]
        runtime.readiness["cache"] = down
        assert probe() == 0.0
        runtime.readiness["cache"] = working
        assert probe() == 1.0
    finally:
        process.terminate()
        process.wait(timeout=15)
    after = _readyz_counts(dari_server.url)
    assert after["503"] - before.get("503", 0) == 1, (before, after)
    assert after["200"] - before.get("200", 0) == 2, (before, after)


def _readyz_counts(url: str) -> dict[str, float]:
    """dari_http_requests_total of GET /readyz by status, as Dari exports it now."""
    text = httpx.get(f"{url}/metrics").text
    pattern = r'^dari_http_requests_total\{method="GET",route="/readyz",status="(\d+)"\} (\S+)$'
    return {status: float(value) for status, value in re.findall(pattern, text, re.M)}


def test_amtool_checks_alertmanager_config() -> None:
    amtool = tool("amtool")
    _run(amtool, "check-config", str(DEPLOY / "alertmanager" / "alertmanager.yml"))


def _anchors(markdown: str) -> set[str]:
    """GitHub-style anchors of the headings of a Markdown file."""
    anchors = set()
    for line in markdown.splitlines():
        if line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            anchors.add(re.sub(r"[^\w\- ]", "", title).replace(" ", "-"))
    return anchors


def test_every_alert_and_runbook_is_documented() -> None:
    operations = (DEPLOY.parent / "docs" / "operations.md").read_text(encoding="utf-8")
    anchors = _anchors(operations)
    for rule in alert_rules():
        assert f"`{rule['alert']}`" in operations, f"{rule['alert']} is not in docs/operations.md"
        runbook = rule["annotations"].get("runbook")
        if runbook:
            page, _, anchor = runbook.partition("#")
            assert page == "docs/operations.md" and anchor in anchors, runbook
