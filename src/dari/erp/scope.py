"""Row scope: which rows of a tool a user may see, bound to the user's ERP attributes.

Rules are tried in order and the first whose `roles`/`permission` match applies. A rule
without `where`/`match` is unrestricted. A user lacking an attribute the rule needs gets
nothing (erp_forbidden) — never every row.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from dari.core.principal import Principal
from dari.erp.base import ErpError
from dari.erp.catalog import USER_REF, ScopeRule

# Attribute values are ERP codes and names; anything odder is refused rather than bound.
SAFE_VALUE = re.compile(r"^[\w .\-@가-힣]{1,64}$")
ATTRIBUTE_LABELS = {
    "erp_employee_code": "ERP 사원번호",
    "department_code": "ERP 부서코드",
    "sales_region": "영업 지역",
}


@dataclass(frozen=True)
class Scope:
    """The applied rule: a SQL predicate with `:user__<attr>` binds, or REST row matches."""

    where: str | None = None
    binds: dict[str, str] = field(default_factory=dict)
    match: dict[str, str] = field(default_factory=dict)  # row field → required value
    values: dict[str, str] = field(default_factory=dict)  # attribute → value (for the guard)

    @property
    def unrestricted(self) -> bool:
        return self.where is None and not self.match


def user_value(principal: Principal, attribute: str) -> str | None:
    value = principal.attributes.get(attribute)
    if value is None and attribute in ("user_id", "username", "department_id"):
        value = getattr(principal, attribute)
    if value is None or not SAFE_VALUE.match(str(value)):
        return None
    return str(value)


def missing_attribute(attribute: str) -> ErpError:
    label = ATTRIBUTE_LABELS.get(attribute, attribute)
    return ErpError(
        "erp_forbidden",
        f"계정에 {label}({attribute}) 정보가 연결되어 있지 않아 이 ERP 데이터를 볼 수 없습니다. "
        "관리자에게 ERP 계정 연결을 요청하세요.",
    )


def resolve(rules: Sequence[ScopeRule], principal: Principal) -> Scope:
    """The scope `principal` gets under `rules` (empty rules: unrestricted)."""
    if not rules:
        return Scope()
    for rule in rules:
        if rule.roles and not set(rule.roles) & set(principal.roles):
            continue
        if rule.permission and not principal.has(rule.permission):
            continue
        values: dict[str, str] = {}
        for attribute in rule.user_attributes():
            value = user_value(principal, attribute)
            if value is None:
                raise missing_attribute(attribute)
            values[attribute] = value
        where = USER_REF.sub(lambda m: f":user__{m.group(1)}", rule.where) if rule.where else None
        binds = {f"user__{name}": value for name, value in values.items()}
        match = {column: values[ref.split(".", 1)[1]] for column, ref in rule.match.items()}
        return Scope(where=where, binds=binds, match=match, values=values)
    raise ErpError(
        "erp_forbidden", "이 데이터에 대해 허용된 조회 범위가 없습니다. 관리자에게 문의하세요."
    )
