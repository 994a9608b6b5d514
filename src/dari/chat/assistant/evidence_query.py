"""What a Korean question asks for: its keywords, the kind of value it wants, codes and amounts.

- Keywords are Kiwi morphemes (the index's analyzer), without interrogatives and light verbs;
  a first-person pronoun (제가, 내가) also looks for 본인, the word policies use.
- The kind of value comes from the interrogative: 며칠 → a day count, 얼마 → an amount
  (얼마 동안 → a duration, 얼마마다 → a period), 몇 % → a percentage, 몇 시 → a time,
  몇 <counter> → a number with that counter, 누구 → a role, 어떻게 → a procedure, 써도 돼 →
  a permission, 언제 → a date. Units holding that kind of value get a boost.
- Codes (H107, E04, W03) must match exactly; quantities (1년, 2천만 원) are compared with the
  ranges a unit states (`5,000,000원 이상 30,000,000원 미만`, `1년 미만`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from dari.chat.assistant.evidence_ranks import ranks_of
from dari.chat.assistant.synonyms import Synonyms, load, normal
from dari.chat.assistant.tokens import question_tokens
from dari.search.analyzer import INDEX_TAGS

# Interrogatives, light verbs and pronouns: they say how to ask, not what about.
_STOP = frozenset(
    {"하", "되", "있", "수", "것", "지", "저", "나", "뭐", "무엇", "몇", "며칠", "얼마", "얼마나"}
    | {"누구", "언제", "어디", "어떻", "어떤", "어느", "왜", "알리", "주", "좀", "거", "게", "건"}
    | {"이", "그", "알", "궁금", "말", "같", "데", "때"}
)
_FIRST_PERSON = re.compile(r"(?:^|\s)(?:제가|저는|저도|내가|나는|저의|제)\s")
VERB_WEIGHT = 0.5
SYNONYM_WEIGHT = 0.7  # a word the question did not use, only meant (synonyms.py)
# 얼마 asks for money unless the question says what else it counts ("교체주기 얼마야?").
MONEY = re.compile(r"금액|비용|한도|상한|단가|돈|요금|수당|[가-힣]비(?![가-힣])|값")
_CODE = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{1,3}-?\d{2,}(?![A-Za-z0-9])")

# Counter words after 몇 → how the value is written in a document.
_COUNTERS = {
    "시간": r"시간",
    "분": r"분",
    "년": r"년",
    "개월": r"개월|달",
    "달": r"개월|달",
    "주": r"주",
    "자": r"자(?:리)?|글자",
    "번": r"번|회",
    "회": r"회|번",
    "점": r"점",
    "곳": r"곳|개|개사|군데",
    "개": r"개|개사|곳",
    "명": r"명|인",
    "배": r"배",
    "살": r"세|살",
    "세": r"세|살",
    "건": r"건",
    "층": r"층",
    # Units said aloud, written as symbols in manuals (몇 볼트 → 220 V).
    "볼트": r"\s?V(?![A-Za-z])|볼트",
    "와트": r"\s?W(?![A-Za-z])|와트",
    "암페어": r"\s?A(?![A-Za-z])|암페어",
    "킬로": r"\s?(?:kg|km|kW)|킬로",
    "키로": r"\s?(?:kg|km|kW)|키로",
    "센치": r"\s?cm|센치|센티",
    "센티": r"\s?cm|센치|센티",
    "미리": r"\s?mm|미리",
    "알피엠": r"\s?rpm|알피엠",
    "옴": r"\s?(?:Ω|MΩ|kΩ)|옴",
}
_NUMBER = r"(?<![\d.,])\d[\d,.]*\s*"
VALUE_PATTERNS = {
    "days": r"(?<!월 )(?<!월)(?<![\d.,])\d+(?:\.\d+)?\s*일(?!요)",
    "amount": _NUMBER + r"(?:억|천만|백만|만|천)?\s*(?:원|포인트)|USD|달러|\$\s?\d|실비",
    "percent": r"\d+(?:\.\d+)?\s*%",
    "time": r"\d{1,2}:\d{2}|(?:오전|오후|낮|밤|새벽)\s*\d{1,2}\s*시|(?<![\d.])\d{1,2}\s*시(?!간)",
    "duration": _NUMBER + r"(?:분|시간|일|주|개월|년)",
    "period": _NUMBER + r"(?:분|시간|일|주|개월|년)\s*마다|매(?:일|주|월|년|분기)|분기마다",
    "date": r"\d{1,2}\s*월\s*\d{1,2}\s*일|\d{1,2}/\d{1,2}|(?<![\d.])\d+\s*일\s*(?:전|이내|안)|"
    r"매(?:주|월|년)|말일",
    "role": r"본부장|팀장|부서장|센터장|실장|대표이사|사장|임원|부장|위원회|담당|결재권자|승인권자",
    "procedure": r"해야|하여야|하십시오|받아야|신청|제출|점검|확인|조치|등록|계산|정산|교체",
    "permission": r"금지|할 수 없|쓸 수 없|사용할 수 없|안 된다|아니한다|불가|허용|할 수 있|"
    r"사용할 수 있|만 사용",
    "code": r"(?<![A-Za-z0-9])[A-Z]{1,3}-?\d{2,}(?![A-Za-z0-9])",
    "phone": r"(?<![\d-])0\d{1,2}[-.) ]\s?\d{3,4}[-. ]\d{4}(?![\d-])|내선\s*(?:번호)?\s*\d{3,5}",
    "number": r"(?<![\d.,])\d{2,}",
    "quantity": _NUMBER
    + r"(?:%|점|원|개|명|배|kg|km|cm|mm|m|g|V|W|A|Ω|rpm|℃|°C|시간|분|일|주|개월|년|회|건)|"
    r"\d+\s*분의\s*\d+",
    "email": r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+",
}
# (question pattern, kinds of value it asks for), tried in order; all that match apply.
_ASKS: list[tuple[re.Pattern[str], tuple[str, ...]]] = [
    (re.compile(p), kinds)
    for p, kinds in [
        (r"며칠|몇\s*일", ("days",)),
        (r"몇\s*시(?!간)|언제부터|시각", ("time",)),
        (r"몇\s*(?:%|퍼센트|프로)|[률율](?:은|이|는|도)?\s", ("percent",)),
        (r"얼마\s*(?:동안|간)|얼마나\s*(?:오래|걸)|기간|기한", ("duration",)),
        (r"얼마\s*마다|얼마나\s*자주|주기", ("period",)),
        (
            r"얼마(?!\s*(?:동안|간|마다))(?!나\s*(?:오래|자주|걸))|금액|비용|한도|상한|단가",
            ("amount",),
        ),
        (r"언제", ("date",)),
        (r"누구|누가|결재권자|승인권자|책임자|어느\s*부서", ("role",)),
        (r"어떻게|방법|절차", ("procedure",)),
        (
            r"[가-힣]도\s*(?:돼|되나|되요|될까|되는지|괜찮)|가능(?:해|한가|한지|할까|합니까)|해도",
            ("permission",),
        ),
        (r"전화\s*번호|연락처|전화(?:는|를)?\s*(?:몇|뭐|어디)", ("phone",)),
        (r"메일\s*주소|이메일|메일\s*(?:뭐|어디)", ("email",)),
        (r"코드", ("code",)),
        (r"번호", ("number",)),
    ]
]
_HOW_MANY = re.compile(r"몇\s*([가-힣]+)")

# Quantities and the ranges documents state (`5년 이상 7년 미만`, `최대 11일`).
_SCALE = {"억": 1e8, "천만": 1e7, "백만": 1e6, "십만": 1e5, "만": 1e4, "천": 1e3}
_QUANTITY = re.compile(
    r"(?<![\d.,])(\d[\d,]*(?:\.\d+)?)\s*(억|천만|백만|십만|만|천)?\s*"
    r"(원|포인트|년|개월|주|일|시간|분|%|회|명|점|km)"
)
_LOWER = re.compile(r"^\s*(?:이|가)?\s*(?:이상|초과|넘|부터)")
_UPPER = re.compile(r"^\s*(?:이|가)?\s*(?:미만|이하|이내|까지|안에)")
_RATE = re.compile(r"^\s*(?:에(?:\s|$)|당|마다)")


@dataclass(frozen=True)
class Quantity:
    value: float
    unit: str  # 원, 년, 일, % … (포인트 counts as 원)
    text: str  # as written, for exact matches ("1년", "2천만 원")
    bound: str  # "" (a point), "rate" (1년에), "lower" (이상), "upper" (미만/이하/이내/최대)
    exclusive: bool = False  # an upper bound written 미만


@dataclass(frozen=True)
class Query:
    """The parts of a question that scoring uses."""

    terms: dict[str, float]  # keyword → weight
    kinds: tuple[str, ...]  # kinds of value asked for (keys of `value_patterns`)
    value_patterns: dict[str, re.Pattern[str]]
    codes: tuple[str, ...]  # upper case
    quantities: tuple[Quantity, ...]
    phrases: tuple[str, ...] = ()  # synonyms of its words, as written (also keys of `terms`)
    ranks: tuple[int, ...] = ()  # job ranks it names, as ladder positions (evidence_ranks)


def quantities(text: str) -> list[Quantity]:
    """Numbers with a unit in `text`, each with the bound a comparator after it sets."""
    found = []
    for match in _QUANTITY.finditer(text):
        number, scale, unit = match.groups()
        try:
            value = float(number.replace(",", "")) * _SCALE.get(scale or "", 1.0)
        except ValueError:
            continue
        after, before = (
            text[match.end() : match.end() + 6],
            text[max(0, match.start() - 4) : match.start()],
        )
        bound = "lower" if _LOWER.match(after) else ""
        if _UPPER.match(after) or "최대" in before:
            bound = "upper"
        elif "최소" in before:
            bound = "lower"
        elif _RATE.match(after):
            bound = "rate"  # "1년에 얼마": a period to count over, not a condition
        exclusive = bound == "upper" and after.lstrip().startswith(("미만", "이 미만", "가 미만"))
        unit = "원" if unit == "포인트" else unit
        found.append(Quantity(value, unit, match.group(0), bound, exclusive))
    return found


def range_fit(asked: tuple[Quantity, ...], stated: list[Quantity]) -> float:
    """+1 when every asked quantity lies inside the range the unit states for that unit of
    measure (+0.5 when that range is open on one side: `1년 이상` holds almost anything),
    -1 when one lies outside it, 0 when the unit states no range to compare."""
    verdict = 0.0
    for quantity in asked:
        if quantity.bound == "rate":
            continue
        bounds = [
            s
            for s in stated
            if _comparable(s.unit, quantity.unit) and s.bound in ("lower", "upper")
        ]
        if not bounds:
            continue
        # An asked range ("5년 이상") is represented by its bound: the start of what it covers.
        value = quantity.value - (1e-9 if quantity.bound == "upper" else 0.0)
        if bounds[0].unit != quantity.unit:  # 6개월 against "1년 미만": in the stated unit
            value = value * _DAYS[quantity.unit] / _DAYS[bounds[0].unit]
            bounds = [b for b in bounds if b.unit == bounds[0].unit]
        inside = all(_within(value, s) for s in bounds)
        if not inside:
            return -1.0
        closed = {s.bound for s in bounds} == {"lower", "upper"}
        verdict = max(verdict, 1.0 if closed else 0.5)
    return verdict


# Lengths of time in days, to compare 6개월 with "1년 미만" and 10일 with "2주 이내".
_DAYS = {"일": 1.0, "주": 7.0, "개월": 30.4375, "년": 365.25}


def _comparable(stated: str, asked: str) -> bool:
    return stated == asked or (stated in _DAYS and asked in _DAYS)


def _within(value: float, stated: Quantity) -> bool:
    if stated.bound == "lower":
        return value >= stated.value
    # 미만 excludes its bound; the other upper words (이하, 이내, 까지, 최대) include it.
    return value < stated.value if stated.exclusive else value <= stated.value


def analyse(question: str, synonyms: Synonyms | None = None) -> Query:
    """Split a question into what scoring needs. `synonyms`: the groups whose other words
    count as the question's own at a lower weight (default: the built-in ones)."""
    terms: dict[str, float] = {}
    tagged = _tagged(question)
    for term, tag in tagged:
        if term not in _STOP and not term.isdigit():
            # Verbs, adjectives and adverbs (받다, 쓰다, 최대로) say less than nouns do.
            weight = VERB_WEIGHT if tag[0] in "VM" else 1.0
            terms[term] = max(weight, terms.get(term, 0.0))
            stem = particle_stem(term) if tag.startswith("NN") else None
            if stem:
                terms.setdefault(stem, weight)
    phrases: list[str] = []
    for found in (synonyms if synonyms is not None else load()).find(question):
        said = normal("".join(found.forms))
        for word in found.group:
            # Matched as written, not by morphemes: Kiwi cuts 시업 into 시 + 업.
            phrase = normal(word)
            # Short Latin words (pc, as) hide inside other words.
            if phrase.isascii() and len(phrase) < 4:
                continue
            if phrase != said and len(phrase) >= 2 and phrase not in terms:
                terms[phrase] = SYNONYM_WEIGHT
                phrases.append(phrase)
    codes = tuple(dict.fromkeys(code.upper() for code in _CODE.findall(question)))
    for code in codes:  # Kiwi cuts H107 into h + 107; the code is matched whole instead
        for part in re.findall(r"[a-z]+|\d+", code.lower()):
            terms.pop(part, None)
    if _FIRST_PERSON.search(f" {question} "):
        terms.setdefault("본인", 0.8)
    kinds = [kind for pattern, asks in _ASKS if pattern.search(question) for kind in asks]
    if {"period", "duration"} & set(kinds) and not MONEY.search(question):
        kinds = [kind for kind in kinds if kind != "amount"]
    patterns = {kind: re.compile(VALUE_PATTERNS[kind]) for kind in kinds}
    for match in _HOW_MANY.finditer(question):
        word = match.group(1)
        counter = next(
            (c for c in sorted(_COUNTERS, key=len, reverse=True) if word.startswith(c)), ""
        )
        if counter and not (counter == "번" and "번호" in question):
            kind = f"count:{counter}"
            kinds.append(kind)
            patterns[kind] = re.compile(_NUMBER + f"(?:{_COUNTERS[counter]})")
    if "몇" in question and not any(k != "date" for k in kinds):
        kinds.append("number")
        patterns["number"] = re.compile(VALUE_PATTERNS["number"])
    return Query(
        terms,
        tuple(dict.fromkeys(kinds)),
        patterns,
        codes,
        tuple(quantities(question)),
        tuple(phrases),
        ranks_of(term for term, _ in tagged),
    )


def _tagged(text: str) -> list[tuple[str, str]]:
    """(term, tag) pairs of `text`: the index's terms, with the part of speech kept."""
    pairs = []
    for token in question_tokens(text):
        tag = str(token.tag).removesuffix("-I").removesuffix("-R")
        form = token.form.lower()
        if tag in INDEX_TAGS and form.strip():
            pairs.append((form, tag))
    return pairs


def idf(document_frequency: int, count: int) -> float:
    """BM25's idf over the candidate units: a term few units share weighs most."""
    return math.log(1.0 + (count - document_frequency + 0.5) / (document_frequency + 0.5))


# Kiwi sometimes leaves a particle on an unknown noun ("조화도", "공구는").
_PARTICLE = re.compile(r"(?:도|은|는|을|를|만|이나|랑|과|와)$")


def particle_stem(noun: str) -> str | None:
    """`noun` without a particle Kiwi left on it (조화도 → 조화), or None."""
    stem = _PARTICLE.sub("", noun)
    return stem if stem != noun and len(stem) >= 2 else None


def mentions(text: str, term: str) -> bool:
    """`term` (a morpheme) occurs in `text`: Latin letters and digits as a whole token, Hangul
    only from two syllables (one syllable — 팀, 원, 일 — is inside too many words)."""
    lowered = text.lower()
    if term.isascii():
        return re.search(rf"(?<![a-z0-9]){re.escape(term)}(?![a-z0-9])", lowered) is not None
    if len(term) < 2:
        return False
    # A synonym phrase (핵심근무시간) is kept without its spaces: look past them.
    return term in lowered or (len(term) >= 3 and term in normal(lowered))
