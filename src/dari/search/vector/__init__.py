"""Vector index backends: `embedded` (numpy exact / usearch HNSW) and `qdrant`."""
