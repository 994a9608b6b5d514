"""chat: how each answer was checked (verified / fallback / built)

Revision ID: chat_0002
Revises: chat_0001
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "chat_0002"
down_revision: str | Sequence[str] | None = "chat_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("chat_messages", sa.Column("verification", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("chat_messages", "verification")
