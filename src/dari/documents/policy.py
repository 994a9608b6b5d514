"""Who may read and who may manage a document.

- **Read** (get, list, preview, download, chunk, search): the document's access list must
  match the reader's tokens. Managing documents grants no reading: a manager sees exactly
  what the same person without `docs:manage` would see.
- **Manage** (`docs:manage`: change title or access list, reindex, delete, replace by
  re-upload): only documents the manager can read *and* either uploaded or whose access list
  names the manager's own department (`dept:` or `dept+:` of it) — the department's documents.
  A document shared with the whole company, or with another department only, is managed by
  its uploader and by administrators.
- **Administrators** (`docs:admin`, held through `*` by the built-in `admin` role) read and
  manage every document whatever its access list.

A manager's new access list (upload, change) must keep the manager among its readers, so a
manager cannot create a document they could no longer see or manage.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from dari.core.access import AccessList, can_read
from dari.core.principal import Principal

READ = "docs:read"
MANAGE = "docs:manage"
ADMIN = "docs:admin"


def sees_all(principal: Principal) -> bool:
    """True for document administrators: no access list applies to them."""
    return principal.has(ADMIN)


def may_read(principal: Principal, tokens: Collection[str]) -> bool:
    """Whether `principal` may read a document with these access tokens."""
    return sees_all(principal) or can_read(tokens, principal.access_tokens())


def department_tokens(principal: Principal) -> set[str]:
    """The tokens that name the principal's own department in an access list."""
    own = principal.department_id
    return {f"dept:{own}", f"dept+:{own}"} if own else set()


def may_manage(principal: Principal, uploader_id: str | None, tokens: Collection[str]) -> bool:
    """Whether `principal` may change, reindex, delete or replace the document."""
    if sees_all(principal):
        return True
    if not principal.has(MANAGE) or not can_read(tokens, principal.access_tokens()):
        return False
    if uploader_id is not None and uploader_id == principal.user_id:
        return True
    return not department_tokens(principal).isdisjoint(tokens)


def keeps_manager_reading(principal: Principal, access: AccessList) -> bool:
    """False when a (non-admin) manager would lock themselves out with this access list."""
    return sees_all(principal) or can_read(access.tokens(), principal.access_tokens())


def manageable_view(principal: Principal | None, document: Any) -> bool:
    """`may_manage` from the document's stored access list (for display, e.g. `can_manage`)."""
    if principal is None:
        return False
    tokens = AccessList.model_validate(document.access or {}).tokens()
    return may_manage(principal, document.uploader_id, tokens)
