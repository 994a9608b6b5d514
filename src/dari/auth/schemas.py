"""Request and response bodies of the auth endpoints."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from dari.auth.passwords import MAX_PASSWORD_CHARS


class TokenResponse(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_in: int = Field(description="Seconds until the access token expires.")


class RefreshRequest(BaseModel):
    refresh_token: str = Field(min_length=1, max_length=512)


class ChangePasswordRequest(BaseModel):
    current_password: str = Field(min_length=1, max_length=MAX_PASSWORD_CHARS)
    new_password: str = Field(min_length=1, max_length=MAX_PASSWORD_CHARS)


class DepartmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    code: str
    name: str
    parent_id: str | None


class MeResponse(BaseModel):
    id: str
    username: str
    display_name: str
    department: DepartmentOut | None
    department_path: list[str]
    roles: list[str]
    permissions: list[str]
    attributes: dict[str, str]
    api_key_id: str | None = None


class UserOut(BaseModel):
    id: str
    username: str
    display_name: str
    email: str | None
    department_id: str | None
    is_active: bool
    roles: list[str]
    attributes: dict[str, str]
    created_at: datetime
    password_changed_at: datetime | None


class UserPage(BaseModel):
    items: list[UserOut]
    total: int
    offset: int
    limit: int


class UserCreate(BaseModel):
    username: str = Field(min_length=2, max_length=64)
    password: str | None = Field(None, max_length=MAX_PASSWORD_CHARS)
    display_name: str = Field("", max_length=255)
    email: str | None = Field(None, max_length=255)
    department: str | None = Field(None, max_length=255, description="Id, code or name.")
    roles: list[str] = Field(default_factory=lambda: ["employee"], max_length=50)
    attributes: dict[str, str] = Field(default_factory=dict, max_length=50)


class UserUpdate(BaseModel):
    display_name: str | None = Field(None, max_length=255)
    email: str | None = Field(None, max_length=255)
    attributes: dict[str, str] | None = Field(None, max_length=50)
    is_active: bool | None = None


class RolesUpdate(BaseModel):
    roles: list[str] = Field(max_length=50)


class DepartmentUpdate(BaseModel):
    department: str | None = Field(None, max_length=255, description="Id, code or name.")


class PasswordReset(BaseModel):
    password: str = Field(min_length=1, max_length=MAX_PASSWORD_CHARS)


class RoleOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    name: str
    description: str
    permissions: list[str]
    builtin: bool


class RoleCreate(BaseModel):
    name: str = Field(min_length=2, max_length=64)
    description: str = Field("", max_length=255)
    permissions: list[str] = Field(max_length=200)


class RoleUpdate(BaseModel):
    description: str | None = Field(None, max_length=255)
    permissions: list[str] | None = Field(None, max_length=200)


class DepartmentCreate(BaseModel):
    code: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=255)
    parent: str | None = Field(None, max_length=255, description="Parent id, code or name.")


class DepartmentPatch(BaseModel):
    name: str | None = Field(None, min_length=1, max_length=255)
    parent: str | None = Field(None, max_length=255)


class SessionOut(BaseModel):
    id: str = Field(description="The session (refresh-token family) id.")
    user_id: str
    created_at: datetime
    expires_at: datetime
    ip: str | None
    user_agent: str | None


class ApiKeyCreate(BaseModel):
    user_id: str = Field(max_length=36)
    name: str = Field(min_length=1, max_length=255)
    permissions: list[str] = Field(min_length=1, max_length=100)
    expires_at: datetime | None = None


class ApiKeyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    user_id: str
    name: str
    prefix: str
    permissions: list[str]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyOut):
    key: str = Field(description="The secret; shown only in this response.")
