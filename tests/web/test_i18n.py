"""Message catalogs: Korean and English have the same keys, and every key the client uses exists."""

from __future__ import annotations

import json
import re

from dari.web.assets import I18N_DIR, STATIC_DIR

STATIC_KEY = re.compile(
    r"""\bt\(\s*"([a-z_]+(?:\.[a-z0-9_]+)+)"|data-i18n(?:-[a-z]+)?="([^"]+)\""""
)


def catalogs() -> dict[str, dict[str, str]]:
    return {
        lang: json.loads((I18N_DIR / f"{lang}.json").read_text(encoding="utf-8"))
        for lang in ("ko", "en")
    }


def test_catalogs_have_the_same_keys_and_placeholders() -> None:
    ko, en = catalogs()["ko"], catalogs()["en"]
    assert set(ko) == set(en), set(ko) ^ set(en)
    for key in ko:
        assert ko[key].strip() and en[key].strip(), key
        assert set(re.findall(r"\{(\w+)\}", ko[key])) == set(re.findall(r"\{(\w+)\}", en[key])), key


def test_every_used_key_exists() -> None:
    keys = set(catalogs()["ko"])
    used: set[str] = set()
    for path in [*STATIC_DIR.rglob("*.js"), *STATIC_DIR.glob("*.html")]:
        for match in STATIC_KEY.finditer(path.read_text(encoding="utf-8")):
            used.add(match.group(1) or match.group(2))
    assert len(used) > 150
    assert not sorted(used - keys)


def test_error_codes_of_the_chat_protocol_have_messages() -> None:
    keys = set(catalogs()["ko"])
    codes = [
        "unauthorized", "token_expired", "bad_frame", "unknown_frame", "empty_message",
        "message_too_long", "busy", "not_found", "nothing_to_cancel", "rate_limited",
        "llm_unavailable", "llm_timeout", "llm_bad_output", "erp_unavailable", "internal_error",
    ]  # fmt: skip
    assert not [c for c in codes if f"error.{c}" not in keys]


def test_korean_is_the_default_and_korean() -> None:
    ko = catalogs()["ko"]
    hangul = re.compile(r"[\uac00-\ud7a3]")
    korean = [k for k, v in ko.items() if hangul.search(v)]
    assert len(korean) / len(ko) > 0.9
