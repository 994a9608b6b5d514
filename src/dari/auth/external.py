"""The seam for external sign-in (OpenID Connect: Keycloak, Azure AD): claims → local user.

Not wired to an endpoint yet. An OIDC callback verifies the provider's ID token, then calls
`identity_from_claims` and `provision`, and issues Dari's own tokens with
`dari.auth.service.issue_tokens` — so Principal, refresh, revocation and audit stay the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from dari.api.problems import Problem
from dari.auth import admin
from dari.auth import repository as repo
from dari.auth.models import User
from dari.auth.service import Auth

EXTERNAL_ID = "external_id"  # attribute holding "<issuer>|<subject>"


@dataclass(frozen=True)
class ClaimMapping:
    """Which claims carry the login id, name, department and groups; groups → roles."""

    username_claim: str = "preferred_username"
    name_claim: str = "name"
    email_claim: str = "email"
    department_claim: str = "department"
    groups_claim: str = "groups"
    group_roles: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    default_roles: tuple[str, ...] = ("employee",)
    attribute_claims: Mapping[str, str] = field(default_factory=dict)  # claim → ERP attribute


@dataclass(frozen=True)
class ExternalIdentity:
    external_id: str
    username: str
    display_name: str
    email: str | None
    department: str | None
    roles: tuple[str, ...]
    attributes: Mapping[str, str]


def identity_from_claims(claims: Mapping[str, Any], mapping: ClaimMapping) -> ExternalIdentity:
    """Read verified ID-token claims; a claim of the wrong shape is a 401, never a 500."""
    issuer, subject = claims.get("iss"), claims.get("sub")
    username = claims.get(mapping.username_claim)
    if not all(isinstance(v, str) and v for v in (issuer, subject, username)):
        raise Problem(401, "unauthorized", "외부 인증 정보가 올바르지 않습니다.")
    groups = claims.get(mapping.groups_claim) or []
    if not isinstance(groups, list):
        groups = []
    roles = sorted(
        {r for g in groups if isinstance(g, str) for r in mapping.group_roles.get(g, ())}
    )
    department = claims.get(mapping.department_claim)
    email = claims.get(mapping.email_claim)
    attributes = {
        attribute: str(claims[claim])
        for claim, attribute in mapping.attribute_claims.items()
        if isinstance(claims.get(claim), str | int)
    }
    return ExternalIdentity(
        external_id=f"{issuer}|{subject}",
        username=str(username),
        display_name=str(claims.get(mapping.name_claim) or username),
        email=email if isinstance(email, str) else None,
        department=department if isinstance(department, str) and department else None,
        roles=tuple(roles) or mapping.default_roles,
        attributes=attributes,
    )


async def provision(auth: Auth, session: AsyncSession, identity: ExternalIdentity) -> User:
    """The local user for an external identity: created on first sign-in (no password), its
    department, roles and mapped attributes kept in step with the provider afterwards.

    A local account with the same login id that is not linked to this identity is never taken
    over (409): an administrator links it by setting its `external_id` attribute.
    """
    user = await repo.get_user_by_username(session, identity.username)
    attributes = {**identity.attributes, EXTERNAL_ID: identity.external_id}
    if identity.department:
        await admin.ensure_department(session, identity.department)
    if user is None:
        return await admin.create_user(
            auth, session, username=identity.username, password=None,
            display_name=identity.display_name, email=identity.email,
            department=identity.department, roles=identity.roles, attributes=attributes,
        )  # fmt: skip
    if (user.attributes or {}).get(EXTERNAL_ID) != identity.external_id:
        raise Problem(
            409, "account_not_linked", "같은 ID의 로컬 계정이 있습니다. 관리자에게 문의하세요."
        )
    if not user.is_active:
        raise Problem(401, "unauthorized", "외부 인증 정보가 올바르지 않습니다.")
    user.display_name, user.email = identity.display_name, identity.email
    if {**(user.attributes or {}), **attributes} != (user.attributes or {}):
        user.attributes = {**(user.attributes or {}), **attributes}
        await auth.invalidate_access(user)
    if await repo.role_names(session, user.id) != sorted(identity.roles):
        await admin.set_user_roles(auth, session, user, identity.roles)
    department = await admin.resolve_department(session, identity.department)
    if (department.id if department else None) != user.department_id:
        await admin.set_department(auth, session, user, identity.department)
    await session.flush()
    return user
