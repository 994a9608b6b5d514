"""`POST /api/search`: hybrid search over the documents the caller may read."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from dari.api.deps import RuntimeDep
from dari.api.problems import Problem
from dari.auth.deps import require
from dari.core.principal import Principal
from dari.search.schemas import SearchRequest, SearchResponse
from dari.search.service import SearchInputError, get_search_service

router = APIRouter(prefix="/api", tags=["search"])

SearchUser = Annotated[Principal, Depends(require("search:use"))]


@router.post("/search", response_model=SearchResponse)
async def search(body: SearchRequest, user: SearchUser, runtime: RuntimeDep) -> SearchResponse:
    """Keyword + vector search, fused; results are filtered by the caller's access inside
    each index. Bad input (empty or too long query, k out of range, unknown filter) is a 422
    problem with a sentence saying what to change."""
    settings = runtime.settings.search
    k = settings.default_k if body.k is None else body.k
    service = get_search_service(runtime)
    try:
        hits = await service.search(
            body.query, access_tokens=user.access_tokens(), k=k, filters=body.filters
        )
    except SearchInputError as exc:
        raise Problem(422, "invalid_search", str(exc)) from None
    return SearchResponse(query=body.query[:200], k=k, hits=hits)
