"""The external sign-in seam: claims mapped to a local user, kept in step, never a takeover."""

from __future__ import annotations

import pytest

from dari.api.problems import Problem
from dari.auth import repository as repo
from dari.auth.external import ClaimMapping, identity_from_claims, provision
from dari.auth.service import build_principal, ensure_builtin_roles, get_auth
from dari.core.runtime import Runtime
from tests.fixtures.auth import MakeUser

MAPPING = ClaimMapping(
    group_roles={"dari-admins": ("admin",), "sales-leads": ("manager",)},
    attribute_claims={"employee_number": "erp_employee_code"},
)


def _claims(**extra: object) -> dict[str, object]:
    claims: dict[str, object] = {
        "iss": "https://sso.example.co.kr/realms/corp", "sub": "f3a1", "name": "김민준",
        "preferred_username": "minjun.kim", "email": "minjun@example.co.kr",
        "department": "영업1팀", "groups": ["sales-leads", "unmapped"], "employee_number": 1001,
    }  # fmt: skip
    claims.update(extra)
    return claims


async def test_first_sign_in_creates_then_follows_the_provider(runtime: Runtime):
    auth = get_auth(runtime)
    async with runtime.sessionmaker() as session:
        await ensure_builtin_roles(session)
        user = await provision(auth, session, identity_from_claims(_claims(), MAPPING))
        principal = await build_principal(session, user)
        assert principal.roles == {"manager"} and user.password_hash is None
        assert principal.attributes["erp_employee_code"] == "1001"
        department = await repo.get_department(session, user.department_id or "")
        assert department is not None and department.name == "영업1팀"
        # Next sign-in: moved to another team and out of the leads group.
        again = identity_from_claims(_claims(groups=[], department="영업2팀"), MAPPING)
        same = await provision(auth, session, again)
        assert same.id == user.id
        principal = await build_principal(session, same)
        assert principal.roles == {"employee"}  # the default
        assert len(principal.department_path) == 1
        await session.commit()


async def test_local_account_is_not_taken_over(runtime: Runtime, make_user: MakeUser):
    await make_user(runtime, username="minjun.kim", roles=("admin",))
    async with runtime.sessionmaker() as session:
        with pytest.raises(Problem) as raised:
            await provision(get_auth(runtime), session, identity_from_claims(_claims(), MAPPING))
    assert raised.value.status == 409


@pytest.mark.parametrize(
    "bad", [{"sub": None}, {"preferred_username": 7}, {"iss": ""}, {"groups": "dari-admins"}]
)
def test_bad_claims(bad: dict[str, object]):
    if "groups" in bad:  # a malformed group list grants nothing
        assert identity_from_claims(_claims(**bad), MAPPING).roles == ("employee",)
        return
    with pytest.raises(Problem) as raised:
        identity_from_claims(_claims(**bad), MAPPING)
    assert raised.value.status == 401
