"""deploy/grafana: the dashboard is valid, every panel queries Prometheus, queries parse."""

from __future__ import annotations

import subprocess
from pathlib import Path

import yaml

from tests.ops.deploy import dashboard, dashboard_panels, load_yaml, tool

# Dashboard variables replaced by example values so promtool can parse the queries.
VARIABLES = {"$__rate_interval": "1m", "$__interval": "1m", "$job": "dari-.*", "$instance": ".*"}


def test_dashboard_is_valid_json_with_a_uid() -> None:
    board = dashboard()
    assert board["uid"] == "dari-overview"
    assert board["title"] and board["panels"]
    variables = {v["name"]: v for v in board["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"
    assert {"job", "instance"} <= set(variables)


def test_every_panel_has_a_datasource_and_a_query() -> None:
    panels = dashboard_panels()
    assert len(panels) >= 15
    ids = [panel["id"] for panel in dashboard()["panels"]]
    assert len(ids) == len(set(ids)), "panel ids must be unique"
    for panel in panels:
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}, panel["title"]
        assert panel["targets"], f"{panel['title']} has no query"
        refs = [target["refId"] for target in panel["targets"]]
        assert len(refs) == len(set(refs)), panel["title"]
        for target in panel["targets"]:
            assert target["expr"].strip(), panel["title"]
            assert target["datasource"] == panel["datasource"]


def test_panels_do_not_overlap() -> None:
    cells: dict[tuple[int, int], str] = {}
    for panel in dashboard()["panels"]:
        pos = panel["gridPos"]
        assert pos["x"] + pos["w"] <= 24, panel["title"]
        for x in range(pos["x"], pos["x"] + pos["w"]):
            for y in range(pos["y"], pos["y"] + pos["h"]):
                assert (x, y) not in cells, f"{panel['title']} overlaps {cells[(x, y)]}"
                cells[(x, y)] = panel["title"]


def test_dashboard_covers_the_operators_questions() -> None:
    exprs = " ".join(t["expr"] for p in dashboard_panels() for t in p["targets"])
    for needle in (
        "dari_http_requests_total",
        "histogram_quantile(0.95",
        "histogram_quantile(0.5",
        "dari_llm_ttft_seconds_bucket",
        "dari_llm_tokens_per_second_bucket",
        "dari_llm_tokens_total",
        'route="/api/search"',
        "dari_erp_calls_total",
    ):
        assert needle in exprs, needle


def test_provisioning_points_at_prometheus_and_the_dashboard_folder() -> None:
    sources = load_yaml("grafana", "provisioning", "datasources", "dari-prometheus.yml")
    assert sources["apiVersion"] == 1
    assert [s["type"] for s in sources["datasources"]] == ["prometheus"]
    providers = load_yaml("grafana", "provisioning", "dashboards", "dari.yml")["providers"]
    assert providers[0]["type"] == "file"
    assert Path(providers[0]["options"]["path"]).is_absolute()


def test_every_query_parses_as_promql(tmp_path: Path) -> None:
    """Each panel query, with its variables filled in, becomes a recording rule for promtool."""
    promtool = tool("promtool")
    rules = []
    for panel in dashboard_panels():
        for target in panel["targets"]:
            expr = target["expr"]
            for name, value in sorted(VARIABLES.items(), key=lambda kv: -len(kv[0])):
                expr = expr.replace(name, value)
            assert "$" not in expr, f"unknown variable in {panel['title']}: {expr}"
            rules.append(
                {"record": f"dashboard:panel{panel['id']}_{target['refId']}", "expr": expr}
            )
    path = tmp_path / "dashboard-rules.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}))
    done = subprocess.run(
        [promtool, "check", "rules", str(path)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{len(rules)} rules found" in done.stdout
