"""The words of Korean period expressions: one precompiled regex and what each match means.

`tokens` cuts a question into period words (`작년`, `3월`, `15일`, `최근 3개월`…), each
with a partial `Spec`; `dari.chat.router.periods` chains and resolves them. Relative words
are turned into calendar fields here, against the turn's today, so `지난달 15일` and
`작년 3월` chain like `2026년 10월 15일` and `2025년 3월`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from dari.chat.router.periods_dates import add_months, shift_month, week_start


@dataclass(frozen=True)
class Spec:
    """A period as written: calendar fields (any may be missing) or an already fixed range."""

    year: int | None = None
    half: int | None = None
    quarter: int | None = None
    month: int | None = None
    day: int | None = None  # LAST_DAY for 말일
    part: int | None = None  # 1-3: 상순/초순, 중순, 하순
    fixed: tuple[date, date] | None = None  # relative weeks, days, "최근 N개월"…
    single: bool = False  # a point in time (a day), not a range
    strict_past: bool = False  # "지난 3월": the latest such unit that is already over


LAST_DAY = 99


@dataclass(frozen=True)
class Token:
    """One period word at [start, end) of the question.

    `alone`: "ok" — a period by itself; "drop" — only a prefix (`2025 3분기`'s `2025`);
    "cue" — a day (`15일`) that is a date only with a month, in a range or before 기준/현재,
    because leave questions use `15일` as a count of days.
    """

    start: int
    end: int
    spec: Spec
    pair: tuple[Spec, Spec] | None = None  # "3~5월": the two ends
    unit: str = ""  # the unit of a pair: 월, 분기 or 일
    alone: str = "ok"


# Numbers never start inside codes (SO2611015700, H107) or decimals (2.5월).
_B = r"(?<![0-9A-Za-z])(?<![0-9]\.)"
_HB = r"(?<![가-힣])"
_PARTICLE = (
    r"(?:에서|에는|에도|에|의|은|는|도|와|과|이랑|랑|하고|보다|까지|부터|만|엔|대비|기준"
    r"|동안|중|간|으로|로|이나|나|이|가|을|를)"
)
# Sino-Korean words that are also parts of other words (금월 in 요금월별, 전일 in 전일제)
# count only as whole words, particles allowed.
_WORD_END = rf"(?:(?![가-힣])|(?={_PARTICLE}{{1,2}}(?![가-힣])))"
_KMONTH = "십일|십이|삼|사|오|유|육|칠|팔|구|시|십"
_KMONTHS = {"십일": 11, "십이": 12, "삼": 3, "사": 4, "오": 5, "유": 6, "육": 6}
_KMONTHS |= {"칠": 7, "팔": 8, "구": 9, "시": 10, "십": 10}
_KQUARTERS = {"일": 1, "이": 2, "삼": 3, "사": 4}
_SUB = (
    r"(?:\d{1,2}\s?(?:[~-]\s?\d{1,2}\s?)?(?:월|분기|/\s?4\s?분기|사\s?분기)"
    rf"|[상하전후]반기|[Qq][1-4]|[일이삼사]\s?사\s?분기|(?:{_KMONTH})월)"
)
_QX = r"(?!\s?(?:연속|째|동안|간|만에|이상|이내|마다))"  # "3분기 연속" is a count

# Relative words: canonical form ("_" where a space may be) → (unit, offset).
_STRICT = {
    "금월": ("month", 0), "당월": ("month", 0), "이달": ("month", 0), "전월": ("month", -1),
    "전전월": ("month", -2), "내달": ("month", 1), "금주": ("week", 0),
    "금일": ("day", 0), "전일": ("day", -1), "그제": ("day", -2), "그끄제": ("day", -3),
    "내일": ("day", 1), "모레": ("day", 2), "금년": ("year", 0), "금년도": ("year", 0),
    "당해_연도": ("year", 0), "당해_년도": ("year", 0), "전년": ("year", -1),
    "전년도": ("year", -1), "전전년": ("year", -2), "전전년도": ("year", -2),
    "지난_해": ("year", -1), "명년": ("year", 1), "금_분기": ("quarter", 0),
    "당_분기": ("quarter", 0), "전_분기": ("quarter", -1), "전전_분기": ("quarter", -2),
    "당_반기": ("half", 0), "금_반기": ("half", 0),
}  # fmt: skip
_LOOSE = {
    "이번_달": ("month", 0), "지난_달": ("month", -1), "저번_달": ("month", -1),
    "지지난_달": ("month", -2), "저저번_달": ("month", -2), "전전_달": ("month", -2),
    "다음_달": ("month", 1), "다다음_달": ("month", 2), "이번_주": ("week", 0),
    "지난_주": ("week", -1), "저번_주": ("week", -1), "지지난_주": ("week", -2),
    "저저번_주": ("week", -2), "다음_주": ("week", 1), "다다음_주": ("week", 2),
    "오늘": ("day", 0), "어제": ("day", -1), "어저께": ("day", -1), "그저께": ("day", -2),
    "그끄저께": ("day", -3), "올해": ("year", 0), "올_한_해": ("year", 0),
    "이번_연도": ("year", 0), "이번_년도": ("year", 0), "작년": ("year", -1),
    "작년도": ("year", -1), "지난_연도": ("year", -1), "지난_년도": ("year", -1),
    "재작년": ("year", -2), "재작년도": ("year", -2), "지지난_해": ("year", -2),
    "내년": ("year", 1), "내년도": ("year", 1), "다음_해": ("year", 1),
    "다음_연도": ("year", 1), "다음_년도": ("year", 1), "내후년": ("year", 2),
    "이번_분기": ("quarter", 0), "지난_분기": ("quarter", -1), "직전_분기": ("quarter", -1),
    "저번_분기": ("quarter", -1), "지지난_분기": ("quarter", -2), "다음_분기": ("quarter", 1),
    "이번_반기": ("half", 0), "지난_반기": ("half", -1), "직전_반기": ("half", -1),
    "다음_반기": ("half", 1),
}  # fmt: skip
_REL = {k.replace("_", ""): v for k, v in (_STRICT | _LOOSE).items()}
# What must not follow a native word (이번 주문, 지난 달성률, 다음 해외, 오늘날).
_NOT_AFTER = {
    "달": r"(?!성|력|러|라|리|려|걀|래|콤|팽이|빛)",
    "주": r"(?!문|말|간|식|소|민|제|택|장|유|행|인|력|차|석|임|관|체|목|범|무|업|원|재|거|방"
    r"|전|담|빈|점|변|류|최|요|기)",
    "늘": r"(?!날)",
    "해": r"(?!외|결|당|석|소|명|양|산|운|약|임|체|지|고|서|야|줘|주|봐|보|요|라|놓|둬|두|버|드)",
}


def _rel_regex() -> str:
    def one(word: str, strict: bool) -> str:
        body = word.replace("_", r"\s?")
        if strict:
            return _HB + body + _WORD_END
        return body + _NOT_AFTER.get(word[-1], "")

    words = [(w, True) for w in _STRICT] + [(w, False) for w in _LOOSE]
    words.sort(key=lambda item: -len(item[0]))  # 작년도 before 작년
    return "|".join(one(w, s) for w, s in words)


_NATIVE = {"한": 1, "두": 2, "세": 3, "석": 3, "네": 4, "넉": 4, "다섯": 5, "여섯": 6}
_NATIVE |= {"일곱": 7, "여덟": 8, "아홉": 9, "열": 10, "열한": 11, "열두": 12}
_SINO = "일이삼사오육칠팔구"
_DAYS = {"하루": 1, "이틀": 2, "사흘": 3, "나흘": 4, "닷새": 5, "엿새": 6, "이레": 7}
_DAYS |= {"열흘": 10, "보름": 15}
_COUNT = (
    "열한|열두|다섯|여섯|일곱|여덟|아홉|열|한|두|세|석|네|넉"
    rf"|(?:[{_SINO[1:]}]?십)?[{_SINO}]|[{_SINO[1:]}]?십"
)
_TO_DATE = {"y": "올해", "m": "이번달", "q": "이번분기"}  # YTD, MTD, QTD
_RANGE_UNITS = {"rm": "월", "rq": "분기", "rd": "일"}  # "3~5월", "1~3분기", "1~15일"
_PARTS = {"상순": 1, "초순": 1, "중순": 2, "하순": 3}

_ALTERNATIVES = [
    ("date", _B + r"(?P<dy>(?:19|20)\d{2})\s?(?P<dsep>[-./])\s?(?P<dm>\d{1,2})\s?(?P=dsep)\s?"
     r"(?P<dd>\d{1,2})(?![0-9])(?:\.(?![0-9]))?"),
    ("ym", _B + r"(?P<ny>(?:19|20)\d{2})\s?[-./]\s?(?P<nm>0?[1-9]|1[0-2])(?![0-9])"
     r"(?!\s?[-./]\s?\d|\s?(?:%|만|억|천|원|배|점))(?:\s?월)?"),
    ("yq", _B + r"(?P<yqy>(?:19|20)\d{2})\s?[Qq](?P<yqq>[1-4])(?![0-9A-Za-z])"),
    ("year4", _B + r"(?P<y4>(?:19|20)\d{2})\s?(?:년도|연도|년)(?!생|대|차|간|치)"),
    ("year4p", _B + rf"(?P<y4p>(?:19|20)\d{{2}})(?=\s?{_SUB})"),
    ("year2", _B + r"(?P<y2>\d{2})\s?(?:년도|연도)"
     r"(?!\s?(?:넘|안\s|못|채|더|지나|지났|이상|이하|미만|되|됐))"),
    ("year2p", _B + rf"(?P<y2p>\d{{2}})\s?년(?=\s?{_SUB})"),
    *[(f"range_{key}", _B + rf"(?P<{key}1>\d{{1,2}})\s?(?:{unit}\s?)?[~-]\s?"
       rf"(?P<{key}2>\d{{1,2}})\s?{unit}(?!급)" + _QX) for key, unit in _RANGE_UNITS.items()],
    ("quarter", r"(?:제\s?)?" + _B + r"(?P<q>\d{1,2})\s?(?:/\s?4\s?|사\s?)?분기" + _QX),
    ("kquarter", _HB + r"(?P<kq>[일이삼사])\s?사\s?분기" + _QX),
    ("qletter", r"(?<![0-9A-Za-z])(?:[Qq](?P<ql>[1-4])|(?P<ql2>[1-4])[Qq])(?![0-9A-Za-z])"),
    ("md", r"(?<![0-9A-Za-z/.\-])(?P<sm>1[0-2]|0?[1-9])/(?P<sd>3[01]|[12][0-9]|0?[1-9])"
     r"(?![0-9/%]|\s?(?:분기|이상|이하|미만|초과|정도|수준|만큼|씩|배))"),
    ("month", _B + r"(?P<mon>\d{1,2})\s?월(?!급|세|요일)(?!\s?의\s?월급)"),
    ("day", _B + r"(?P<day>\d{1,2})\s?일(?!간|째|치|수|당|요일)"),
    ("lastday", r"말일"),
    ("rolling", r"(?:최근|지난|직전|과거)\s?(?:(?P<rdays>" + "|".join(_DAYS) + r")"
     r"|(?P<rhalf>반\s?년)|(?P<rn>\d{1,3}|" + _COUNT + r")\s?(?P<ru>개월|달|주일|주|일|년|해))"
     r"(?![0-9])(?:\s?(?:간|동안))?"),
    ("rel", f"(?P<rel>{_rel_regex()})"),
    ("past", rf"지난(?=\s?(?:\d{{1,2}}\s?(?:월|분기)|[상하]반기|(?:{_KMONTH})월))"),
    ("half", r"(?P<half>상반기|하반기|전반기|후반기)"),
    ("anchor", r"(?P<anchor>연초|년초|올초|월초)(?=\s?(?:부터|이후|이래|에서|~))"),
    ("todate", r"(?i:(?<![a-z])(?P<todate>ytd|mtd|qtd)(?![a-z]))"),
    ("kmonth", _HB + rf"(?P<kmon>{_KMONTH})월" + _WORD_END),
    ("part", r"(?P<part>상순|초순|중순|하순)"),
    ("thisyear", _HB + rf"올(?=\s?(?:{_SUB}|한\s?해|들어))"),
]  # fmt: skip
_MASTER = re.compile("|".join(f"(?P<K_{name}>{body})" for name, body in _ALTERNATIVES))
# Full-width digits and other look-alikes, one character for one so offsets stay put.
WIDTH = str.maketrans("０１２３４５６７８９～〜∼–—／．\u00a0", "0123456789~~~--/. ")


def _count(word: str) -> int:
    if word.isdigit():
        return int(word)
    if word in _NATIVE:
        return _NATIVE[word]
    tens, _, ones = word.rpartition("십")
    if "십" not in word:
        return _SINO.index(word) + 1
    return (_SINO.index(tens) + 1 if tens else 1) * 10 + (_SINO.index(ones) + 1 if ones else 0)


def _two_digit_year(value: int, today: date) -> int:
    # "25년도" is 2025; a year far beyond today is the last century's ("99년도").
    return 2000 + value if 2000 + value <= today.year + 20 else 1900 + value


def _relative(word: str, today: date) -> Spec:
    unit, offset = _REL[re.sub(r"\s", "", word)]
    if unit == "year":
        return Spec(year=today.year + offset)
    if unit == "half":
        index = today.year * 2 + (today.month - 1) // 6 + offset
        return Spec(year=index // 2, half=index % 2 + 1)
    if unit == "quarter":
        index = today.year * 4 + (today.month - 1) // 3 + offset
        return Spec(year=index // 4, quarter=index % 4 + 1)
    if unit == "month":
        year, month = shift_month(today.year, today.month, offset)
        return Spec(year=year, month=month)
    if unit == "week":
        monday = week_start(today) + timedelta(weeks=offset)
        return Spec(fixed=(monday, monday + timedelta(days=6)))
    day = today + timedelta(days=offset)
    return Spec(fixed=(day, day), single=True)


def _rolling(m: re.Match[str], today: date) -> Spec:
    if m["rdays"]:
        days = _DAYS[m["rdays"]]
    elif m["rhalf"]:
        return Spec(fixed=(add_months(today, -6) + timedelta(days=1), today))
    else:
        n, unit = _count(m["rn"]), m["ru"]
        if unit in ("개월", "달", "년", "해"):
            months = n * 12 if unit in ("년", "해") else n
            return Spec(fixed=(add_months(today, -months) + timedelta(days=1), today))
        days = n * 7 if unit.startswith("주") else n
    # Zero or fewer days ("최근 0일") leaves start after end: `periods` reports it.
    return Spec(fixed=(today - timedelta(days=days - 1), today))


def _token(kind: str, m: re.Match[str], today: date) -> Token:
    start, end = m.span()
    if kind == "date":
        spec = Spec(year=int(m["dy"]), month=int(m["dm"]), day=int(m["dd"]), single=True)
    elif kind == "ym":
        spec = Spec(year=int(m["ny"]), month=int(m["nm"]))
    elif kind == "yq":
        spec = Spec(year=int(m["yqy"]), quarter=int(m["yqq"]))
    elif kind in ("year4", "year4p"):
        return Token(start, end, Spec(year=int(m["y4"] or m["y4p"])), alone=_prefix(kind))
    elif kind in ("year2", "year2p"):
        year = _two_digit_year(int(m["y2"] or m["y2p"]), today)
        return Token(start, end, Spec(year=year), alone=_prefix(kind))
    elif kind.startswith("range_"):
        key = kind[6:]
        unit = _RANGE_UNITS[key]
        ends = (_unit_spec(unit, int(m[key + "1"])), _unit_spec(unit, int(m[key + "2"])))
        return Token(start, end, Spec(), ends, unit, "cue" if unit == "일" else "ok")
    elif kind in ("quarter", "kquarter", "qletter"):
        q = m["q"] or m["ql"] or m["ql2"]
        spec = Spec(quarter=int(q) if q else _KQUARTERS[m["kq"]])
    elif kind == "md":
        spec = Spec(month=int(m["sm"]), day=int(m["sd"]), single=True)
    elif kind in ("month", "kmonth"):
        spec = Spec(month=int(m["mon"]) if m["mon"] else _KMONTHS[m["kmon"]])
    elif kind in ("day", "lastday"):
        day = int(m["day"]) if kind == "day" else LAST_DAY
        return Token(start, end, Spec(day=day, single=True), alone="cue")
    elif kind == "rolling":
        spec = _rolling(m, today)
    elif kind == "rel":
        spec = _relative(m["rel"], today)
    elif kind == "past":
        return Token(start, end, Spec(strict_past=True), alone="drop")
    elif kind == "half":
        spec = Spec(half=1 if m["half"] in ("상반기", "전반기") else 2)
    elif kind == "anchor":
        first = today.replace(day=1) if m["anchor"] == "월초" else date(today.year, 1, 1)
        spec = Spec(fixed=(first, first), single=True)
    elif kind == "todate":
        spec = _relative(_TO_DATE[m["todate"][0].lower()], today)
    elif kind == "part":
        return Token(start, end, Spec(part=_PARTS[m["part"]]), alone="drop")
    else:  # thisyear: "올 상반기", "올 들어"
        spec = Spec(year=today.year)
    return Token(start, end, spec)


def _unit_spec(unit: str, value: int) -> Spec:
    if unit == "월":
        return Spec(month=value)
    return Spec(quarter=value) if unit == "분기" else Spec(day=value)


def _prefix(kind: str) -> str:
    return "drop" if kind.endswith("p") else "ok"


def tokens(text: str, today: date) -> list[Token]:
    """The period words of `text` (already translated with `WIDTH`), in order."""
    found = []
    for m in _MASTER.finditer(text):
        kind = (m.lastgroup or "K_")[2:]
        found.append(_token(kind, m, today))
    return found
