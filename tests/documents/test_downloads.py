"""Originals are downloaded as attachments that a browser never runs in Dari's origin."""

from __future__ import annotations

import httpx
import pytest

from tests.documents.builders import make_pdf
from tests.documents.test_api import runtime_of, upload
from tests.fixtures.auth import auth_headers

PAGE = (
    b"<!doctype html><html><body><h1>\xec\x97\xac\xeb\xb9\x84</h1>"
    b"<script>fetch('/api/me')</script><p>text</p></body></html>"
)
SVG_AS_TEXT = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.mark.parametrize(
    ("name", "data", "media_type"),
    [
        ("page.html", PAGE, "application/octet-stream"),
        ("image.svg.txt", SVG_AS_TEXT, "application/octet-stream"),
        ("notes.md", "# 회의\n\n<img src=x onerror=alert(1)>".encode(), "application/octet-stream"),
        ("report.pdf", make_pdf(["Quarterly report"]), "application/pdf"),
    ],
    ids=["html", "svg-as-text", "markdown", "pdf"],
)
async def test_originals_are_served_inert(
    client: httpx.AsyncClient, make_user, name: str, data: bytes, media_type: str
) -> None:
    _, admin = await make_user(runtime_of(client), username="admin", roles=("admin",))
    created = await upload(client, admin, name, data)
    assert created.status_code == 201, created.text
    response = await client.get(
        f"/api/documents/{created.json()['id']}/original", headers=auth_headers(admin)
    )
    assert response.status_code == 200 and response.content == data
    assert response.headers["content-type"] == media_type
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.headers["content-security-policy"] == "sandbox"
    assert response.headers["x-content-type-options"] == "nosniff"
