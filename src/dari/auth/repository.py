"""All of auth's SQL."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from dari.auth.models import ApiKey, Department, RefreshToken, Role, User, user_roles

# --- users ------------------------------------------------------------------------------------


async def get_user(session: AsyncSession, user_id: str) -> User | None:
    return await session.get(User, user_id)


async def get_user_by_username(session: AsyncSession, username: str) -> User | None:
    return await session.scalar(select(User).where(User.username == username))


async def list_users(
    session: AsyncSession, *, offset: int, limit: int, query: str | None, active: bool | None
) -> tuple[Sequence[User], int]:
    where = []
    if query:
        pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where.append(
            or_(
                User.username.like(pattern, escape="\\"),
                User.display_name.like(pattern, escape="\\"),
            )
        )
    if active is not None:
        where.append(User.is_active.is_(active))
    total = await session.scalar(select(func.count()).select_from(User).where(*where)) or 0
    rows = await session.scalars(
        select(User).where(*where).order_by(User.username).offset(offset).limit(limit)
    )
    return rows.all(), total


async def role_names(session: AsyncSession, user_id: str) -> list[str]:
    rows = await session.scalars(
        select(user_roles.c.role_name).where(user_roles.c.user_id == user_id)
    )
    return sorted(rows.all())


async def set_roles(session: AsyncSession, user_id: str, names: Iterable[str]) -> None:
    """Make `names` the user's roles, touching only the rows that change.

    Never "delete all, insert all": on MariaDB (REPEATABLE READ) a delete that matches nothing
    (a new user) takes a gap lock, and two transactions whose user ids share a gap then wait for
    each other's gap lock to insert: deadlock 1213. Deleting by full primary key (rows that
    exist) and inserting only the missing rows, both in name order, takes no gap lock.
    """
    wanted = set(names)
    current = set(
        (
            await session.scalars(
                select(user_roles.c.role_name).where(user_roles.c.user_id == user_id)
            )
        ).all()
    )
    removed = sorted(current - wanted)
    if removed:
        await session.execute(
            delete(user_roles).where(
                user_roles.c.user_id == user_id, user_roles.c.role_name.in_(removed)
            )
        )
    added = [{"user_id": user_id, "role_name": name} for name in sorted(wanted - current)]
    if added:
        await session.execute(insert(user_roles), added)
    await session.flush()


# --- roles ------------------------------------------------------------------------------------


async def get_role(session: AsyncSession, name: str) -> Role | None:
    return await session.get(Role, name)


async def get_roles(session: AsyncSession, names: Iterable[str]) -> Sequence[Role]:
    names = list(names)
    if not names:
        return []
    return (await session.scalars(select(Role).where(Role.name.in_(names)))).all()


async def list_roles(session: AsyncSession) -> Sequence[Role]:
    return (await session.scalars(select(Role).order_by(Role.name))).all()


async def users_with_role(session: AsyncSession, name: str) -> list[str]:
    rows = await session.scalars(select(user_roles.c.user_id).where(user_roles.c.role_name == name))
    return list(rows.all())


# --- departments ------------------------------------------------------------------------------


async def get_department(session: AsyncSession, department_id: str) -> Department | None:
    return await session.get(Department, department_id)


async def find_department(session: AsyncSession, ref: str) -> Department | None:
    """A department by id, code or (Korean) name."""
    return await session.scalar(
        select(Department)
        .where(or_(Department.id == ref, Department.code == ref, Department.name == ref))
        .limit(1)
    )


async def list_departments(session: AsyncSession) -> Sequence[Department]:
    return (await session.scalars(select(Department).order_by(Department.code))).all()


async def department_path(session: AsyncSession, department_id: str | None) -> list[str]:
    """Ids from the root down to `department_id` (cycles cut)."""
    path: list[str] = []
    current = department_id
    while current and current not in path and len(path) < 64:
        department = await session.get(Department, current)
        if department is None:
            break
        path.append(department.id)
        current = department.parent_id
    return list(reversed(path))


# --- refresh tokens ---------------------------------------------------------------------------


async def get_refresh(session: AsyncSession, token_hash: str) -> RefreshToken | None:
    return await session.scalar(select(RefreshToken).where(RefreshToken.token_hash == token_hash))


async def mark_refresh_used(session: AsyncSession, token_id: str, now: datetime) -> bool:
    """Consume a refresh token; False if another request consumed it first."""
    result = await session.execute(
        update(RefreshToken)
        .where(RefreshToken.id == token_id, RefreshToken.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def revoke_refresh(
    session: AsyncSession,
    now: datetime,
    *,
    family_id: str | None = None,
    user_id: str | None = None,
) -> int:
    query = update(RefreshToken).where(RefreshToken.revoked_at.is_(None))
    if family_id is not None:
        query = query.where(RefreshToken.family_id == family_id)
    if user_id is not None:
        query = query.where(RefreshToken.user_id == user_id)
    result = await session.execute(
        query.values(revoked_at=now).execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0))


async def active_sessions(
    session: AsyncSession, now: datetime, user_id: str | None = None
) -> Sequence[RefreshToken]:
    """The live refresh token of each family (one per signed-in device)."""
    query = select(RefreshToken).where(
        RefreshToken.revoked_at.is_(None),
        RefreshToken.used_at.is_(None),
        RefreshToken.expires_at > now,
    )
    if user_id is not None:
        query = query.where(RefreshToken.user_id == user_id)
    return (await session.scalars(query.order_by(RefreshToken.created_at.desc()))).all()


async def family_of(session: AsyncSession, session_id: str) -> RefreshToken | None:
    return await session.get(RefreshToken, session_id)


# --- API keys ---------------------------------------------------------------------------------


async def get_api_key_by_hash(session: AsyncSession, key_hash: str) -> ApiKey | None:
    return await session.scalar(select(ApiKey).where(ApiKey.key_hash == key_hash))


async def get_api_key(session: AsyncSession, key_id: str) -> ApiKey | None:
    return await session.get(ApiKey, key_id)


async def list_api_keys(session: AsyncSession, user_id: str | None) -> Sequence[ApiKey]:
    query = select(ApiKey).order_by(ApiKey.created_at.desc())
    if user_id is not None:
        query = query.where(ApiKey.user_id == user_id)
    return (await session.scalars(query)).all()


async def touch_api_key(session: AsyncSession, key_id: str, now: datetime) -> None:
    await session.execute(
        update(ApiKey)
        .where(ApiKey.id == key_id)
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )
