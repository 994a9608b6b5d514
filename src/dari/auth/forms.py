"""Strict reading of the sign-in form: bounded size, valid UTF-8, no control characters in the
login id.

Starlette decodes form bytes that are not UTF-8 as Latin-1 without complaint, so the OAuth2
password form is read here instead: any byte sequence that is not UTF-8 (raw or
percent-encoded) is a 422, as is an over-long or missing field or a control character in the
login id; a body over 16 KiB is a 413.
"""

from __future__ import annotations

import unicodedata
from typing import Any
from urllib.parse import parse_qsl

from fastapi import Request

from dari.api.problems import Problem
from dari.core.errors import message_of

MAX_FORM_BYTES = 16 * 1024
# Fields compared, never stored or shown, so any character is harmless in them. The password
# policy refuses control characters in new passwords, but one set before it existed must still
# sign in: refusing it here (422) would lock its user out.
RAW_FIELDS = frozenset({"password"})
URLENCODED = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"

FORM_SCHEMA: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            URLENCODED: {
                "schema": {
                    "type": "object",
                    "required": ["username", "password"],
                    "properties": {
                        "username": {"type": "string", "maxLength": 150},
                        "password": {"type": "string", "maxLength": 1024, "format": "password"},
                        "grant_type": {"type": "string", "enum": ["password"]},
                    },
                }
            }
        },
    }
}


def _invalid(field: str, message: str, kind: str) -> Problem:
    error = {"loc": ["body", field], "msg": message, "type": kind}
    return Problem(422, "validation_error", message_of("validation_error"), errors=[error])


async def read_form(request: Request, limits: dict[str, int]) -> dict[str, str]:
    """The form fields named in `limits` (name → max characters), all required but
    `grant_type`; raises a 413/415/422 Problem for anything else."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in (URLENCODED, MULTIPART):
        raise Problem(415, "unsupported_media_type", f"양식은 {URLENCODED} 형식으로 보내 주세요.")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_FORM_BYTES:
        raise Problem(413, "content_too_large", "양식이 너무 큽니다.")
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise Problem(413, "content_too_large", "양식이 너무 큽니다.")
    try:
        text = body.decode("utf-8")
        if content_type == URLENCODED:
            pairs = parse_qsl(text, keep_blank_values=True, errors="strict", max_num_fields=10)
        else:
            form = await request.form(max_files=0, max_fields=10, max_part_size=MAX_FORM_BYTES)
            pairs = [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
    except (UnicodeDecodeError, ValueError):
        raise Problem(422, "invalid_form", "입력값이 UTF-8이 아닙니다. (Not UTF-8.)") from None
    except Exception:  # malformed multipart framing
        raise Problem(400, "bad_request", "양식을 읽을 수 없습니다.") from None
    values = dict(pairs)
    for name, limit in limits.items():
        value = values.get(name)
        if value is None:
            if name == "grant_type":
                continue
            raise _invalid(name, "Field required", "missing")
        if len(value) > limit:
            raise _invalid(name, f"At most {limit} characters", "string_too_long")
        if name not in RAW_FIELDS and any(unicodedata.category(c) == "Cc" for c in value):
            raise Problem(422, "invalid_form", "입력값에 허용되지 않는 문자가 있습니다.")
    if values.get("grant_type", "password") != "password":
        raise _invalid("grant_type", "Only the password grant is supported", "unsupported")
    if not values["username"] or not values["password"]:
        raise _invalid("username" if not values["username"] else "password", "Empty", "empty")
    return values
