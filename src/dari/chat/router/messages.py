"""The fixed Korean sentences the router ends a call or a turn with.

Refusals (a question not in Korean, a tool the user may not use, another person's data, a
name not found) and clarifying questions (two matching names, a missing value, a name the
chosen data cannot be narrowed to). Code writes them from data; the model never does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

NOT_KOREAN = "다리는 한국어 질문에 답합니다. 한국어로 다시 질문해 주세요. (Please ask in Korean.)"

KIND_LABELS = {
    "customer": "거래처",
    "supplier": "공급처",
    "item": "품목",
    "department": "부서",
    "employee": "직원",
    "warehouse": "창고",
    "category": "품목군",
}


def no_permission(title: str) -> str:
    """The user's permissions do not include the tool titled `title`."""
    return f"'{title}' 데이터를 조회할 권한이 없습니다. 필요하면 관리자에게 권한을 요청하세요."


def other_person(name: str) -> str:
    """The question names another person for a tool that shows only one's own data."""
    return f"다른 직원({name})의 정보는 조회할 권한이 없습니다. 본인의 정보만 조회할 수 있습니다."


def not_found(
    written: str,
    kind: str,
    closest: Callable[[str, str], list[str]] | None,
    similar: str = "이름",
) -> str:
    """One sentence for a name outside the user's scope *and* a name that does not exist,
    so the answer never tells them apart ("태광엔지니어링" of another team vs "없는상사"),
    with the closest names the user may see. The name is quoted as the user wrote it. A code
    ("S200") reads the same, with the nearest codes (`similar="코드"`)."""
    label = KIND_LABELS.get(kind, "항목")
    message = (
        f"조회할 수 있는 {label} 중에서 '{written}'을(를) 찾을 수 없습니다"
        f"(조회 권한이 없거나 없는 {label}입니다)."
    )
    suggestions = closest(kind, written) if closest else []
    if suggestions:
        message += f" 비슷한 {similar}: " + ", ".join(suggestions[:3]) + "."
    return message


def ambiguous(written: str, options: Sequence[str]) -> str:
    """The name as written matches several entities equally; `options` are their labels."""
    listed = ", ".join(options)
    return f"'{written}'에 해당하는 항목이 {len(options)}개입니다: {listed}. 어느 것인가요?"


def missing(names: Sequence[str]) -> str:
    """The call needs values the question does not give (`names`, described in Korean)."""
    return f"조회하려면 {', '.join(names)}이(가) 필요합니다. 질문에 함께 알려 주세요."


def _ro(word: str) -> str:
    """The particle 로/으로 after `word` (으로 after a final consonant other than ㄹ)."""
    last = word[-1:] if word else ""
    if not "가" <= last <= "힣":
        return "로"
    final = (ord(last) - ord("가")) % 28
    return "으로" if final not in (0, 8) else "로"


def cannot_filter(written: str, kind: str, title: str, others: Sequence[str]) -> str:
    """The question names `written` (a `kind`) but the data titled `title` cannot be narrowed
    to it, so no figure is given as if it were; `others` are the titles of data that can."""
    label = KIND_LABELS.get(kind, "항목")
    message = (
        f"'{title}' 조회는 {label}('{written}'){_ro(label)} 거를 수 없어 "
        f"'{written}'만의 결과로 답할 수 없습니다."
    )
    if others:
        listed = ", ".join(f"'{other}'" for other in others[:3])
        message += f" {label}{_ro(label)} 거를 수 있는 조회: {listed}."
    return message + f" '{written}' 조건 없이 볼지, 다른 조회로 물을지 질문을 바꿔 알려 주세요."
