"""Korean hybrid retrieval: Kiwi-morpheme BM25 + dense e5 vectors, fused, permission-filtered.

See `dari.search.base` for the interfaces, `dari.search.service.SearchService` for the entry
point, and docs/retrieval.md for the pipeline.
"""
