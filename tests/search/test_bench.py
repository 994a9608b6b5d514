"""`dari bench retrieval` on a tiny SQuAD-format file and a small synthetic corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dari.cli.bench import bench_app

SQUAD = {
    "version": "1.1",
    "data": [
        {
            "title": "회사_규정",
            "paragraphs": [
                {
                    "context": "연차 휴가는 입사 1년 후 15일이 주어진다.",
                    "qas": [{"id": "1", "question": "연차는 며칠 주어지나요?", "answers": []}],
                },
                {
                    "context": "출장비는 출장 종료 후 7일 이내에 정산한다.",
                    "qas": [
                        {"id": "2", "question": "출장비 정산 기한은?", "answers": []},
                        {"id": "3", "question": "출장 끝나고 언제까지 정산해?", "answers": []},
                    ],
                },
            ],
        }
    ],
}


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DARI_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def test_dataset_benchmark_prints_the_metrics(tmp_path: Path, data_dir: Path) -> None:
    dataset = tmp_path / "squad.json"
    dataset.write_text(json.dumps(SQUAD, ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(bench_app, ["retrieval", "--dataset", str(dataset), "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout.strip().splitlines()[-1])
    assert body["corpus"] == 2 and body["queries"] == 3
    for method in ("keyword", "dense", "hybrid"):
        metrics = body["methods"][method]
        assert {
            "recall@1",
            "recall@5",
            "recall@10",
            "mrr@10",
            "ndcg@10",
            "p50_ms",
            "p95_ms",
        } <= set(metrics)
    assert body["methods"]["hybrid"]["recall@1"] == 1.0
    assert body["embed_ms_per_query"] > 0
    assert (data_dir / "search" / "embeddings.sqlite").exists()  # corpus embeddings cached


def test_synthetic_benchmark_reports_latency_and_memory(data_dir: Path) -> None:
    result = CliRunner().invoke(
        bench_app, ["retrieval", "--synthetic", "2000", "--queries", "20", "--json"]
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout.strip().splitlines()[-1])
    assert body["synthetic_chunks"] == 2000
    assert body["hybrid"]["p95_ms"] > 0 and body["restart_s"] > 0
    assert 0 < body["visible_share"] < 1 and body["mean_hits"] == 8


def test_bad_options_exit_with_a_message(tmp_path: Path, data_dir: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(bench_app, ["retrieval"]).exit_code == 2
    missing = runner.invoke(bench_app, ["retrieval", "--dataset", str(tmp_path / "none.json")])
    assert missing.exit_code == 2 and "does not exist" in missing.output
    dataset = tmp_path / "squad.json"
    dataset.write_text('{"data": []}', encoding="utf-8")
    for option in ("--bm25-k1", "--bigram-weight", "--keyword-weight"):
        bad = runner.invoke(bench_app, ["retrieval", "--dataset", str(dataset), option, "-1"])
        assert bad.exit_code == 2, bad.output
        assert option in bad.output and "greater than or equal to 0" in bad.output
        assert "Traceback" not in bad.output
