"""The sample ERP's organisation: departments, employees (with fixed demo codes) and leave."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

Rows = list[Any]

DEPARTMENTS: Rows = [
    ("D000", "대표이사", None),
    ("D100", "영업본부", "D000"),
    ("D110", "영업1팀", "D100"),
    ("D120", "영업2팀", "D100"),
    ("D200", "생산본부", "D000"),
    ("D210", "생산1팀", "D200"),
    ("D220", "품질관리팀", "D200"),
    ("D300", "구매팀", "D000"),
    ("D400", "물류팀", "D000"),
    ("D500", "경영지원팀", "D000"),
    ("D510", "인사팀", "D500"),
]
# Fixed people the demo users map to (docs/erp.md lists them): code, name, department, position.
FIXED = (
    ("E0001", "이한빛", "D000", "대표이사"),
    ("E1000", "오성훈", "D100", "본부장"),
    ("E1010", "정대현", "D110", "팀장"),
    ("E1020", "한지민", "D120", "팀장"),
    ("E1001", "김민준", "D110", "대리"),
    ("E1002", "이서연", "D110", "사원"),
    ("E1005", "윤도현", "D110", "과장"),
    ("E1003", "박지훈", "D120", "과장"),
    ("E1004", "최수아", "D120", "대리"),
    ("E1006", "강예린", "D120", "사원"),
    ("E3001", "송재원", "D300", "팀장"),
    ("E3002", "문가은", "D300", "대리"),
    ("E3003", "배성민", "D300", "사원"),
    ("E4001", "조현우", "D400", "팀장"),
    ("E5001", "임하늘", "D510", "과장"),
)
SALES_REPS = (
    ("E1001", "D110"),
    ("E1002", "D110"),
    ("E1005", "D110"),
    ("E1003", "D120"),
    ("E1004", "D120"),
    ("E1006", "D120"),
)
SURNAMES = "김이박최정강조윤장임한오서신권황안송류홍"
GIVEN = (
    "민준",
    "서준",
    "도윤",
    "예준",
    "시우",
    "하준",
    "지호",
    "서연",
    "서윤",
    "지우",
    "하은",
    "민서",
    "지민",
    "수빈",
    "현우",
    "유진",
    "승현",
    "다은",
    "준영",
    "채원",
)
POSITIONS = ("사원", "사원", "주임", "대리", "대리", "과장", "차장")


def name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def sales_reps() -> list[tuple[str, str]]:
    return list(SALES_REPS)


def employees(rng: random.Random, end: date) -> Rows:
    rows: Rows = []
    for code, emp_name, dept, position in FIXED:
        hired = end - timedelta(days=rng.randint(400, 5000))
        rows.append((code, emp_name, dept, position, hired, f"{code.lower()}@hanbit.example"))
    counters = {"D210": 2001, "D220": 2201, "D400": 4002, "D500": 5101, "D510": 5002}
    for dept, first in counters.items():
        for i in range(rng.randint(6, 12)):
            code = f"E{first + i}"
            hired = end - timedelta(days=rng.randint(60, 6000))
            rows.append(
                (
                    code,
                    name(rng),
                    dept,
                    rng.choice(POSITIONS),
                    hired,
                    f"{code.lower()}@hanbit.example",
                )
            )
    return rows


def leave(rng: random.Random, staff: Rows, end: date) -> tuple[Rows, Rows]:
    """Leave balances per employee and year; `used_days` is the sum of approved requests."""
    balances: Rows = []
    requests: Rows = []
    seq = 0
    for emp in staff:
        code, hired = str(emp[0]), emp[4]
        assert isinstance(hired, date)
        for year in (end.year - 1, end.year):
            if hired.year > year:
                continue
            service = year - hired.year
            granted = min(25.0, 15.0 + service // 2) if service >= 1 else 11.0
            used = 0.0
            last = end if year == end.year else date(year, 12, 31)
            for _ in range(rng.randint(2, 9)):
                day = date(year, 1, 2) + timedelta(days=rng.randint(0, 360))
                if day.weekday() >= 5 or day < hired:
                    continue
                half = rng.random() < 0.25
                days = 0.5 if half else float(rng.choice((1, 1, 1, 2, 3)))
                if used + days > granted:
                    continue
                approved = day <= last
                seq += 1
                requests.append(
                    (
                        f"LV{seq:06d}",
                        code,
                        day,
                        day + timedelta(days=max(0, days - 1)),
                        days,
                        "반차" if half else "연차",
                        "승인" if approved else "신청",
                    )
                )
                used += days if approved else 0.0
            balances.append((code, year, granted, used))
    return balances, requests
