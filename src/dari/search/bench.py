"""`dari bench retrieval`: quality on a SQuAD-format file, or latency/memory at scale."""

from __future__ import annotations

import asyncio
import json
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer

from dari.cli.common import fail, settings_or_exit


def _service(settings: Any, directory: Path, backend: str, **search: Any) -> Any:
    """A search service indexing into `directory`, sharing the real embedding cache."""
    from dari.config import Settings
    from dari.config.search import SearchSettings
    from dari.config.server import ServerSettings
    from dari.search.registry import create_embedder, create_keyword_index, create_vector_index
    from dari.search.service import SearchService

    updates: dict[str, Any] = dict(search)
    if backend == "elasticsearch":
        updates["keyword_backend"] = "elasticsearch"
        updates["elasticsearch_index"] = f"dari-bench-{directory.name.lower()}"
    elif backend == "qdrant":
        updates["vector_backend"] = "qdrant"
    section = SearchSettings.model_validate({**settings.search.model_dump(), **updates})
    bench_settings = Settings(
        **{
            **dict(settings),
            "search": section,
            "server": ServerSettings.model_validate(
                {**settings.server.model_dump(), "data_dir": directory}
            ),
        }
    )
    embedder = create_embedder(settings)  # the real data dir: corpus embeddings are reused
    return SearchService(
        section,
        embedder,
        create_keyword_index(bench_settings),
        create_vector_index(bench_settings, embedder.dim),
        persist_delay_s=3600,
    )


def register(bench_app: typer.Typer) -> None:
    @bench_app.command("retrieval")
    def retrieval(
        dataset: Annotated[
            Path | None, typer.Option(help="SQuAD-v1.1-format JSON (e.g. KorQuAD dev).")
        ] = None,
        synthetic: Annotated[
            int, typer.Option(help="Instead: latency/memory over this many synthetic chunks.")
        ] = 0,
        limit_queries: Annotated[int, typer.Option(help="Use only the first N questions.")] = 0,
        backend: Annotated[
            str, typer.Option(help="embedded | elasticsearch (keyword) | qdrant (vector).")
        ] = "embedded",
        fusion: Annotated[
            str | None, typer.Option(help="weighted | rrf (default: setting).")
        ] = None,
        keyword_weight: Annotated[
            float | None, typer.Option(help="Keyword weight for weighted fusion.")
        ] = None,
        bm25_k1: Annotated[float | None, typer.Option(help="BM25 k1 (default: setting).")] = None,
        bm25_b: Annotated[float | None, typer.Option(help="BM25 b (default: setting).")] = None,
        bigram_weight: Annotated[
            float | None, typer.Option(help="Word-pair weight, 0 = off (default: setting).")
        ] = None,
        sweep: Annotated[
            bool, typer.Option(help="Tune the fusion weight on half the questions, test on half.")
        ] = False,
        queries: Annotated[int, typer.Option(help="Queries timed with --synthetic.")] = 500,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON only.")] = False,
    ) -> None:
        """Retrieval quality (R@k, MRR, nDCG, latency) or latency and memory at scale."""
        if backend not in ("embedded", "elasticsearch", "qdrant"):
            fail("--backend must be embedded, elasticsearch or qdrant", code=2)
        if (dataset is None) == (synthetic <= 0):
            fail("give exactly one of --dataset FILE or --synthetic N", code=2)
        settings = settings_or_exit()
        overrides: dict[str, Any] = {}
        if fusion:
            overrides["fusion"] = fusion
        for name, value in (
            ("keyword_weight", keyword_weight),
            ("bm25_k1", bm25_k1),
            ("bm25_b", bm25_b),
            ("bigram_weight", bigram_weight),
        ):
            if value is not None:
                overrides[name] = value
        _check_overrides(settings, overrides)
        if dataset is not None and not dataset.is_file():
            fail(f"{dataset} does not exist or is not a file", code=2)
        with tempfile.TemporaryDirectory(prefix="dari-bench-") as tmp:
            service = _service(settings, Path(tmp), backend, **overrides)
            if dataset is not None:
                result = asyncio.run(_quality(service, dataset, limit_queries, sweep))
            else:
                from dari.search.bench_scale import run_scale

                result = asyncio.run(run_scale(service, synthetic, queries, Path(tmp)))
        result["backend"] = backend
        text = json.dumps(result, ensure_ascii=False, indent=None if as_json else 2)
        typer.echo(text)


def _check_overrides(settings: Any, overrides: dict[str, Any]) -> None:
    """Stop with one line naming the option when an override is out of the setting's range."""
    from pydantic import ValidationError

    from dari.config.search import SearchSettings

    try:
        SearchSettings.model_validate({**settings.search.model_dump(), **overrides})
    except ValidationError as exc:
        error = exc.errors()[0]
        option = "--" + str(error["loc"][0]).replace("_", "-")
        fail(f"{option} {error['input']!r}: {error['msg']}", code=2)


async def _quality(service: Any, dataset: Path, limit: int, sweep: bool) -> dict[str, Any]:
    from dari.search.bench_quality import evaluate, load_squad

    chunks, questions = load_squad(dataset)
    if limit:
        questions = questions[:limit]
    try:
        return await evaluate(service, chunks, questions, do_sweep=sweep)
    finally:
        await service.close()
