"""Small Korean rules the router uses around the classifier.

- clauses: "재고가 몇 개고, 보증 기간은 어떻게 돼?" asks two things;
- follow-ups: "그럼 지난달은?" says nothing new except a period;
- unlinked names: "없는상사 미수금" names a company the ERP does not know;
- people: "김민준 대리 연차" asks about someone else;
- groups: "우리 팀원들 연차" asks about a group of people, not the user.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import pairwise

from dari.chat.router.features import Mention
from dari.search.analyzer import default_analyzer


def _words(text: str) -> list[str]:
    return text.split()


HANGUL = re.compile(r"[가-힣]")
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")
_CLAUSE_ENDINGS = frozenset(
    {"고", "는지", "ᆫ지", "ㄴ지", "은지", "며", "으며", "는데", "은데", "ᆫ데"}
)
_CONJUNCTIONS = re.compile(r"\s*(?:,|，|;|그리고|또한|아울러|및)\s*")
# "…남았는지랑 반차 규정도", "매출이랑 출장비 정산 방법": 랑/이랑/하고 join two questions.
_JOINING_PARTICLES = frozenset({"랑", "이랑", "하고"})
_FOLLOW_CUES = re.compile(
    r"^\s*(?:그럼|그러면|그렇다면|그리고|그 ?중(?:에)?|그 ?중에서|거기서|그 ?다음|이번엔|또|근데|"
    r"그건|그거|그 회사|그 거래처|그 품목|같은 ?조건)"
)
# Words that ask *how* to say or show something, not *what*: they do not make a new question.
_FILLER = frozenset(
    _words(
        "그럼 그러면 그렇다 그리고 그 중 거기 이번 또 근데 것 거 어떻다 얼마 뭐 "
        "무엇 어떻게 알다 알리다 주다 보다 보이다 하다 되다 있다 없다 좀 혹시 요 "
        "는 은 도 만 다시 그거 그건 경우 때 기준 건 수 몇 개 조회 확인 궁금 말하다 "
    )
)
_CONTENT_TAGS = ("NNG", "NNP", "VV", "VA", "XR", "SL", "MAG")
# How Korean company names end; a name ending so that links to nothing is an unknown company.
COMPANY_NAME = re.compile(
    r"((?:\(주\)|㈜|주식회사)\s*)?([가-힣A-Za-z0-9]{1,12}?"
    r"(?:상사|산업|전자|테크|기계|물산|유통|정공|오토|엔지니어링|건설|화학|제약|통상|무역|물류|"
    r"코리아|솔루션|시스템즈?|전기|금속|공업|제작소|인더스트리|플러스))"
    r"(?:\s*(?:\(주\)|㈜|주식회사))?(?=$|[\s,.?!은는이가을를의에와과랑도만께한]|에서|으로)"
)
_SURE_COMPANY = re.compile(r"(?:상사|산업|물산|통상|무역|엔지니어링|코리아|인더스트리|주식회사)$")


# Words that name a group of people, not the asking user: "팀원들", "부서원", "직원들",
# "우리 팀 사람들", "다들".
GROUP_OF_PEOPLE = re.compile(
    r"팀원|부서원|구성원|(?:직원|사원|사람|멤버|인원)들|다들|모두들|"
    r"(?:우리|팀|부서|전)\s*(?:직원|사원|사람|인원)|(?:팀|부서)\s*전체"
)


def names_group(text: str) -> bool:
    """The question is about a group of people ("우리 팀원들 남은 연차"), not the user alone."""
    return bool(GROUP_OF_PEOPLE.search(text))


def surely_company(name: str) -> bool:
    """Names no product or department ends with: 상사, 산업, 물산 … ("백두산업")."""
    return bool(_SURE_COMPANY.search(name))


PERSON_TITLE = re.compile(
    r"([가-힣]{2,4})\s*(?:(?:대리|과장|차장|부장|사원|주임|팀장|본부장|이사|상무|전무)님?|님|씨)"
    r"(?=$|[\s,.?!의은는이가을를에께])"
)


def clauses(text: str) -> list[tuple[int, int]]:
    """[start, end) spans of the parts of a question that ask separate things (≥ 2 or one)."""
    cuts: set[int] = set()
    for match in _CONJUNCTIONS.finditer(text):
        cuts.add(match.start())
        cuts.add(match.end())
    analyzer = default_analyzer()
    with analyzer._lock:
        tokens = analyzer._get().tokenize(text)
    for token in tokens:
        end = token.start + token.len
        joins = str(token.tag) in ("JC", "JKB") and token.form in _JOINING_PARTICLES
        ends = str(token.tag) == "EC" and token.form in _CLAUSE_ENDINGS
        if (ends or joins) and end < len(text) and text[end : end + 1].isspace():
            cuts.add(end)
    bounds = sorted({0, len(text), *cuts})
    spans = []
    for start, end in pairwise(bounds):
        piece = text[start:end]
        if _CONJUNCTIONS.fullmatch(piece) or not piece.strip():
            continue
        spans.append((start, end))
    # A piece too short to be a question of its own joins its neighbour.
    merged: list[tuple[int, int]] = []
    for span in spans:
        short = len(text[span[0] : span[1]].strip()) < 6
        if merged and (short or len(text[merged[-1][0] : merged[-1][1]].strip()) < 6):
            merged[-1] = (merged[-1][0], span[1])
        else:
            merged.append(span)
    return merged or [(0, len(text))]


def content_words(text: str, mentions: Sequence[Mention]) -> list[str]:
    """Meaningful words of `text` outside the mentions (periods, entities, codes)."""
    masked = list(text)
    for mention in mentions:
        for i in range(mention.start, min(mention.end, len(masked))):
            masked[i] = " "
    analyzer = default_analyzer()
    with analyzer._lock:
        tokens = analyzer._get().tokenize("".join(masked))
    words = []
    for token in tokens:
        tag = str(token.tag).split("-")[0]
        if tag in _CONTENT_TAGS and token.form not in _FILLER:
            words.append(token.form)
    return words


def is_follow_up(text: str, mentions: Sequence[Mention]) -> bool:
    """True when the message only changes a detail of the previous question.

    "그럼 지난달은?", "2팀은?", "한빛상사는?": a cue word or nothing but mentions left.
    """
    words = content_words(text, mentions)
    if not words:
        return True
    return bool(_FOLLOW_CUES.search(text)) and len(words) <= 2


def unknown_companies(text: str, linked: Sequence[Mention]) -> list[str]:
    """Company-like names in `text` that no linked entity covers ("없는상사")."""
    names = []
    for match in COMPANY_NAME.finditer(text):
        start, end = match.start(2), match.end(2)
        if any(m.start < end and start < m.end for m in linked):
            continue
        names.append(match.group(2))
    return names


# Common Korean surnames: a word before a title is a person's name only if it starts so.
SURNAMES = frozenset(
    _words(
        "김 이 박 최 정 강 조 윤 장 임 한 오 서 신 권 황 안 송 류 유 전 홍 고 문 "
        "양 손 배 백 허 남 심 노 하 곽 성 차 주 우 구 민 진 나 지 엄 채 원 천 방 "
        "공 현 함 변 염 여 추 도 소 석 선 설 마 길 연 위 표 명 기 반 왕 금 옥 육 "
        "인 맹 제 모 탁 국 어 은 편 용 예 경 봉 사 부 가 복 태 목 형 피 두 감 음 "
        "빈 동 온 호 범 좌 "
    )
)


# Words before 님 that are no names though they start like one (장모님, 사장님, 고객님).
NOT_NAMES = frozenset(
    _words(
        "장모 장인 부모 사장 고객 선생 손님 형님 누님 어머 아버 할머 할아버 시어머 시아버 "
        "교수 회장 대표 원장 기사 사모 따님 아드 이모 고모 삼촌 조부모 배우자 전무 상무 이사"
    )
)


def people(text: str) -> list[tuple[str, int, int]]:
    """Person names written with a title or 님/씨 ("김민준 대리"): (name, start, end)."""
    found = []
    for match in PERSON_TITLE.finditer(text):
        name = match.group(1)
        if (
            len(name) in (2, 3, 4)
            and name[0] in SURNAMES
            and not name.endswith(("팀", "부"))
            and not any(name.endswith(word) for word in NOT_NAMES)
        ):
            found.append((name, match.start(1), match.end(1)))
    return found


# What only the person themself (or HR) may see: pay, evaluations, contact and private data.
PERSONAL_RECORD = re.compile(
    r"연봉|급여|월급|임금|상여|성과급|인센티브|평가|고과|등급|징계|주소|전화|연락처|휴대폰|"
    r"핸드폰|주민|생년월일|생일|나이|가족|병가|병력|진단|건강검진 결과|휴직|퇴직금|대출|계좌|"
    r"연차|휴가"
)


def other_person_record(text: str, named: list[str], asker: str) -> str | None:
    """The other person whose record the question asks about ("박지훈 과장 인사평가 등급"),
    or None. `named`: employees the ERP knows in `text`; titled names count too."""
    names = [name for name, _, _ in people(text)] + named
    others = [name for name in names if name and name not in asker]
    return others[0] if others and PERSONAL_RECORD.search(text) else None
