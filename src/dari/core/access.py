"""Document access lists as *tokens*, so every search backend can filter inside the search.

A document's access list becomes a set of tokens stored on each of its chunks; a user becomes
the set of tokens they hold. The user may see a chunk iff the two sets intersect. Changing a
document's access list rewrites the chunk tokens only — no re-embedding.

Tokens:
- `public`              — every authenticated employee
- `user:<user_id>`      — one user
- `role:<role>`         — holders of a role
- `dept:<dept_id>`      — members of exactly that department
- `dept+:<dept_id>`     — members of that department or any sub-department
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, Field

PUBLIC = "public"


class AccessList(BaseModel):
    """Who may read a document. The default is every employee (`public: true`)."""

    public: bool = Field(True, description="Readable by every authenticated employee.")
    departments: list[str] = Field(default_factory=list, description="Department ids.")
    include_subdepartments: bool = Field(
        True, description="Whether members of sub-departments of `departments` may read it."
    )
    roles: list[str] = Field(default_factory=list, description="Role names.")
    users: list[str] = Field(default_factory=list, description="User ids.")

    def tokens(self) -> list[str]:
        if self.public:
            return [PUBLIC]
        prefix = "dept+:" if self.include_subdepartments else "dept:"
        tokens = [f"{prefix}{d}" for d in self.departments]
        tokens += [f"role:{r}" for r in self.roles]
        tokens += [f"user:{u}" for u in self.users]
        # An empty non-public list means "nobody but admins": a token no user holds.
        return sorted(set(tokens)) or ["nobody"]


def principal_tokens(
    user_id: str,
    roles: Iterable[str],
    department_id: str | None,
    department_path: Iterable[str],
) -> frozenset[str]:
    tokens = {PUBLIC, f"user:{user_id}"}
    tokens.update(f"role:{r}" for r in roles)
    if department_id:
        tokens.add(f"dept:{department_id}")
    tokens.update(f"dept+:{d}" for d in department_path)
    if department_id:
        tokens.add(f"dept+:{department_id}")
    return frozenset(tokens)


def can_read(document_tokens: Iterable[str], user_tokens: Iterable[str]) -> bool:
    return not set(document_tokens).isdisjoint(user_tokens)
