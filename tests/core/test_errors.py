"""One error model: every code raised in src/ is in the catalogue; domain errors answer
problem+json with the catalogue's status and a Korean message."""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

import pytest

from dari.chat.errors import HTTP_STATUS, ChatError
from dari.chat.protocol import ERROR_CODES, ErrorCode
from dari.core.errors import CATALOGUE, DariError, status_of
from dari.documents.errors import DocumentError
from dari.erp.base import ERROR_CODES as ERP_CODES
from dari.erp.base import ErpError
from dari.llm.base import ErrorCode as LLMErrorCode
from dari.llm.base import LLMTimeout
from dari.training.errors import TrainingError

SRC = Path(__file__).resolve().parents[2] / "src" / "dari"
HANGUL = re.compile(r"[가-힣]")
# `Problem(status, "code"` and `SomethingError("code"` in the source.
RAISED = re.compile(
    r'(?:Problem\(\s*\d{3},\s*|(?:Chat|Document|Auth|Erp|Training|Dari)Error\(\s*)"([a-z_]+)"'
)


def test_every_raised_code_is_in_the_catalogue() -> None:
    found: dict[str, str] = {}
    for path in SRC.rglob("*.py"):
        for code in RAISED.findall(path.read_text(encoding="utf-8")):
            found.setdefault(code, str(path.relative_to(SRC)))
    assert len(found) > 30
    missing = {code: where for code, where in found.items() if code not in CATALOGUE}
    assert not missing, f"add these codes to dari.core.errors.CATALOGUE: {missing}"


def test_chat_llm_and_erp_codes_are_in_the_catalogue() -> None:
    assert get_args(ErrorCode) == ERROR_CODES
    for code in (*ERROR_CODES, *get_args(LLMErrorCode), *ERP_CODES):
        assert code in CATALOGUE, code
    assert {code: CATALOGUE[code].status for code in ERROR_CODES} == HTTP_STATUS


def test_catalogue_messages_are_korean() -> None:
    for code, spec in CATALOGUE.items():
        assert HANGUL.search(spec.message), code
        assert 400 <= spec.status <= 599, code


def test_domain_errors_take_status_and_message_from_the_catalogue() -> None:
    error = DocumentError("empty_file")
    assert (error.status, error.message) == (400, CATALOGUE["empty_file"].message)
    assert ChatError("busy", "답변 중입니다.").http_status == 409
    assert LLMTimeout("늦습니다").http_status == 504
    assert isinstance(LLMTimeout("x"), DariError)
    erp = ErpError("erp_unavailable")
    assert isinstance(erp, DariError) and erp.status == 503
    assert erp.message == CATALOGUE["erp_unavailable"].message
    trained = TrainingError("gate_failed", "나빠졌습니다.")
    assert isinstance(trained, DariError) and (trained.status, trained.message) == (
        409,
        "나빠졌습니다.",
    )
    assert status_of("no_such_code") == 500
    with pytest.raises(KeyError):
        DariError("no_such_code")


async def test_a_domain_error_answers_problem_json() -> None:
    from fastapi import FastAPI
    from httpx import ASGITransport, AsyncClient

    from dari.api.problems import PROBLEM_JSON, install_problem_handlers

    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/boom")
    async def boom() -> None:
        raise DocumentError("too_large", "파일이 1MB보다 큽니다.", max_mb=1)

    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://t") as client:
        response = await client.get("/boom")
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM_JSON
    body = response.json()
    assert body["code"] == "too_large" and body["type"] == "urn:dari:problem:too_large"
    assert body["detail"] == "파일이 1MB보다 큽니다." and body["max_mb"] == 1
    assert body["title"] == "Content Too Large"


def test_http_and_websocket_name_a_lost_dependency_alike() -> None:
    from redis.exceptions import ConnectionError as RedisConnectionError

    from dari.chat.errors import dependency_failure
    from dari.core.errors import UNAVAILABLE

    lost = dependency_failure(RedisConnectionError("gone"))
    assert lost is not None and lost.code == "unavailable"
    assert lost.message == UNAVAILABLE["cache"] and HANGUL.search(lost.message)
    assert dependency_failure(ValueError("not a dependency")) is None
