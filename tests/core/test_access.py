"""Access lists become tokens; a reader sees a document iff their tokens meet its tokens."""

from __future__ import annotations

import pytest

from dari.core.access import PUBLIC, AccessList, can_read, principal_tokens
from dari.core.principal import Principal

# 본사 (root) > 영업본부 > 영업1팀
SALES1 = Principal(
    user_id="u-kim",
    username="kim",
    department_id="d-sales1",
    department_path=("d-hq", "d-sales", "d-sales1"),
    roles=frozenset({"employee"}),
)
HR = Principal(
    user_id="u-lee", username="lee", department_id="d-hr", department_path=("d-hq", "d-hr")
)


def test_public_by_default() -> None:
    assert AccessList().tokens() == [PUBLIC]
    # `public` wins over anything else listed.
    assert AccessList(public=True, departments=["d-hr"]).tokens() == [PUBLIC]


def test_restricted_list_tokens_are_sorted_and_unique() -> None:
    access = AccessList(
        public=False, departments=["d-sales", "d-sales"], roles=["manager"], users=["u-lee"]
    )
    assert access.tokens() == ["dept+:d-sales", "role:manager", "user:u-lee"]
    exact = AccessList(public=False, departments=["d-sales"], include_subdepartments=False)
    assert exact.tokens() == ["dept:d-sales"]


def test_empty_restricted_list_is_readable_by_nobody() -> None:
    tokens = AccessList(public=False).tokens()
    assert tokens == ["nobody"]
    assert not can_read(tokens, SALES1.access_tokens())


def test_principal_tokens_cover_self_roles_and_department_tree() -> None:
    tokens = principal_tokens("u-kim", ["employee"], "d-sales1", ["d-hq", "d-sales", "d-sales1"])
    assert tokens == {
        PUBLIC,
        "user:u-kim",
        "role:employee",
        "dept:d-sales1",
        "dept+:d-hq",
        "dept+:d-sales",
        "dept+:d-sales1",
    }
    assert SALES1.access_tokens() == tokens
    # No department: only public, self and roles.
    assert principal_tokens("u-x", [], None, []) == {PUBLIC, "user:u-x"}


@pytest.mark.parametrize(
    ("access", "sales1", "hr"),
    [
        (AccessList(), True, True),
        (AccessList(public=False, departments=["d-sales"]), True, False),  # a sub-department
        (
            AccessList(public=False, departments=["d-sales"], include_subdepartments=False),
            False,  # only members of exactly 영업본부
            False,
        ),
        (
            AccessList(public=False, departments=["d-sales1"], include_subdepartments=False),
            True,
            False,
        ),
        (AccessList(public=False, departments=["d-hq"]), True, True),
        (AccessList(public=False, roles=["employee"]), True, False),
        (AccessList(public=False, users=["u-lee"]), False, True),
    ],
)
def test_who_may_read(access: AccessList, sales1: bool, hr: bool) -> None:
    tokens = access.tokens()
    assert can_read(tokens, SALES1.access_tokens()) is sales1
    assert can_read(tokens, HR.access_tokens()) is hr


def test_permission_wildcards() -> None:
    manager = Principal(user_id="m", username="m", permissions=frozenset({"erp:*", "docs:read"}))
    assert manager.has("erp:sales_by_period") and manager.has("docs:read")
    assert not manager.has("docs:manage") and not manager.has("admin:users")
    admin = Principal(user_id="a", username="a", permissions=frozenset({"*"}))
    assert admin.has("admin:users")
    # `erp:*` is not a prefix match on other namespaces.
    assert not manager.has("erpx:anything")
