"""Access-token verification: every kind of bad token is one identical 401, no DB needed."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from dari.api.problems import Problem
from dari.auth.deps import principal_from_token
from dari.auth.service import get_auth
from dari.core.runtime import Runtime
from tests.auth.conftest import assert_problem, same_problem
from tests.fixtures.auth import MakeUser, auth_headers


def _claims(runtime: Runtime, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "iss": "dari", "aud": "dari", "sub": "u-1", "iat": now, "nbf": now, "exp": now + 600,
        "typ": "access", "usr": "kim", "name": "김", "dept": None, "dpath": [], "roles": ["admin"],
        "perms": ["*"], "attrs": {}, "ver": 0,
    }  # fmt: skip
    claims.update(overrides)
    return claims


def _sign(runtime: Runtime, claims: dict[str, Any], **header: Any) -> str:
    key = get_auth(runtime).keys.signing_key()
    headers = {"kid": key.kid, **header}
    return jwt.encode(claims, key.private_key, algorithm=key.algorithm, headers=headers)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _bad_tokens(runtime: Runtime) -> dict[str, str]:
    keys = get_auth(runtime).keys
    good = _sign(runtime, _claims(runtime))
    head, payload, signature = good.split(".")
    forged = json.loads(base64.urlsafe_b64decode(payload + "=="))
    forged["perms"] = ["*"]
    forged["sub"] = "someone-else"
    kid = keys.signing_key().kid
    other = ed25519.Ed25519PrivateKey.generate()
    public_pem = keys.signing_key().public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return {
        "garbage": "not-a-token",
        "empty segments": "..",
        "bad base64": "eyJ!!!.eyJ!!!.sig",
        "expired": _sign(runtime, _claims(runtime, iat=1000, nbf=1000, exp=2000)),
        "not yet valid": _sign(runtime, _claims(runtime, nbf=int(time.time()) + 3600)),
        "wrong audience": _sign(runtime, _claims(runtime, aud="other")),
        "wrong issuer": _sign(runtime, _claims(runtime, iss="evil")),
        "no exp": _sign(runtime, {k: v for k, v in _claims(runtime).items() if k != "exp"}),
        "refresh typ": _sign(runtime, _claims(runtime, typ="refresh")),
        "tampered payload": f"{head}.{_b64(json.dumps(forged).encode())}.{signature}",
        "wrongly signed (same kid)": jwt.encode(
            _claims(runtime), other, algorithm="EdDSA", headers={"kid": kid}
        ),
        "other key (unknown kid)": jwt.encode(
            _claims(runtime), other, algorithm="EdDSA", headers={"kid": "other"}
        ),
        "no kid": jwt.encode(_claims(runtime), other, algorithm="EdDSA"),
        "alg none": f"{_b64(json.dumps({'alg': 'none', 'kid': kid}).encode())}."
        f"{_b64(json.dumps(_claims(runtime)).encode())}.",
        "alg none no signature": f"{_b64(json.dumps({'alg': 'none', 'kid': kid}).encode())}."
        f"{_b64(json.dumps(_claims(runtime)).encode())}",
        "HS256 with the public key": _hmac_confusion(runtime, public_pem, kid),
        "ES256 other key": jwt.encode(
            _claims(runtime),
            ec.generate_private_key(ec.SECP256R1()),
            algorithm="ES256",
            headers={"kid": kid},
        ),
        "huge": "a" * 20000,
        "bad claim types": _sign(runtime, _claims(runtime, roles="admin")),
    }


def _hmac_confusion(runtime: Runtime, public_pem: bytes, kid: str) -> str:
    import hashlib
    import hmac

    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": kid}).encode())
    payload = _b64(json.dumps(_claims(runtime)).encode())
    mac = hmac.new(public_pem, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64(mac)}"


async def test_every_bad_token_is_the_same_401(client: httpx.AsyncClient):
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    reference = assert_problem(await client.get("/api/me"), 401)
    assert reference["code"] == "unauthorized"
    for name, token in _bad_tokens(runtime).items():
        response = await client.get("/api/me", headers=auth_headers(token))
        body = assert_problem(response, 401)
        assert same_problem(body, reference), name
        assert response.headers["www-authenticate"] == "Bearer"
        with pytest.raises(Problem) as raised:
            await principal_from_token(runtime, token)
        assert raised.value.status == 401, name


async def test_token_carries_the_principal(
    runtime: Runtime, make_user: MakeUser, monkeypatch: pytest.MonkeyPatch
):
    principal, token = await make_user(
        runtime, username="park", roles=("manager",), department="영업1팀",
        attributes={"erp_employee_code": "E7", "sales_region": "부산"},
    )  # fmt: skip

    class NoDatabase:
        def __getattr__(self, name: str) -> Any:
            raise AssertionError("token verification touched the database")

        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            raise AssertionError("token verification touched the database")

    monkeypatch.setattr(runtime, "sessionmaker", NoDatabase())
    monkeypatch.setattr(runtime, "engine", NoDatabase())
    verified = await principal_from_token(runtime, token)
    assert verified == principal
    assert verified.has("erp:sales_by_region") and verified.has("docs:manage")
    assert not verified.has("admin:users")
    assert verified.attributes["sales_region"] == "부산"
    assert len(verified.department_path) == 1


async def test_deactivated_users_token_is_rejected(any_client: httpx.AsyncClient, make_user):
    runtime = any_client.app.state.runtime  # type: ignore[attr-defined]
    _admin, admin_token = await make_user(runtime, username="boss", roles=("admin",))
    user, token = await make_user(runtime, username="kim")
    assert (await any_client.get("/api/me", headers=auth_headers(token))).status_code == 200
    response = await any_client.patch(
        f"/api/admin/users/{user.user_id}", json={"is_active": False},
        headers=auth_headers(admin_token),
    )  # fmt: skip
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert_problem(await any_client.get("/api/me", headers=auth_headers(token)), 401)
    # The admin's own token is untouched.
    assert (await any_client.get("/api/me", headers=auth_headers(admin_token))).status_code == 200


async def test_role_change_revokes_old_tokens(any_client: httpx.AsyncClient, make_user):
    runtime = any_client.app.state.runtime  # type: ignore[attr-defined]
    _, admin_token = await make_user(runtime, username="boss", roles=("admin",))
    user, token = await make_user(runtime, username="kim", roles=("manager",))
    response = await any_client.put(
        f"/api/admin/users/{user.user_id}/roles", json={"roles": ["employee"]},
        headers=auth_headers(admin_token),
    )  # fmt: skip
    assert response.json()["roles"] == ["employee"]
    assert_problem(await any_client.get("/api/me", headers=auth_headers(token)), 401)


async def test_key_rotation_keeps_old_tokens_valid_until_expiry(runtime: Runtime, make_user):
    keys = get_auth(runtime).keys
    _, old_token = await make_user(runtime, username="kim")
    old_kid = keys.signing_key().kid
    new_kid, removed = keys.rotate()
    assert new_kid != old_kid and removed == []
    _, new_token = await make_user(runtime, username="lee")
    assert jwt.get_unverified_header(new_token)["kid"] == new_kid
    assert (await principal_from_token(runtime, old_token)).username == "kim"
    kids = {k["kid"] for k in keys.jwks()["keys"]}
    assert kids == {old_kid, new_kid}
    # Once the old key's grace (one token lifetime) has passed, its tokens stop verifying.
    state = json.loads(keys.state_path.read_text())
    state["retired"][old_kid] = time.time() - keys.grace_s - 1
    keys.state_path.write_text(json.dumps(state))
    keys._refresh(force=True)
    with pytest.raises(Problem):
        await principal_from_token(runtime, old_token)
    assert (await principal_from_token(runtime, new_token)).username == "lee"
    _, removed = keys.rotate()
    assert removed == [old_kid]
    assert not (keys.directory / f"{old_kid}.pem").exists()


async def test_jwks_endpoint_verifies_tokens(client: httpx.AsyncClient, make_user: MakeUser):
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    _, token = await make_user(runtime, username="kim")
    response = await client.get("/.well-known/jwks.json")
    assert response.status_code == 200
    jwk = response.json()["keys"][0]
    assert "d" not in jwk  # public part only
    public = jwt.PyJWK.from_dict(jwk)
    claims = jwt.decode(token, public.key, algorithms=[jwk["alg"]], audience="dari")
    assert claims["usr"] == "kim"


async def test_es256_keys(tmp_path, sqlite_template, make_user):
    import shutil

    from dari.config.auth import AuthSettings
    from tests.auth.conftest import client_for
    from tests.conftest import make_settings

    shutil.copy(sqlite_template, tmp_path / "dari.db")
    settings = make_settings(tmp_path, auth=AuthSettings(jwt_algorithm="ES256"))
    async with client_for(settings) as client:
        runtime = client.app.state.runtime  # type: ignore[attr-defined]
        _, token = await make_user(runtime, username="kim")
        assert jwt.get_unverified_header(token)["alg"] == "ES256"
        assert (await client.get("/api/me", headers=auth_headers(token))).status_code == 200
        assert (await client.get("/.well-known/jwks.json")).json()["keys"][0]["kty"] == "EC"


async def test_signing_key_file_from_settings(tmp_path, sqlite_template, make_user):
    import shutil

    from dari.config.auth import AuthSettings
    from tests.auth.conftest import client_for
    from tests.conftest import make_settings

    shutil.copy(sqlite_template, tmp_path / "dari.db")
    key = ed25519.Ed25519PrivateKey.generate()
    path = tmp_path / "signing.pem"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )  # fmt: skip
    settings = make_settings(tmp_path, auth=AuthSettings(signing_key_file=path))
    async with client_for(settings) as client:
        runtime = client.app.state.runtime  # type: ignore[attr-defined]
        _, token = await make_user(runtime, username="kim")
        jwt.decode(token, key.public_key(), algorithms=["EdDSA"], audience="dari")
        assert not (tmp_path / "keys").exists()


async def test_rotation_revoking_old_keys(runtime: Runtime, make_user: MakeUser):
    keys = get_auth(runtime).keys
    _, old_token = await make_user(runtime, username="kim")
    old_kid = keys.signing_key().kid
    _, removed = keys.rotate(revoke_old=True)
    assert removed == [old_kid]
    with pytest.raises(Problem):
        await principal_from_token(runtime, old_token)
    assert {k["kid"] for k in keys.jwks()["keys"]} == {keys.signing_key().kid}


async def test_other_replica_sees_rotation(runtime: Runtime, make_user: MakeUser):
    from dari.auth.keys import KeyStore

    keys = get_auth(runtime).keys
    keys.load()
    replica = KeyStore(runtime.settings)
    replica.load()
    new_kid, _ = replica.rotate()
    _, token = await make_user(runtime, username="kim")  # signed by this process
    # This process picks up the new key when a token names it (no restart).
    key = replica.signing_key()
    claims = jwt.decode(
        token, keys.signing_key().public_key, algorithms=[keys.signing_key().algorithm],
        audience="dari",
    )  # fmt: skip
    signed_by_replica = jwt.encode(claims, key.private_key, algorithm=key.algorithm,
                                   headers={"kid": new_kid})  # fmt: skip
    assert (await principal_from_token(runtime, signed_by_replica)).username == "kim"
