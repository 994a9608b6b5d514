"""The router's fixed sentences, word for word (users and the bench see exactly these)."""

from __future__ import annotations

from dari.chat.router import messages


def test_refusals() -> None:
    assert messages.NOT_KOREAN == (
        "다리는 한국어 질문에 답합니다. 한국어로 다시 질문해 주세요. (Please ask in Korean.)"
    )
    assert messages.no_permission("매출 현황") == (
        "'매출 현황' 데이터를 조회할 권한이 없습니다. 필요하면 관리자에게 권한을 요청하세요."
    )
    assert messages.other_person("김민준") == (
        "다른 직원(김민준)의 정보는 조회할 권한이 없습니다. 본인의 정보만 조회할 수 있습니다."
    )


def test_not_found_is_one_sentence_for_hidden_and_missing_names() -> None:
    assert messages.not_found("없는상사", "customer", None) == (
        "조회할 수 있는 거래처 중에서 '없는상사'을(를) 찾을 수 없습니다"
        "(조회 권한이 없거나 없는 거래처입니다)."
    )
    seen: list[tuple[str, str]] = []

    def closest(kind: str, written: str) -> list[str]:
        seen.append((kind, written))
        return ["한빛상사", "한빛산업", "한빛물산", "한빛테크"]

    message = messages.not_found("한빛", "robot", closest)
    assert seen == [("robot", "한빛")]
    assert message.startswith("조회할 수 있는 항목 중에서 '한빛'")
    assert message.endswith(" 비슷한 이름: 한빛상사, 한빛산업, 한빛물산.")


def test_clarifications() -> None:
    assert messages.ambiguous("금강물산", ["금강물산 (C0007)", "금강물산 (C0019)"]) == (
        "'금강물산'에 해당하는 항목이 2개입니다: 금강물산 (C0007), 금강물산 (C0019). 어느 것인가요?"
    )
    assert messages.missing(["주문 번호", "연도"]) == (
        "조회하려면 주문 번호, 연도이(가) 필요합니다. 질문에 함께 알려 주세요."
    )
