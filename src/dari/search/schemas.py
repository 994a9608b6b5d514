"""Request and response models of `POST /api/search`."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from dari.search.base import SearchHit


class SearchRequest(BaseModel):
    query: str = Field(
        max_length=100000, description="The question or keywords (Korean, English or mixed)."
    )
    k: int | None = Field(None, description="How many results (1..DARI_SEARCH_MAX_K).")
    filters: dict[str, Any] | None = Field(
        None, description='Optional filters: {"document_id": "id" or ["id", …]}.'
    )


class SearchResponse(BaseModel):
    query: str
    k: int
    hits: list[SearchHit] = Field(
        description="Best first; only chunks the caller may see. `highlight` marks matches "
        "with « »; `highlight_spans` are [start, end) offsets into `highlight_plain`."
    )
