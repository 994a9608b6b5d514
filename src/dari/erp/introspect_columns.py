"""What an introspected column is: sensitive, a date, an amount, a name, and its label.

Judged from the column's name (English words, snake or camel case), its comment (Korean words)
and its database type, for `dari erp introspect` (`introspect_analysis`, `introspect_catalog`).
A column is a dict with `name`, `type` (as text) and `comment`.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

BINARY_TYPES = re.compile(r"BLOB|BINARY|BYTEA|IMAGE|RAW\b", re.IGNORECASE)
TEXT_TYPES = re.compile(r"CHAR|TEXT|STRING|CLOB", re.IGNORECASE)
DATE_TYPES = re.compile(r"DATE|TIMESTAMP", re.IGNORECASE)
NUMBER_TYPES = re.compile(r"INT|NUMERIC|DECIMAL|FLOAT|REAL|DOUBLE|MONEY|NUMBER", re.IGNORECASE)
SENSITIVE_WORDS = {
    "birth", "birthday", "birthdate", "dob", "phone", "mobile", "cellphone", "tel", "telephone",
    "fax", "email", "mail", "address", "addr", "zip", "zipcode", "postcode", "postal", "ssn",
    "rrn", "jumin", "resident", "passport", "salary", "salaries", "wage", "wages", "payroll",
    "bonus", "password", "passwd", "pwd", "photo", "avatar", "portrait",
}  # fmt: skip
SENSITIVE_PAIRS = {("national", "id"), ("bank", "account"), ("account", "no"), ("hp", "no")}
SENSITIVE_KO = (
    "주민", "연락처", "전화", "휴대", "핸드폰", "급여", "연봉", "임금", "상여", "생년월일",
    "생일", "주소", "계좌", "비밀번호", "여권", "이메일", "사진",
)  # fmt: skip
AMOUNT_WORDS = {"amount", "amt", "total", "price", "cost", "qty", "quantity", "sum", "vat", "tax"}
AMOUNT_KO = ("금액", "합계", "수량", "단가", "원가", "부가세", "(원)", "매출", "수금")
NAME_WORDS = {"name", "nm", "title"}


def _words(name: str) -> list[str]:
    # camelCase and snake_case alike: "CustName" and "cust_name" both give ["cust", "name"].
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return [w for w in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if w]


def sensitive_reason(column: dict[str, Any]) -> str | None:
    """Why a column is personal or secret (by name, comment and type); None if it is not."""
    words = _words(column["name"])
    pairs = set(itertools.pairwise(words)) & SENSITIVE_PAIRS
    hits = sorted(SENSITIVE_WORDS.intersection(words)) + [" ".join(p) for p in sorted(pairs)]
    text = f"{column['name']} {column.get('comment') or ''}"
    hits += [word for word in SENSITIVE_KO if word in text]
    if BINARY_TYPES.search(column["type"]):
        hits.append("binary")
    return ", ".join(dict.fromkeys(hits)) or None


def is_date(column: dict[str, Any]) -> bool:
    """Whether the column holds dates or timestamps (by its type)."""
    return bool(DATE_TYPES.search(column["type"]))


def is_amount(column: dict[str, Any]) -> bool:
    """Whether the column is a number worth summing: an amount, price, quantity or tax (by type,
    then by English name words or Korean comment words)."""
    if not NUMBER_TYPES.search(column["type"]):
        return False
    words = set(_words(column["name"]))
    comment = column.get("comment") or ""
    return bool(words & AMOUNT_WORDS) or any(word in comment for word in AMOUNT_KO)


def is_name(column: dict[str, Any]) -> bool:
    """Whether the column is text naming its row: its name's last word is `name`, `nm` or
    `title`, or a word of its Korean name or comment ends in 명/이름/성명."""
    if not TEXT_TYPES.search(column["type"]):
        return False
    words = _words(column["name"])
    korean = column["name"] + " " + (column.get("comment") or "").split("(")[0].strip()
    return bool(words and words[-1] in NAME_WORDS) or any(
        part.endswith(("명", "이름", "성명")) for part in korean.split()
    )


def column_label(column: dict[str, Any]) -> tuple[str, str]:
    """(label, unit) from the column comment: "공급가액(원)" → ("공급가액", "원")."""
    comment = (column.get("comment") or "").strip()
    found = re.fullmatch(r"(.+?)\s*\((원|일|개|건|%)\)", comment)
    if found:
        return found.group(1), found.group(2)
    return comment or column["name"], ""
