"""`dari roles …`: list and create roles, grant or revoke a role's permissions, give a role to
users or take it away. Registered on `dari` through `dari.auth.cli.GROUPS`."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from dari.auth.cli_session import in_session, user_named
from dari.auth.errors import AuthError
from dari.cli.common import fail
from dari.core.runtime import Runtime

roles_app = typer.Typer(
    name="roles", help="Roles and their permissions; give roles to users.", no_args_is_help=True
)


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

    for line in in_session(work):
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

    granted = in_session(work)
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
            user = await user_named(session, username)
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

    return in_session(work)


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
