"""Request and response bodies of the training API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field


class RouteCorrection(BaseModel):
    intent: Literal["erp", "doc_qa", "mixed", "chitchat", "out_of_scope"]
    tool: str | None = Field(None, description="The ERP tool (for `erp` and `mixed`).")
    arguments: dict[str, Any] = Field(default_factory=dict)


class ReviewRequest(BaseModel):
    kind: Literal["accept", "answer", "route", "reject"]
    answer: str | None = Field(None, max_length=20000, description="The corrected answer.")
    route: RouteCorrection | None = None


class ReviewOut(BaseModel):
    message_id: str
    kind: str
    question: str
    answer: str
    route: dict[str, Any] | None
    updated_at: datetime


class ReviewItem(BaseModel):
    """A rated answer with everything the reviewer needs, and its review if any."""

    message_id: str
    rating: Literal["up", "down"]
    reason: str | None
    comment: str | None
    question: str
    answer: str
    intent: dict[str, Any] | None
    sources: list[dict[str, Any]]
    tool_results: list[dict[str, Any]]
    rated_at: datetime
    review: ReviewOut | None


class ReviewList(BaseModel):
    items: list[ReviewItem]
    next_before: datetime | None = None


class DatasetOut(BaseModel):
    version: int
    counts: dict[str, Any]
    masking: dict[str, Any]
    created_at: datetime
    path: str


class RunRequest(BaseModel):
    kind: Literal["router", "lora"]
    dataset: int = Field(ge=1)


class RunOut(BaseModel):
    id: str
    kind: str
    dataset_version: int
    status: str
    progress: dict[str, Any]
    report: dict[str, Any]
    error_code: str | None
    error: str | None
    artifact: str | None
    created_by: str
    created_at: datetime
    finished_at: datetime | None
    active: bool = False
