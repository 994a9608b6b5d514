"""One error model: every error code Dari answers with, its HTTP status and its Korean message.

Domains raise their own subclass of `DariError` (`DocumentError`, `ChatError`, …) with a code
from `CATALOGUE`; `dari.api.problems` turns any of them into `application/problem+json`, and the
chat WebSocket sends the same code and message as an `error` event. A code not listed here is
a programming error (`KeyError` at the raise), so the list below is the whole vocabulary.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ErrorSpec:
    status: int
    message: str  # the default message, in Korean, safe to show to a user


_RETRY = "잠시 후 다시 시도해 주세요."

CATALOGUE: dict[str, ErrorSpec] = {
    # --- any request -------------------------------------------------------------------------
    "bad_request": ErrorSpec(400, "요청을 읽을 수 없습니다."),
    "unauthorized": ErrorSpec(401, "로그인이 필요합니다."),
    "forbidden": ErrorSpec(403, "이 작업을 할 권한이 없습니다."),
    "not_found": ErrorSpec(404, "찾을 수 없습니다."),
    "method_not_allowed": ErrorSpec(405, "허용되지 않는 요청 방식입니다."),
    "conflict": ErrorSpec(409, "요청이 현재 상태와 충돌합니다."),
    "busy": ErrorSpec(409, "처리 중인 작업이 있습니다. " + _RETRY),
    "content_too_large": ErrorSpec(413, "요청이 너무 큽니다."),
    "unsupported_media_type": ErrorSpec(415, "지원하지 않는 요청 형식입니다."),
    "validation_error": ErrorSpec(422, "요청 값이 올바르지 않습니다."),
    "invalid_form": ErrorSpec(422, "입력값이 올바르지 않습니다."),
    "rate_limited": ErrorSpec(429, "요청이 너무 많습니다. " + _RETRY),
    "too_many_requests": ErrorSpec(429, "요청이 너무 많습니다. " + _RETRY),
    "internal_error": ErrorSpec(500, "예기치 않은 오류가 발생했습니다."),
    "service_unavailable": ErrorSpec(503, "서비스를 사용할 수 없습니다. " + _RETRY),
    "unavailable": ErrorSpec(503, "내부 서비스에 연결할 수 없습니다. " + _RETRY),
    # --- auth --------------------------------------------------------------------------------
    "invalid_credentials": ErrorSpec(401, "로그인 ID 또는 비밀번호가 올바르지 않습니다."),
    "token_expired": ErrorSpec(401, "로그인이 만료되었습니다. 다시 로그인해 주세요."),
    "too_many_attempts": ErrorSpec(429, "시도가 너무 많습니다. " + _RETRY),
    "account_not_linked": ErrorSpec(409, "외부 계정이 Dari 사용자와 연결되어 있지 않습니다."),
    "weak_password": ErrorSpec(422, "비밀번호가 너무 약합니다."),
    "invalid_username": ErrorSpec(422, "로그인 ID 형식이 올바르지 않습니다."),
    "invalid_permission": ErrorSpec(422, "알 수 없는 권한입니다."),
    "invalid_role": ErrorSpec(422, "역할 이름은 영문 소문자·숫자·_-로 2~64자입니다."),
    "permission_not_held": ErrorSpec(422, "본인에게 없는 권한은 API 키에 줄 수 없습니다."),
    "user_not_found": ErrorSpec(404, "사용자를 찾을 수 없습니다."),
    "role_not_found": ErrorSpec(404, "역할을 찾을 수 없습니다."),
    "department_not_found": ErrorSpec(404, "부서를 찾을 수 없습니다."),
    "session_not_found": ErrorSpec(404, "세션을 찾을 수 없습니다."),
    "api_key_not_found": ErrorSpec(404, "API 키를 찾을 수 없습니다."),
    "username_taken": ErrorSpec(409, "이미 사용 중인 로그인 ID입니다."),
    "department_exists": ErrorSpec(409, "같은 코드의 부서가 이미 있습니다."),
    "role_exists": ErrorSpec(409, "같은 이름의 역할이 이미 있습니다."),
    "builtin_role": ErrorSpec(409, "기본 역할의 권한은 바꿀 수 없습니다."),
    "self_deactivation": ErrorSpec(409, "자기 계정은 비활성화할 수 없습니다."),
    "last_role": ErrorSpec(409, "마지막 역할은 뺄 수 없습니다."),
    "department_cycle": ErrorSpec(422, "부서를 자기 하위 부서 아래로 옮길 수 없습니다."),
    # --- documents and search ----------------------------------------------------------------
    "empty_file": ErrorSpec(400, "빈 파일(0바이트)은 올릴 수 없습니다."),
    "too_large": ErrorSpec(413, "파일이 너무 큽니다."),
    "unsupported_type": ErrorSpec(415, "지원하지 않는 파일 형식입니다."),
    "invalid_access": ErrorSpec(422, "접근 목록이 올바르지 않습니다."),
    "missing_original": ErrorSpec(404, "저장된 원본 파일이 없습니다. 관리자에게 문의하세요."),
    "invalid_search": ErrorSpec(422, "검색 요청이 올바르지 않습니다."),
    # --- chat (also the WebSocket `error` event codes) ---------------------------------------
    "bad_frame": ErrorSpec(400, "메시지 형식이 올바르지 않습니다."),
    "unknown_frame": ErrorSpec(400, "알 수 없는 메시지 종류입니다."),
    "empty_message": ErrorSpec(422, "질문을 입력해 주세요."),
    "message_too_long": ErrorSpec(413, "질문이 너무 깁니다."),
    "nothing_to_cancel": ErrorSpec(409, "중지할 답변이 없습니다."),
    # --- training (also the stored error of a failed run) -------------------------------------
    "no_trainer": ErrorSpec(
        409, "이 서버에는 학습(trainer) 역할이 없어 LoRA 학습을 실행할 수 없습니다."
    ),
    "answer_required": ErrorSpec(422, "교정한 답변을 입력해 주세요."),
    "route_required": ErrorSpec(422, "교정한 경로(의도, 도구)를 입력해 주세요."),
    "bad_route": ErrorSpec(422, "교정한 경로가 올바르지 않습니다."),
    "empty_dataset": ErrorSpec(422, "검토된 예시가 없어 데이터셋을 만들 수 없습니다."),
    "too_few_examples": ErrorSpec(422, "검토된 예시가 너무 적습니다."),
    "corrupt_dataset": ErrorSpec(422, "데이터셋 파일을 읽을 수 없습니다."),
    "no_examples": ErrorSpec(422, "이 데이터셋의 학습용 부분에 예시가 없습니다."),
    "diverged": ErrorSpec(422, "학습 중 손실이 발산했습니다."),
    "disk_full": ErrorSpec(507, "디스크 공간이 부족해 저장하지 못했습니다."),
    "cancelled": ErrorSpec(409, "학습이 취소되었습니다. 아무것도 적용되지 않았습니다."),
    "interrupted": ErrorSpec(409, "학습이 중단되었습니다. 아무것도 적용되지 않았습니다."),
    "base_model_mismatch": ErrorSpec(409, "어댑터가 다른 기본 모델용입니다."),
    "adapter_unreadable": ErrorSpec(409, "어댑터를 읽을 수 없습니다."),
    "gate_failed": ErrorSpec(409, "후보가 평가에서 기존보다 나빠 적용할 수 없습니다."),
    "not_promotable": ErrorSpec(409, "이 실행은 적용할 수 없습니다."),
    "nothing_promoted": ErrorSpec(409, "되돌릴 적용 내역이 없습니다."),
    "train_extra_missing": ErrorSpec(
        503, "LoRA 학습에 필요한 패키지(torch, transformers, peft)가 설치되어 있지 않습니다."
    ),
    # --- LLM ---------------------------------------------------------------------------------
    "llm_unavailable": ErrorSpec(503, "언어 모델을 사용할 수 없습니다. " + _RETRY),
    "llm_timeout": ErrorSpec(504, "언어 모델의 응답이 너무 늦습니다. " + _RETRY),
    "llm_bad_output": ErrorSpec(502, "언어 모델의 응답을 해석할 수 없습니다."),
    # --- ERP ---------------------------------------------------------------------------------
    "erp_forbidden": ErrorSpec(403, "이 ERP 데이터를 조회할 권한이 없습니다."),
    "erp_unknown_tool": ErrorSpec(404, "그런 ERP 도구가 없습니다."),
    "erp_bad_arguments": ErrorSpec(422, "ERP 조회 조건이 올바르지 않습니다."),
    "erp_query_refused": ErrorSpec(422, "SQL이 거부되었습니다."),
    "erp_failed": ErrorSpec(502, "ERP 조회 중 오류가 발생했습니다. 관리자에게 문의하세요."),
    "erp_unavailable": ErrorSpec(503, "ERP에 연결할 수 없습니다. " + _RETRY),
    "erp_timeout": ErrorSpec(504, "ERP의 응답이 너무 늦습니다. " + _RETRY),
    "erp_catalog_invalid": ErrorSpec(
        503, "ERP 도구 카탈로그가 올바르지 않습니다. 관리자에게 문의하세요."
    ),
}


# `service_unavailable` / `unavailable`, naming the part that is gone (HTTP `part`, like /readyz).
UNAVAILABLE: dict[str, str] = {
    "database": "데이터베이스(database)에 연결할 수 없습니다. " + _RETRY,
    "cache": "캐시(cache) 서버에 연결할 수 없습니다. " + _RETRY,
    "service": "내부 서비스에 연결할 수 없습니다. " + _RETRY,
}


def message_of(code: str) -> str:
    """The catalogue's Korean message for `code`."""
    return CATALOGUE[code].message


def status_of(code: str) -> int:
    """The HTTP status of `code` (500 for a code that is not in the catalogue)."""
    spec = CATALOGUE.get(code)
    return spec.status if spec else 500


class DariError(Exception):
    """A failure a user may be told about: a catalogue `code`, a Korean `message`, a status.

    `message` defaults to the catalogue's; `extra` adds members to the problem document;
    `headers` are sent with the HTTP answer (e.g. `Retry-After`).
    """

    def __init__(
        self,
        code: str,
        message: str | None = None,
        *,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        spec = CATALOGUE[code]
        self.code = code
        self.message = message or spec.message
        self.status = spec.status
        self.headers = headers or {}
        self.extra = extra
        super().__init__(self.message)

    @property
    def http_status(self) -> int:
        return self.status

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r}, {self.message!r})"
