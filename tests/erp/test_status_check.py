"""`GET /api/admin/erp/status` carries `dari erp check`'s findings for the admin console."""

from __future__ import annotations

from pathlib import Path

import httpx
import yaml

from dari.core.runtime import Runtime
from dari.erp.sample import CATALOG_PATH
from dari.erp.service import TOOLSET, get_erp_toolset
from tests.erp.conftest import make_toolset
from tests.fixtures.auth import MakeUser, auth_headers


async def test_status_lists_what_the_catalog_lacks_with_lines(
    client: httpx.AsyncClient, sqlite_erp: str, make_user: MakeUser, tmp_path: Path
) -> None:
    runtime: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
    _, admin = await make_user(runtime, username="root", roles=("admin",))

    runtime.put(TOOLSET, make_toolset(sqlite_erp))
    clean = (await client.get("/api/admin/erp/status", headers=auth_headers(admin))).json()
    assert not [f for f in clean["check"] if f["severity"] == "error"]
    await get_erp_toolset(runtime).close()

    data = yaml.safe_load(CATALOG_PATH.read_text(encoding="utf-8"))
    data["tools"][0].pop("examples")  # the router could never choose this tool
    unfinished = tmp_path / "erp.yaml"
    unfinished.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    runtime.put(TOOLSET, make_toolset(sqlite_erp, unfinished))
    body = (await client.get("/api/admin/erp/status", headers=auth_headers(admin))).json()
    await get_erp_toolset(runtime).close()
    errors = [f for f in body["check"] if f["severity"] == "error"]
    assert len(errors) == 1 and data["tools"][0]["name"] in errors[0]["message"]
    assert isinstance(errors[0]["line"], int) and errors[0]["line"] > 1
