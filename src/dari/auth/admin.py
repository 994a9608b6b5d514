"""Administration of users, roles and departments (endpoints and CLI share it). Never commits.

Every change that alters what a user may do bumps their token version, so access tokens
issued before it stop working at once (they are re-issued with the new claims on refresh).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from dari.auth import repository as repo
from dari.auth.errors import AuthError
from dari.auth.models import Department, Role, User
from dari.auth.passwords import policy_problem
from dari.auth.service import Auth, sign_out_everywhere
from dari.config import Settings
from dari.core.principal import Principal
from dari.db.base import utcnow

T = TypeVar("T")

USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$")
PERMISSION_RE = re.compile(r"^(\*|[a-z][a-z0-9_]*:(\*|[a-z0-9_.-]+))$")
ROLE_RE = re.compile(r"^[a-z][a-z0-9_-]{1,63}$")


def check_username(username: str) -> str:
    if not USERNAME_RE.fullmatch(username):
        raise AuthError(
            "invalid_username",
            "로그인 ID는 영문·숫자와 . _ @ - 로 2~64자여야 합니다.",
        )
    return username


def check_password(
    settings: Settings, password: str, username: str, *, user_inputs: Iterable[str] = ()
) -> None:
    """Raise a 422 `weak_password` AuthError saying what is wrong with `password`.

    `user_inputs` (display name, e-mail) count as easy to guess, like the login id."""
    problem = policy_problem(
        password,
        username,
        settings.auth.password_min_length,
        min_score=settings.auth.password_min_score,
        user_inputs=["dari", "다리", *user_inputs],
    )
    if problem:
        raise AuthError("weak_password", problem)


def check_permissions(permissions: Iterable[str]) -> list[str]:
    values = sorted(set(permissions))
    bad = [p for p in values if not PERMISSION_RE.fullmatch(p)]
    if bad:
        raise AuthError(
            "invalid_permission", "권한 이름 형식이 올바르지 않습니다.", permissions=bad
        )
    return values


def check_grantable(actor: Principal, permissions: Iterable[str]) -> None:
    missing = sorted(p for p in set(permissions) if not actor.has(p))
    if missing:
        raise AuthError("forbidden", "가지지 않은 권한은 부여할 수 없습니다.", permissions=missing)


async def resolve_department(session: AsyncSession, ref: str | None) -> Department | None:
    if ref is None or ref == "":
        return None
    department = await repo.find_department(session, ref)
    if department is None:
        raise AuthError("department_not_found", "부서를 찾을 수 없습니다.")
    return department


async def resolve_roles(session: AsyncSession, names: Iterable[str]) -> list[str]:
    names = sorted(set(names))
    found = {role.name for role in await repo.get_roles(session, names)}
    missing = [n for n in names if n not in found]
    if missing:
        raise AuthError("role_not_found", "역할을 찾을 수 없습니다.", roles=missing)
    return names


async def create_user(
    auth: Auth,
    session: AsyncSession,
    *,
    username: str,
    password: str | None,
    display_name: str = "",
    email: str | None = None,
    department: str | None = None,
    roles: Iterable[str] = ("employee",),
    attributes: Mapping[str, str] | None = None,
) -> User:
    check_username(username)
    if await repo.get_user_by_username(session, username) is not None:
        raise AuthError("username_taken", "이미 사용 중인 로그인 ID입니다.")
    if password is not None:
        check_password(auth.settings, password, username, user_inputs=(display_name, email or ""))
    role_names = await resolve_roles(session, roles)
    dept = await resolve_department(session, department)
    user = User(
        username=username,
        display_name=display_name or username,
        email=email,
        password_hash=await auth.passwords.hash(password) if password is not None else None,
        password_changed_at=utcnow() if password is not None else None,
        department_id=dept.id if dept else None,
        attributes=dict(attributes or {}),
        is_active=True,
        token_version=0,
    )
    session.add(user)
    await session.flush()
    await repo.set_roles(session, user.id, role_names)
    return user


def _found(value: T | None, code: str) -> T:
    """`value`, or the catalogue's 404 `code` (its Korean message) when there is none."""
    if value is None:
        raise AuthError(code)
    return value


async def get_user_or_404(session: AsyncSession, user_id: str) -> User:
    return _found(await repo.get_user(session, user_id), "user_not_found")


async def get_role_or_404(session: AsyncSession, name: str) -> Role:
    return _found(await repo.get_role(session, name), "role_not_found")


async def get_department_or_404(session: AsyncSession, department_id: str) -> Department:
    return _found(await repo.get_department(session, department_id), "department_not_found")


async def find_role(session: AsyncSession, name: str) -> Role | None:
    return await repo.get_role(session, name)


async def find_department(session: AsyncSession, ref: str) -> Department | None:
    """A department by id, code or (Korean) name, or None."""
    return await repo.find_department(session, ref)


async def user_role_names(session: AsyncSession, user: User) -> list[str]:
    """The names of the user's roles, sorted."""
    return await repo.role_names(session, user.id)


async def check_roles_grantable(session: AsyncSession, actor: Principal, names: list[str]) -> None:
    """Refuse (403) roles carrying a permission `actor` does not hold."""
    for role in await repo.get_roles(session, names):
        check_grantable(actor, role.permissions)


async def update_user(
    auth: Auth,
    session: AsyncSession,
    actor: Principal,
    user: User,
    *,
    display_name: str | None = None,
    email: str | None = None,
    attributes: Mapping[str, str] | None = None,
    is_active: bool | None = None,
) -> str | None:
    """Change the given fields (None: unchanged; `email=""` clears it). Returns
    `user.activate` / `user.deactivate` when the active flag changed (for the audit log).

    Changed ERP attributes end the user's access tokens; an administrator cannot deactivate
    their own account (409 `self_deactivation`)."""
    if display_name is not None:
        user.display_name = display_name
    if email is not None:
        user.email = email or None
    if attributes is not None:
        user.attributes = dict(attributes)
        await auth.invalidate_access(user)
    action = None
    if is_active is not None and is_active != user.is_active:
        if not is_active and user.id == actor.user_id:
            raise AuthError("self_deactivation", "자기 계정은 비활성화할 수 없습니다.")
        await set_active(auth, session, user, is_active)
        action = "user.activate" if is_active else "user.deactivate"
    await session.flush()
    return action


async def set_password(auth: Auth, session: AsyncSession, user: User, password: str) -> None:
    """Set a new password and sign the user out everywhere."""
    check_password(
        auth.settings, password, user.username, user_inputs=(user.display_name, user.email or "")
    )
    user.password_hash = await auth.passwords.hash(password)
    user.password_changed_at = utcnow()
    await sign_out_everywhere(auth, session, user)


async def set_active(auth: Auth, session: AsyncSession, user: User, active: bool) -> None:
    user.is_active = active
    if not active:
        await sign_out_everywhere(auth, session, user)
    await session.flush()


async def set_user_roles(
    auth: Auth, session: AsyncSession, user: User, roles: Iterable[str]
) -> list[str]:
    names = await resolve_roles(session, roles)
    await repo.set_roles(session, user.id, names)
    await auth.invalidate_access(user)
    await session.flush()
    return names


async def set_department(
    auth: Auth, session: AsyncSession, user: User, department: str | None
) -> None:
    dept = await resolve_department(session, department)
    user.department_id = dept.id if dept else None
    await auth.invalidate_access(user)
    await session.flush()


async def create_department(
    session: AsyncSession, *, code: str, name: str, parent: str | None = None
) -> Department:
    if await repo.find_department(session, code) is not None:
        raise AuthError("department_exists", "같은 코드의 부서가 이미 있습니다.")
    parent_dept = await resolve_department(session, parent)
    department = Department(code=code, name=name, parent_id=parent_dept.id if parent_dept else None)
    session.add(department)
    await session.flush()
    return department


async def ensure_department(
    session: AsyncSession, ref: str, parent: str | None = None
) -> Department:
    """The department with this id, code or name; created (code = name = ref) if missing."""
    department = await repo.find_department(session, ref)
    if department is not None:
        return department
    return await create_department(session, code=ref, name=ref, parent=parent)


async def update_department(
    session: AsyncSession, department: Department, *, name: str | None, parent: str | None
) -> None:
    if name is not None:
        department.name = name
    if parent is not None:
        parent_dept = await resolve_department(session, parent)
        path = await repo.department_path(session, parent_dept.id if parent_dept else None)
        if department.id in path:
            raise AuthError("department_cycle", "부서를 자기 하위 부서 아래로 옮길 수 없습니다.")
        department.parent_id = parent_dept.id if parent_dept else None
    await session.flush()


async def create_role(
    session: AsyncSession, *, name: str, description: str, permissions: Iterable[str]
) -> Role:
    if not ROLE_RE.fullmatch(name):
        raise AuthError("invalid_role", "역할 이름은 영문 소문자·숫자·_-로 2~64자입니다.")
    if await repo.get_role(session, name) is not None:
        raise AuthError("role_exists", "같은 이름의 역할이 이미 있습니다.")
    role = Role(name=name, description=description, permissions=check_permissions(permissions))
    session.add(role)
    await session.flush()
    return role


async def update_role(
    auth: Auth,
    session: AsyncSession,
    role: Role,
    *,
    description: str | None,
    permissions: Iterable[str] | None,
) -> None:
    if description is not None:
        role.description = description
    if permissions is not None:
        if role.builtin:
            raise AuthError("builtin_role", "기본 역할의 권한은 바꿀 수 없습니다.")
        role.permissions = check_permissions(permissions)
        for user_id in await repo.users_with_role(session, role.name):
            user = await repo.get_user(session, user_id)
            if user is not None:
                await auth.invalidate_access(user)
    await session.flush()
