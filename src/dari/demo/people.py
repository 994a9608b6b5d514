"""Create (or bring back) the demo departments, roles and users through auth's services.

Idempotent: an existing department, role or user that already matches is left alone, so a
second run writes nothing and hashes no password. A demo user whose password was changed keeps
the new one (we never reset passwords of existing accounts).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from dari.auth import admin
from dari.auth.service import Auth, ensure_builtin_roles, user_by_username
from dari.db.base import utcnow
from dari.demo.company import DEMO_PASSWORD, DEPARTMENTS, ROLES, USERS


@dataclass
class Changes:
    """What a step created or updated (names), for the setup report."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


async def ensure_departments(session: AsyncSession) -> tuple[Changes, dict[str, str]]:
    """The demo department tree; returns the changes and code → department id."""
    changes = Changes()
    ids: dict[str, str] = {}
    for spec in DEPARTMENTS:  # parents come before their children
        department = await admin.find_department(session, spec.code)
        parent_id = ids.get(spec.parent) if spec.parent else None
        if department is None:
            department = await admin.create_department(
                session, code=spec.code, name=spec.name, parent=parent_id
            )
            changes.created.append(spec.code)
        elif department.name != spec.name or department.parent_id != parent_id:
            department.name, department.parent_id = spec.name, parent_id
            await session.flush()
            changes.updated.append(spec.code)
        ids[spec.code] = department.id
    return changes, ids


async def ensure_roles(auth: Auth, session: AsyncSession) -> Changes:
    """The built-in roles and the demo's custom roles with their ERP permissions."""
    changes = Changes()
    await ensure_builtin_roles(session)
    for spec in ROLES:
        role = await admin.find_role(session, spec.name)
        if role is None:
            await admin.create_role(
                session, name=spec.name, description=spec.description, permissions=spec.permissions
            )
            changes.created.append(spec.name)
        elif sorted(role.permissions or []) != sorted(spec.permissions) or (
            role.description != spec.description
        ):
            await admin.update_role(
                auth, session, role, description=spec.description, permissions=spec.permissions
            )
            changes.updated.append(spec.name)
    return changes


async def ensure_users(
    auth: Auth, session: AsyncSession, department_ids: dict[str, str]
) -> Changes:
    """The demo users: department, roles and ERP attributes as specified."""
    changes = Changes()
    shared_hash: str | None = None
    for spec in USERS:
        user = await user_by_username(session, spec.username)
        department_id = department_ids[spec.department]
        if user is None:
            admin.check_password(auth.settings, DEMO_PASSWORD, spec.username)
            # One argon2 hash (about a second on 2 cores) serves every demo user: they share
            # the published demo password anyway.
            shared_hash = shared_hash or await auth.passwords.hash(DEMO_PASSWORD)
            created = await admin.create_user(
                auth,
                session,
                username=spec.username,
                password=None,
                display_name=spec.display_name,
                email=spec.email,
                department=department_id,
                roles=spec.roles,
                attributes=spec.attributes(),
            )
            created.password_hash, created.password_changed_at = shared_hash, utcnow()
            await session.flush()
            changes.created.append(spec.username)
            continue
        updated = False
        if user.department_id != department_id:
            await admin.set_department(auth, session, user, department_id)
            updated = True
        if await admin.user_role_names(session, user) != sorted(spec.roles):
            await admin.set_user_roles(auth, session, user, spec.roles)
            updated = True
        if dict(user.attributes or {}) != spec.attributes():
            user.attributes = spec.attributes()
            await auth.invalidate_access(user)  # attributes are claims of access tokens
            updated = True
        if user.display_name != spec.display_name or not user.is_active:
            user.display_name, user.is_active = spec.display_name, True
            updated = True
        if updated:
            await session.flush()
            changes.updated.append(spec.username)
    return changes
