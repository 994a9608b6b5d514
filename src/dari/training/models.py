"""Training tables: reviews of rated answers, exported dataset versions and training runs.

Message and user ids are plain strings (no foreign key into chat's or auth's tables), so the
training branch of the migrations stays independent and a dataset outlives a deleted chat.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dari.db.base import Base, IdMixin, LongText, UTCDateTime, utcnow


class Review(IdMixin, Base):
    """An admin's verdict on one rated answer: accepted as is, a corrected answer, a corrected
    route — or rejected (kept out of every dataset)."""

    __tablename__ = "training_reviews"

    message_id: Mapped[str] = mapped_column(String(36), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # accept | answer | route | reject
    question: Mapped[str] = mapped_column(Text())
    answer: Mapped[str] = mapped_column(LongText)  # the corrected (or accepted) answer
    route: Mapped[dict[str, Any] | None] = mapped_column(JSON(), nullable=True)
    reviewer_id: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Dataset(Base):
    """One exported version: files under `<data_dir>/training/datasets/v<version>/`."""

    __tablename__ = "training_datasets"

    version: Mapped[int] = mapped_column(Integer(), primary_key=True, autoincrement=False)
    created_by: Mapped[str] = mapped_column(String(36))
    counts: Mapped[dict[str, Any]] = mapped_column(JSON(), default=dict)
    masking: Mapped[dict[str, Any]] = mapped_column(JSON(), default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Run(IdMixin, Base):
    """A router or LoRA training run: progress, the gate's report, and what became of it."""

    __tablename__ = "training_runs"
    __table_args__ = (Index("ix_training_runs_kind_created", "kind", "created_at"),)

    kind: Mapped[str] = mapped_column(String(16))  # router | lora
    dataset_version: Mapped[int] = mapped_column(Integer())
    # queued | running | cancelling | cancelled | failed | candidate | promoted | rolled_back
    status: Mapped[str] = mapped_column(String(16), default="queued")
    progress: Mapped[dict[str, Any]] = mapped_column(JSON(), default=dict)
    report: Mapped[dict[str, Any]] = mapped_column(JSON(), default=dict)
    error_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    error: Mapped[str | None] = mapped_column(Text(), nullable=True)
    artifact: Mapped[str | None] = mapped_column(String(1024), nullable=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
