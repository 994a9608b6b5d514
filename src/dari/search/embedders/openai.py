"""Any OpenAI-compatible `/v1/embeddings` server (vLLM, TEI, Ollama, e.g. bge-m3 on a GPU)."""

from __future__ import annotations

import httpx
import numpy as np


class EmbeddingServerError(RuntimeError):
    """The embeddings server failed or answered something unexpected."""


class OpenAIEmbedder:
    """Calls `POST {base_url}/embeddings`; vectors are L2-normalised here."""

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str = "",
        dim: int = 0,
        query_prefix: str = "",
        passage_prefix: str = "",
        batch_size: int = 64,
        timeout: float = 60.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not base_url:
            raise ValueError("DARI_SEARCH_EMBEDDER_URL is required for the openai embedder")
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"), headers=headers, timeout=timeout, transport=transport
        )
        self._model = model
        self._query_prefix = query_prefix
        self._passage_prefix = passage_prefix
        self._batch_size = batch_size
        self.name = f"openai:{model}"
        self.dim = dim or self._embed(["dim probe"]).shape[1]

    def _embed(self, texts: list[str]) -> np.ndarray:
        try:
            response = self._client.post("/embeddings", json={"model": self._model, "input": texts})
            response.raise_for_status()
            data = sorted(response.json()["data"], key=lambda item: item["index"])
            matrix = np.asarray([item["embedding"] for item in data], dtype=np.float32)
        except (httpx.HTTPError, KeyError, TypeError, ValueError) as exc:
            raise EmbeddingServerError(f"embeddings server failed: {type(exc).__name__}") from exc
        if matrix.shape[0] != len(texts):
            raise EmbeddingServerError("embeddings server returned a wrong number of vectors")
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        return matrix / np.maximum(norms, 1e-12)

    def embed_query(self, text: str) -> np.ndarray:
        return self._embed([self._query_prefix + text])[0]

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = [
            self._embed([self._passage_prefix + t for t in texts[i : i + self._batch_size]])
            for i in range(0, len(texts), self._batch_size)
        ]
        return np.concatenate(parts)

    def close(self) -> None:
        self._client.close()
