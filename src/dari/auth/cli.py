"""`dari users …` (create, list, set passwords and ERP attributes, deactivate, rotate signing
keys) and `dari roles …` (create, grant/revoke permissions or a role to a user, list).

`load_principal` gives other commands (`dari erp call --as USER`) one-line errors when the
database is not set up yet or the user does not exist."""

from __future__ import annotations

import re
import sys
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from dari.auth.errors import AuthError
from dari.auth.models import User
from dari.cli.common import fail, run, settings_or_exit
from dari.config import Settings
from dari.core.principal import Principal
from dari.core.runtime import Runtime

T = TypeVar("T")

app = typer.Typer(
    name="users", help="Users, passwords, ERP attributes, signing keys.", no_args_is_help=True
)
roles_app = typer.Typer(
    name="roles", help="Roles and their permissions; give roles to users.", no_args_is_help=True
)
GROUPS = {"roles": roles_app}
ATTRIBUTE_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
# What an ERP row scope accepts as a `:user.<attribute>` value (dari.erp.scope.SAFE_VALUE).
ATTRIBUTE_VALUE = re.compile(r"[\w .\-@가-힣]{1,64}")
NO_TABLES = ("no such table", "doesn't exist", "does not exist", "undefinedtable")


class UserLookupError(Exception):
    """Why a command cannot act as a user, in one line."""


def _missing_tables(exc: BaseException) -> bool:
    text = f"{type(getattr(exc, 'orig', exc)).__name__} {exc}".lower()
    return any(marker in text for marker in NO_TABLES)


async def load_principal(settings: Settings, username: str) -> Principal:
    """The active user's Principal, or `UserLookupError` saying what to do (no traceback):
    no database yet, no user of that name, or a deactivated user."""
    from sqlalchemy.exc import DBAPIError

    from dari.auth import repository
    from dari.auth.service import build_principal
    from dari.cli.common import safe_url
    from dari.core.runtime import build_runtime

    runtime = build_runtime(settings)
    try:
        async with runtime.sessionmaker() as session:
            try:
                user = await repository.get_user_by_username(session, username)
            except DBAPIError as exc:
                if _missing_tables(exc):
                    raise UserLookupError(
                        f"no users yet: the database at {safe_url(settings.database_url)} is "
                        "not set up; run `dari db upgrade`, then create a user with "
                        "`dari users create --username NAME --role admin`"
                    ) from None
                raise UserLookupError(
                    f"cannot read users from {safe_url(settings.database_url)}: "
                    f"{type(exc.orig).__name__}: {str(exc.orig).splitlines()[0][:200]}"
                ) from None
            except OSError as exc:
                raise UserLookupError(
                    f"cannot reach the database at {safe_url(settings.database_url)}: {exc}"
                ) from None
            if user is None:
                raise UserLookupError(
                    f"no user {username!r}; create one with "
                    f"`dari users create --username {username}` or the admin console"
                )
            if not user.is_active:
                raise UserLookupError(f"user {username!r} is deactivated")
            return await build_principal(session, user)
    finally:
        await runtime.close()


def principal_or_exit(settings: Settings, username: str) -> Principal:
    try:
        return run(load_principal(settings, username))
    except UserLookupError as exc:
        fail(str(exc))


def _password(from_stdin: bool) -> str:
    if from_stdin:
        value = sys.stdin.readline().rstrip("\r\n")
        if not value:
            fail("no password on standard input", code=2)
        return value
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


def _in_session(work: Callable[[Runtime, AsyncSession], Awaitable[T]]) -> T:
    """Apply migrations, run `work` in one transaction and commit it; domain errors end cleanly."""
    from dari.auth.service import ensure_builtin_roles
    from dari.cli.preflight import PreflightError, check_database
    from dari.core.errors import DariError
    from dari.core.runtime import build_runtime

    settings = settings_or_exit()

    async def main() -> T:
        await check_database(settings, apply_migrations=True)
        runtime = build_runtime(settings)
        try:
            async with runtime.sessionmaker() as session:
                await ensure_builtin_roles(session)
                result = await work(runtime, session)
                await session.commit()
                return result
        finally:
            await runtime.close()

    try:
        return run(main())
    except PreflightError as exc:
        fail(str(exc))
    except DariError as exc:
        extra = "".join(f" {k}={v}" for k, v in exc.extra.items())
        fail(f"{exc.message or exc.code}{extra}", code=1)


@app.command("create")
def create(
    username: Annotated[str, typer.Option(help="Login id (letters, digits, . _ @ -).")],
    role: Annotated[list[str], typer.Option(help="Role (repeatable): admin, manager, …")] = [],  # noqa: B006
    department: Annotated[
        str | None, typer.Option(help="Department id, code or name (created if missing).")
    ] = None,
    display_name: Annotated[str, typer.Option(help="Name shown in the UI.")] = "",
    email: Annotated[str | None, typer.Option(help="E-mail address.")] = None,
    password_stdin: Annotated[bool, typer.Option(help="Read the password from stdin.")] = False,
) -> None:
    """Create a user (default role: employee). The password is prompted for or read from stdin."""
    from dari.auth import admin
    from dari.auth.service import get_auth

    password = _password(password_stdin)

    async def work(runtime: Runtime, session: AsyncSession) -> str:
        if department:  # the first users come before any department admin: create it
            await admin.ensure_department(session, department)
        user = await admin.create_user(
            get_auth(runtime),
            session,
            username=username,
            password=password,
            display_name=display_name,
            email=email,
            department=department,
            roles=role or ["employee"],
        )
        from dari.audit.service import record

        await record(
            session,
            "user.create",
            actor_name="cli",
            subject_type="user",
            subject_id=user.id,
            details={"roles": sorted(role or ["employee"])},
        )
        return user.id

    user_id = _in_session(work)
    typer.echo(f"created user {username} ({user_id})")


@app.command("list")
def list_users() -> None:
    """List users: login id, active flag, roles, department."""
    from dari.auth import repository as repo

    async def work(_runtime: Runtime, session: AsyncSession) -> list[str]:
        users, _total = await repo.list_users(
            session, offset=0, limit=10000, query=None, active=None
        )
        lines = []
        for user in users:
            roles = ",".join(await repo.role_names(session, user.id)) or "-"
            dept = await repo.get_department(session, user.department_id or "")
            state = "active" if user.is_active else "inactive"
            lines.append(f"{user.username}\t{state}\t{roles}\t{dept.name if dept else '-'}")
        return lines

    for line in _in_session(work):
        typer.echo(line)


@app.command("set-password")
def set_password(
    username: Annotated[str, typer.Argument(help="Login id.")],
    password_stdin: Annotated[bool, typer.Option(help="Read the password from stdin.")] = False,
) -> None:
    """Set a user's password; signs them out everywhere."""
    from dari.auth import admin
    from dari.auth import repository as repo
    from dari.auth.service import get_auth

    password = _password(password_stdin)

    async def work(runtime: Runtime, session: AsyncSession) -> None:
        user = await repo.get_user_by_username(session, username)
        if user is None:
            raise AuthError("user_not_found", f"no user {username!r}")
        await admin.set_password(get_auth(runtime), session, user, password)
        from dari.audit.service import record

        await record(
            session,
            "user.password_reset",
            actor_name="cli",
            subject_type="user",
            subject_id=user.id,
        )

    _in_session(work)
    typer.echo(f"password of {username} changed")


@app.command("deactivate")
def deactivate(username: Annotated[str, typer.Argument(help="Login id.")]) -> None:
    """Deactivate a user and revoke their sessions and tokens."""
    from dari.auth import admin
    from dari.auth import repository as repo
    from dari.auth.service import get_auth

    async def work(runtime: Runtime, session: AsyncSession) -> None:
        user = await repo.get_user_by_username(session, username)
        if user is None:
            raise AuthError("user_not_found", f"no user {username!r}")
        await admin.set_active(get_auth(runtime), session, user, False)
        from dari.audit.service import record

        await record(
            session, "user.deactivate", actor_name="cli", subject_type="user", subject_id=user.id
        )

    _in_session(work)
    typer.echo(f"{username} deactivated")


@app.command("rotate-keys")
def rotate_keys(
    revoke_old: Annotated[
        bool, typer.Option(help="Delete the old keys now (a leaked key): their tokens die.")
    ] = False,
) -> None:
    """Make a new signing key; the old one verifies tokens until they expire, then is deleted."""
    from dari.auth.keys import KeyConfigError, KeyStore

    settings = settings_or_exit()
    store = KeyStore(settings)
    try:
        store.load()
        kid, removed = store.rotate(revoke_old=revoke_old)
    except KeyConfigError as exc:
        fail(str(exc))
    typer.echo(f"new signing key {kid} in {store.directory}")
    for old in removed:
        typer.echo(f"deleted expired key {old}")


async def _user(session: AsyncSession, username: str) -> User:
    from dari.auth import repository as repo

    user = await repo.get_user_by_username(session, username)
    if user is None:
        raise AuthError("user_not_found", f"no user {username!r}")
    return user


def _attribute(pair: str) -> tuple[str, str]:
    key, sep, value = pair.partition("=")
    key, value = key.strip(), value.strip()
    if not sep or not ATTRIBUTE_KEY.fullmatch(key):
        fail(
            f"{pair!r}: write key=value (key: letters, digits, _), e.g. erp_employee_code=E1001",
            code=2,
        )
    if value and not ATTRIBUTE_VALUE.fullmatch(value):
        fail(
            f"{key}: {value!r} is not usable in an ERP row scope "
            "(letters, digits, Hangul, space . - @ _; at most 64)",
            code=2,
        )
    return key, value


@app.command("set-attr")
def set_attr(
    username: Annotated[str, typer.Argument(help="Login id.")],
    pairs: Annotated[
        list[str],
        typer.Argument(
            help="key=value (e.g. erp_employee_code=E1001 department_code=D110); key= removes."
        ),
    ],
) -> None:
    """Set a user's ERP attributes (row scopes read them as :user.<key>); prints them all."""
    from dari.auth.service import get_auth

    changes = dict(_attribute(pair) for pair in pairs)

    async def work(runtime: Runtime, session: AsyncSession) -> dict[str, str]:
        user = await _user(session, username)
        before = {str(k): str(v) for k, v in (user.attributes or {}).items()}
        after = dict(before)
        for key, value in changes.items():
            if value:
                after[key] = value
            else:
                after.pop(key, None)
        user.attributes = after  # a new dict, so the JSON column is written
        await get_auth(runtime).invalidate_access(user)
        await session.flush()
        from dari.audit.service import record

        await record(
            session,
            "user.update",
            actor_name="cli",
            subject_type="user",
            subject_id=user.id,
            details={"fields": ["attributes"], "before": before, "after": after},
        )
        return after

    attributes = _in_session(work)
    shown = " ".join(f"{k}={v}" for k, v in sorted(attributes.items())) or "(none)"
    typer.echo(f"attributes of {username}: {shown}")


@roles_app.command("list")
def list_roles() -> None:
    """List roles: name, built-in flag, permissions, users holding it."""
    from dari.auth import repository as repo

    async def work(_runtime: Runtime, session: AsyncSession) -> list[str]:
        lines = []
        for role in await repo.list_roles(session):
            users = len(await repo.users_with_role(session, role.name))
            kind = "builtin" if role.builtin else "custom"
            permissions = ",".join(sorted(role.permissions or [])) or "-"
            lines.append(f"{role.name}\t{kind}\t{permissions}\t{users} users")
        return lines

    for line in _in_session(work):
        typer.echo(line)


@roles_app.command("create")
def create_role(
    name: Annotated[str, typer.Argument(help="Role name (lowercase letters, digits, _ -).")],
    permissions: Annotated[
        list[str] | None, typer.Argument(help="Permissions, e.g. erp:sales_by_period chat:use.")
    ] = None,
    description: Annotated[str, typer.Option(help="What the role is for.")] = "",
) -> None:
    """Create a role with permissions (e.g. `dari roles create sales erp:sales_by_customer`)."""
    from dari.auth import admin

    async def work(_runtime: Runtime, session: AsyncSession) -> list[str]:
        role = await admin.create_role(
            session, name=name, description=description, permissions=permissions or []
        )
        from dari.audit.service import record

        await record(
            session,
            "role.create",
            actor_name="cli",
            subject_type="role",
            subject_id=role.name,
            details={"permissions": role.permissions},
        )
        return list(role.permissions)

    granted = _in_session(work)
    typer.echo(f"created role {name}: {', '.join(granted) or 'no permissions'}")


def _change_role(name: str, permissions: list[str], users: list[str], *, grant: bool) -> list[str]:
    """Add (grant) or remove permissions of role `name` and give it to / take it from users."""
    from dari.auth import admin
    from dari.auth import repository as repo
    from dari.auth.service import get_auth

    if not permissions and not users:
        fail("name permissions and/or --user USER", code=2)

    async def work(runtime: Runtime, session: AsyncSession) -> list[str]:
        from dari.audit.service import record

        auth = get_auth(runtime)
        role = await repo.get_role(session, name)
        if role is None:
            raise AuthError("role_not_found", f"no role {name!r}; see `dari roles list`")
        done = []
        if permissions:
            admin.check_permissions(permissions)
            before = sorted(role.permissions or [])
            after = (
                sorted(set(before) | set(permissions))
                if grant
                else sorted(set(before) - set(permissions))
            )
            if after != before:
                await admin.update_role(auth, session, role, description=None, permissions=after)
                await record(
                    session,
                    "role.update",
                    actor_name="cli",
                    subject_type="role",
                    subject_id=role.name,
                    details={"before": before, "after": after},
                )
            done.append(f"role {name}: {', '.join(after) or 'no permissions'}")
        for username in users:
            user = await _user(session, username)
            before = await repo.role_names(session, user.id)
            wanted = set(before) | {name} if grant else set(before) - {name}
            if not wanted:
                raise AuthError(
                    "last_role", f"{username} has only role {name}; grant another first"
                )
            after = await admin.set_user_roles(auth, session, user, wanted)
            if after != before:
                await record(
                    session,
                    "user.roles",
                    actor_name="cli",
                    subject_type="user",
                    subject_id=user.id,
                    details={"before": before, "after": after},
                )
            done.append(f"user {username}: {', '.join(after)}")
        return done

    return _in_session(work)


RoleName = Annotated[str, typer.Argument(help="Role name.")]
Permissions = Annotated[
    list[str] | None, typer.Argument(help="Permissions, e.g. erp:sales_by_period erp:query.")
]
Users = Annotated[list[str] | None, typer.Option("--user", help="Login id (repeatable).")]


@roles_app.command("grant")
def grant(name: RoleName, permissions: Permissions = None, user: Users = None) -> None:
    """Add permissions to ROLE and/or give ROLE to users (--user)."""
    for line in _change_role(name, permissions or [], user or [], grant=True):
        typer.echo(line)


@roles_app.command("revoke")
def revoke(name: RoleName, permissions: Permissions = None, user: Users = None) -> None:
    """Remove permissions from ROLE and/or take ROLE away from users (--user)."""
    for line in _change_role(name, permissions or [], user or [], grant=False):
        typer.echo(line)
