"""training: reviews of rated answers, dataset versions, training runs

Revision ID: training_0001
Revises: 0001_foundation
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

import dari.db.base

revision: str = "training_0001"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = ("training",)
depends_on: str | Sequence[str] | None = None

LONG_TEXT = sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")


def upgrade() -> None:
    op.create_table(
        "training_reviews",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("message_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer", LONG_TEXT, nullable=False),
        sa.Column("route", sa.JSON(), nullable=True),
        sa.Column("reviewer_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", dari.db.base.UTCDateTime(), nullable=False),
        sa.Column("updated_at", dari.db.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_reviews")),
        sa.UniqueConstraint("message_id", name=op.f("uq_training_reviews_message_id")),
    )
    op.create_table(
        "training_datasets",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("created_by", sa.String(length=36), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("masking", sa.JSON(), nullable=False),
        sa.Column("created_at", dari.db.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_training_datasets")),
    )
    op.create_table(
        "training_runs",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("dataset_version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("progress", sa.JSON(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("error_code", sa.String(length=64), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("artifact", sa.String(length=1024), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", dari.db.base.UTCDateTime(), nullable=False),
        sa.Column("updated_at", dari.db.base.UTCDateTime(), nullable=False),
        sa.Column("finished_at", dari.db.base.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_runs")),
    )
    op.create_index("ix_training_runs_kind_created", "training_runs", ["kind", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_training_runs_kind_created", table_name="training_runs")
    op.drop_table("training_runs")
    op.drop_table("training_datasets")
    op.drop_table("training_reviews")
