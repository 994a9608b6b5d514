"""Request bodies are limited before anything reads them: 413 problem+json, never the memory
of a whole 100 MB body before the 401 (issue 14, item 4)."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import Request
from fastapi.responses import JSONResponse

from dari.config.documents import DocumentSettings
from dari.config.server import ServerSettings
from tests.auth.conftest import assert_problem, client_for
from tests.conftest import make_settings

JSON = {"content-type": "application/json"}
FORM = {"content-type": "application/x-www-form-urlencoded"}
CHUNK = 64 * 1024
UNAUTHENTICATED = ["/api/search", "/api/auth/refresh", "/api/auth/logout"]


class Feeder:
    """A chunked request body (no Content-Length) that counts the chunks the server pulled."""

    def __init__(self, chunks: int) -> None:
        self.chunks = chunks
        self.pulled = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for _ in range(self.chunks):
            self.pulled += 1
            yield b"x" * CHUNK


def multipart(size: int) -> tuple[bytes, dict[str, str]]:
    boundary = "dari-test-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n'
            "Content-Type: text/plain\r\n\r\n"
        ).encode()
        + b"x" * size
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, {"content-type": f"multipart/form-data; boundary={boundary}"}


@pytest.mark.parametrize("path", UNAUTHENTICATED)
async def test_declared_length_over_the_limit_is_refused_unread(
    client: httpx.AsyncClient, path: str
) -> None:
    feeder = Feeder(chunks=40)  # 2.5 MiB, declared up front
    headers = {**JSON, "content-length": str(40 * CHUNK)}
    response = await client.post(path, content=feeder, headers=headers)
    body = assert_problem(response, 413)
    assert body["code"] == "content_too_large"
    assert body["max_bytes"] == 1024 * 1024
    assert "요청 본문이 너무 큽니다" in body["detail"] and "1 MiB" in body["detail"]
    assert body["request_id"] == response.headers["x-request-id"]
    assert response.headers["connection"] == "close"
    assert feeder.pulled == 0  # refused on the header alone


@pytest.mark.parametrize("path", [*UNAUTHENTICATED, "/api/auth/token"])
async def test_chunked_body_is_cut_off_at_the_limit(client: httpx.AsyncClient, path: str) -> None:
    feeder = Feeder(chunks=1600)  # 100 MiB if it were all read
    headers = FORM if path == "/api/auth/token" else JSON
    response = await client.post(path, content=feeder, headers=headers)
    body = assert_problem(response, 413)
    assert body["code"] == "content_too_large"
    assert response.request.headers["transfer-encoding"] == "chunked"
    # Reading stopped at the first chunk past 1 MiB: 17 chunks of 64 KiB, not 1600.
    assert feeder.pulled == 1024 * 1024 // CHUNK + 1


async def test_bodies_under_the_limit_still_work(client: httpx.AsyncClient) -> None:
    token = "r" * 500
    response = await client.post("/api/auth/refresh", json={"refresh_token": token})
    assert_problem(response, 401)  # read, parsed and refused as a token, not as a size
    feeder = Feeder(chunks=8)  # 512 KiB chunked: under the limit, read whole, then bad JSON
    response = await client.post("/api/auth/logout", content=feeder, headers=JSON)
    assert assert_problem(response, 422)["code"] == "validation_error"
    assert feeder.pulled == 8


async def test_an_overflow_caught_by_the_endpoint_still_answers_413(
    client: httpx.AsyncClient,
) -> None:
    app = client.app  # type: ignore[attr-defined]

    @app.post("/test-only/swallow")
    async def swallow(request: Request) -> JSONResponse:
        try:
            await request.body()
        except Exception:  # code that turns every read error into a 400
            return JSONResponse({"error": "bad body"}, status_code=400)
        return JSONResponse({"ok": True})

    response = await client.post("/test-only/swallow", content=Feeder(chunks=40), headers=JSON)
    assert assert_problem(response, 413)["code"] == "content_too_large"


async def test_uploads_keep_their_own_larger_limit(tmp_path: Path, sqlite_template: Path) -> None:
    shutil.copy(sqlite_template, tmp_path / "dari.db")
    settings = make_settings(
        tmp_path,
        server=ServerSettings(
            env="test", data_dir=tmp_path, log_format="text", max_body_bytes=64 * 1024
        ),
        documents=DocumentSettings(max_upload_mb=1),
    )
    async with client_for(settings) as client:
        content, headers = multipart(900 * 1024)  # over the JSON limit, under the upload one
        response = await client.post("/api/documents", content=content, headers=headers)
        assert_problem(response, 401)  # got past the size check to authentication
        content, headers = multipart(3 * 1024 * 1024)
        response = await client.post("/api/documents", content=content, headers=headers)
        body = assert_problem(response, 413)
        assert body["max_bytes"] == 1024 * 1024 + 64 * 1024
        # The upload limit is for multipart uploads only: JSON to the same path gets the small one.
        response = await client.post("/api/documents", content=b"x" * 100_000, headers=JSON)
        assert assert_problem(response, 413)["max_bytes"] == 64 * 1024
