"""Keyword index backends: `embedded` (BM25 over Kiwi morphemes) and `elasticsearch` (nori)."""
