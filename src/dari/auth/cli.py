"""The auth domain's command groups and acting as a user from other commands.

`dari users …` (`app`, commands in `dari.auth.cli_users`) and `dari roles …` (`GROUPS`,
commands in `dari.auth.cli_roles`) are wired onto `dari` here, where `dari.cli.main` looks for
them; both run their work through `dari.auth.cli_session.in_session`.

`load_principal` gives other commands (`dari erp call --as USER`) one-line errors when the
database is not set up yet or the user does not exist."""

from __future__ import annotations

from dari.auth.cli_roles import roles_app
from dari.auth.cli_users import app
from dari.cli.common import fail, run
from dari.config import Settings
from dari.core.principal import Principal

__all__ = [
    "GROUPS",
    "UserLookupError",
    "app",
    "load_principal",
    "principal_or_exit",
    "roles_app",
]

GROUPS = {"roles": roles_app}
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
    """`load_principal` for a command: on a `UserLookupError`, print its line and exit 1."""
    try:
        return run(load_principal(settings, username))
    except UserLookupError as exc:
        fail(str(exc))
