"""`dari users …`: create and list users, set passwords, deactivate, rotate signing keys."""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from dari.api.problems import Problem
from dari.cli.common import fail, run, settings_or_exit
from dari.core.runtime import Runtime

T = TypeVar("T")

app = typer.Typer(name="users", help="Users, passwords and signing keys.", no_args_is_help=True)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        value = sys.stdin.readline().rstrip("\r\n")
        if not value:
            fail("no password on standard input", code=2)
        return value
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


def _in_session(work: Callable[[Runtime, AsyncSession], Awaitable[T]]) -> T:
    """Apply migrations, run `work` in one transaction and commit it; Problems end cleanly."""
    from dari.auth.service import ensure_builtin_roles
    from dari.cli.preflight import PreflightError, check_database
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
    except Problem as exc:
        extra = "".join(f" {k}={v}" for k, v in exc.extra.items())
        fail(f"{exc.detail or exc.code}{extra}", code=1)


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
            raise Problem(404, "user_not_found", f"no user {username!r}")
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
            raise Problem(404, "user_not_found", f"no user {username!r}")
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
