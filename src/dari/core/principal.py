"""Who is asking: the identity every permission check, search filter and ERP row scope uses.

Built by the auth domain from a verified token (no database call needed for the common case);
consumed everywhere else. Domains depend on this, not on auth's tables.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from dari.core.access import principal_tokens


@dataclass(frozen=True)
class Principal:
    """An authenticated user (or an API key acting for one, with narrowed permissions).

    `department_path` lists department ids from the root down to the user's own department,
    so "this department and its sub-departments" checks need no lookup.
    """

    user_id: str
    username: str
    display_name: str = ""
    department_id: str | None = None
    department_path: tuple[str, ...] = ()
    roles: frozenset[str] = frozenset()
    permissions: frozenset[str] = frozenset()
    attributes: Mapping[str, str] = field(default_factory=dict)
    api_key_id: str | None = None

    def has(self, permission: str) -> bool:
        """True if granted exactly, or by a wildcard such as `erp:*` or `*`."""
        if permission in self.permissions or "*" in self.permissions:
            return True
        prefix = permission.split(":", 1)[0]
        return f"{prefix}:*" in self.permissions

    def access_tokens(self) -> frozenset[str]:
        """Tokens matched against a document's access list (see `dari.core.access`)."""
        return principal_tokens(self.user_id, self.roles, self.department_id, self.department_path)
