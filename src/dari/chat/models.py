"""Chat tables: conversations, their messages (with citations and ERP results) and feedback.

User ids are plain strings (no foreign key into auth's tables): the chat branch of the
migrations stays independent, and a conversation outlives a deleted account for audits.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dari.db.base import Base, IdMixin, LongText, UTCDateTime, utcnow


class Conversation(IdMixin, Base):
    __tablename__ = "chat_conversations"
    __table_args__ = (Index("ix_chat_conversations_user_updated", "user_id", "updated_at"),)

    user_id: Mapped[str] = mapped_column(String(36))
    title: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Message(IdMixin, Base):
    """One turn. Assistant turns keep what the answer was built from, for the UI and training."""

    __tablename__ = "chat_messages"
    __table_args__ = (
        Index("ix_chat_messages_conversation_seq", "conversation_id", "seq"),
        Index("ix_chat_messages_created_at", "created_at"),
    )

    conversation_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("chat_conversations.id", ondelete="CASCADE")
    )
    user_id: Mapped[str] = mapped_column(String(36))
    seq: Mapped[int] = mapped_column(Integer())
    role: Mapped[str] = mapped_column(String(16))  # user | assistant
    content: Mapped[str] = mapped_column(LongText)
    client_message_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    intent: Mapped[dict[str, Any] | None] = mapped_column(JSON(), nullable=True)
    citations: Mapped[list[Any]] = mapped_column(JSON(), default=list)
    sources: Mapped[list[Any]] = mapped_column(JSON(), default=list)
    tool_results: Mapped[list[Any]] = mapped_column(JSON(), default=list)
    usage: Mapped[dict[str, Any] | None] = mapped_column(JSON(), nullable=True)
    timings: Mapped[dict[str, Any] | None] = mapped_column(JSON(), nullable=True)
    # How the answer was checked: {"status": verified|fallback|built, "problems": [...]}.
    verification: Mapped[dict[str, Any] | None] = mapped_column(JSON(), nullable=True)
    total_ms: Mapped[int | None] = mapped_column(Integer(), nullable=True)
    cancelled: Mapped[bool] = mapped_column(Boolean(), default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Feedback(IdMixin, Base):
    """👍/👎 on an assistant message, one per user and message (a new vote replaces it)."""

    __tablename__ = "chat_feedback"
    __table_args__ = (UniqueConstraint("message_id", "user_id"),)

    message_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("chat_messages.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[str] = mapped_column(String(36))
    rating: Mapped[str] = mapped_column(String(8))  # up | down
    reason: Mapped[str | None] = mapped_column(String(64), nullable=True)
    comment: Mapped[str | None] = mapped_column(Text(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
