"""auth: users, departments, roles, refresh tokens, API keys; built-in roles

Revision ID: auth_0001
Revises: 0001_foundation
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import dari.db.base

revision: str = "auth_0001"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = ("auth",)
depends_on: str | Sequence[str] | None = None

BUILTIN_ROLES = [
    ("admin", "관리자 — 모든 권한", ["*"]),
    (
        "manager",
        "팀장 — 문서 관리, ERP 조회",
        ["docs:read", "docs:manage", "chat:use", "erp:*", "search:use"],
    ),
    (
        "employee",
        "직원 — 문서 열람, 대화",
        ["docs:read", "chat:use", "search:use", "erp:my_leave_balance"],
    ),
]


def upgrade() -> None:
    dt = dari.db.base.UTCDateTime
    op.create_table(
        "auth_departments",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("parent_id", sa.String(length=36), nullable=True),
        sa.Column("created_at", dt(), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["auth_departments.id"],
            name=op.f("fk_auth_departments_parent_id_auth_departments"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_departments")),
        sa.UniqueConstraint("code", name=op.f("uq_auth_departments_code")),
    )
    roles = op.create_table(
        "auth_roles",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("description", sa.String(length=255), nullable=False),
        sa.Column("permissions", sa.JSON(), nullable=False),
        sa.Column("builtin", sa.Boolean(), nullable=False),
        sa.Column("created_at", dt(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_auth_roles")),
    )
    op.create_table(
        "auth_users",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("username", sa.String(length=150), nullable=False),
        sa.Column("display_name", sa.String(length=255), nullable=False),
        sa.Column("email", sa.String(length=255), nullable=True),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("department_id", sa.String(length=36), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("token_version", sa.Integer(), nullable=False),
        sa.Column("password_changed_at", dt(), nullable=True),
        sa.Column("created_at", dt(), nullable=False),
        sa.Column("updated_at", dt(), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["auth_departments.id"],
            name=op.f("fk_auth_users_department_id_auth_departments"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_users")),
        sa.UniqueConstraint("username", name=op.f("uq_auth_users_username")),
    )
    op.create_table(
        "auth_user_roles",
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("role_name", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["role_name"],
            ["auth_roles.name"],
            name=op.f("fk_auth_user_roles_role_name_auth_roles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["auth_users.id"],
            name=op.f("fk_auth_user_roles_user_id_auth_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "role_name", name=op.f("pk_auth_user_roles")),
    )
    op.create_table(
        "auth_refresh_tokens",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("family_id", sa.String(length=36), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", dt(), nullable=False),
        sa.Column("expires_at", dt(), nullable=False),
        sa.Column("used_at", dt(), nullable=True),
        sa.Column("revoked_at", dt(), nullable=True),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("user_agent", sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["auth_users.id"],
            name=op.f("fk_auth_refresh_tokens_user_id_auth_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_refresh_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_auth_refresh_tokens_token_hash")),
    )
    op.create_index(op.f("ix_auth_refresh_tokens_family_id"), "auth_refresh_tokens", ["family_id"])
    op.create_index(op.f("ix_auth_refresh_tokens_user_id"), "auth_refresh_tokens", ["user_id"])
    op.create_table(
        "auth_api_keys",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("permissions", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=36), nullable=True),
        sa.Column("created_at", dt(), nullable=False),
        sa.Column("expires_at", dt(), nullable=True),
        sa.Column("last_used_at", dt(), nullable=True),
        sa.Column("revoked_at", dt(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["auth_users.id"],
            name=op.f("fk_auth_api_keys_user_id_auth_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_api_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_auth_api_keys_key_hash")),
    )
    op.create_index(op.f("ix_auth_api_keys_user_id"), "auth_api_keys", ["user_id"])
    now = dari.db.base.utcnow()
    op.bulk_insert(
        roles,
        [
            {
                "name": name,
                "description": description,
                "permissions": permissions,
                "builtin": True,
                "created_at": now,
            }
            for name, description, permissions in BUILTIN_ROLES
        ],
    )


def downgrade() -> None:
    op.drop_table("auth_api_keys")
    op.drop_table("auth_refresh_tokens")
    op.drop_table("auth_user_roles")
    op.drop_table("auth_users")
    op.drop_table("auth_roles")
    op.drop_table("auth_departments")
