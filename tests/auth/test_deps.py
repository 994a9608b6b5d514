"""`CurrentUser`, `require(...)` and `require_any(...)` on an app built in the test."""

from __future__ import annotations

from typing import Annotated

import httpx
from fastapi import APIRouter, Depends

from dari.app import create_app
from dari.auth.deps import CurrentUser, require, require_any
from dari.config import Settings
from dari.core.principal import Principal
from tests.auth.conftest import assert_problem
from tests.fixtures.auth import MakeUser, auth_headers

DocsManager = Annotated[Principal, Depends(require("docs:manage"))]


def _router() -> APIRouter:
    router = APIRouter()

    @router.get("/t/user")
    async def user(principal: CurrentUser) -> dict[str, str]:
        return {"user": principal.username}

    @router.get("/t/alias")
    async def alias(principal: DocsManager) -> dict[str, str]:
        return {"user": principal.username}

    @router.get("/t/depends", dependencies=[Depends(require("erp:query", "docs:read"))])
    async def both() -> dict[str, bool]:
        return {"ok": True}

    @router.get("/t/any")
    async def any_of(
        principal: Annotated[Principal, Depends(require_any("admin:audit", "docs:manage"))],
    ) -> dict[str, str]:
        return {"user": principal.username}

    return router


async def test_dependencies(settings: Settings, make_user: MakeUser):
    app = create_app(settings)
    app.include_router(_router())
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            runtime = app.state.runtime
            _, employee = await make_user(runtime, username="kim")
            _, manager = await make_user(runtime, username="lee", roles=("manager",))
            _, querier = await make_user(
                runtime, username="park", roles=(), permissions=["erp:query", "docs:read"]
            )
            assert (await client.get("/t/user", headers=auth_headers(employee))).json() == {
                "user": "kim"
            }
            assert_problem(await client.get("/t/user"), 401)
            assert_problem(await client.get("/t/user", headers={"Authorization": "Basic x"}), 401)
            assert_problem(await client.get("/t/alias", headers=auth_headers(employee)), 403)
            assert (await client.get("/t/alias", headers=auth_headers(manager))).status_code == 200
            # erp:* covers erp:query; both permissions are needed.
            assert (
                await client.get("/t/depends", headers=auth_headers(manager))
            ).status_code == 200
            assert (
                await client.get("/t/depends", headers=auth_headers(querier))
            ).status_code == 200
            assert_problem(await client.get("/t/depends", headers=auth_headers(employee)), 403)
            assert (await client.get("/t/any", headers=auth_headers(manager))).status_code == 200
            assert_problem(await client.get("/t/any", headers=auth_headers(querier)), 403)
