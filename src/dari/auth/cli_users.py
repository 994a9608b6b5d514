"""`dari users …`: create and list users, set passwords and ERP attributes, deactivate users,
rotate the token signing keys. Registered on `dari` through `dari.auth.cli.app`."""

from __future__ import annotations

import re
import sys
from typing import Annotated

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from dari.auth.cli_session import in_session, user_named
from dari.auth.errors import AuthError
from dari.cli.common import fail, settings_or_exit
from dari.core.runtime import Runtime

app = typer.Typer(
    name="users", help="Users, passwords, ERP attributes, signing keys.", no_args_is_help=True
)
ATTRIBUTE_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
# What an ERP row scope accepts as a `:user.<attribute>` value (dari.erp.scope.SAFE_VALUE).
ATTRIBUTE_VALUE = re.compile(r"[\w .\-@가-힣]{1,64}")


def _password(from_stdin: bool) -> str:
    if from_stdin:
        value = sys.stdin.readline().rstrip("\r\n")
        if not value:
            fail("no password on standard input", code=2)
        return value
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


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

    user_id = in_session(work)
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

    for line in in_session(work):
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

    in_session(work)
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

    in_session(work)
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
        user = await user_named(session, username)
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

    attributes = in_session(work)
    shown = " ".join(f"{k}={v}" for k, v in sorted(attributes.items())) or "(none)"
    typer.echo(f"attributes of {username}: {shown}")
