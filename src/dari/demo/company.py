"""The demo company 한빛정밀: departments, roles and users, aligned with the sample ERP.

Department codes are the sample ERP's (`dari.erp.sample.people.DEPARTMENTS`) so a user's
`department_code` attribute and Dari's department tree agree; every user maps to a fixed ERP
employee (`erp_employee_code`) so ERP row scopes give each login different rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

COMPANY_NAME = "한빛정밀"
# Demo only: documented in docs/demo.md and printed by `dari demo setup`. Production refuses
# to run the demo setup at all.
DEMO_PASSWORD = "hanbit2026!"  # noqa: S105


@dataclass(frozen=True)
class DemoDepartment:
    code: str
    name: str
    parent: str | None


@dataclass(frozen=True)
class DemoRole:
    name: str
    description: str
    permissions: tuple[str, ...]


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    department: str  # department code
    position: str
    roles: tuple[str, ...]
    erp_employee_code: str | None
    note: str
    sales_region: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def email(self) -> str:
        return f"{self.username}@hanbit.example"

    def attributes(self) -> dict[str, str]:
        values = {"department_code": self.department, **self.extra}
        if self.erp_employee_code:
            values["erp_employee_code"] = self.erp_employee_code
        if self.sales_region:
            values["sales_region"] = self.sales_region
        return values


# Same codes, names and tree as the sample ERP's `departments` table.
DEPARTMENTS: tuple[DemoDepartment, ...] = (
    DemoDepartment("D000", "대표이사", None),
    DemoDepartment("D100", "영업본부", "D000"),
    DemoDepartment("D110", "영업1팀", "D100"),
    DemoDepartment("D120", "영업2팀", "D100"),
    DemoDepartment("D200", "생산본부", "D000"),
    DemoDepartment("D210", "생산1팀", "D200"),
    DemoDepartment("D220", "품질관리팀", "D200"),
    DemoDepartment("D300", "구매팀", "D000"),
    DemoDepartment("D400", "물류팀", "D000"),
    DemoDepartment("D500", "경영지원팀", "D000"),
    DemoDepartment("D510", "인사팀", "D500"),
)

# Custom roles on top of the built-in admin / manager / employee. Tool names are the sample
# ERP catalog's (a test checks each exists there).
SALES_TOOLS = (
    "sales_by_period",
    "sales_by_customer",
    "sales_by_item",
    "top_customers",
    "top_items",
    "receivables_by_customer",
    "overdue_invoices",
    "customer_info",
    "order_status",
    "order_detail",
    "unshipped_orders",
    "stock_by_item",
)
PURCHASING_TOOLS = (
    "purchase_order_status",
    "pending_receipts",
    "stock_by_item",
    "stock_shortages",
)
ROLES: tuple[DemoRole, ...] = (
    DemoRole(
        "sales",
        "영업 담당 — 매출·미수금·수주·재고 ERP 조회 (자기 거래처 범위)",
        tuple(f"erp:{tool}" for tool in SALES_TOOLS),
    ),
    DemoRole(
        "executive",
        "경영진 — 모든 부서의 ERP 데이터 조회 범위 (행 범위 제한 없음)",
        ("erp_scope:all",),
    ),
    DemoRole(
        "purchasing",
        "구매 담당 — 발주·입고·재고 ERP 조회",
        tuple(f"erp:{tool}" for tool in PURCHASING_TOOLS),
    ),
)

USERS: tuple[DemoUser, ...] = (
    DemoUser(
        "admin",
        "시스템 관리자",
        "D500",
        "관리자",
        ("admin",),
        None,
        "모든 권한: 사용자·문서·ERP 설정 관리",
    ),
    DemoUser(
        "ceo",
        "이한빛",
        "D000",
        "대표이사",
        ("manager", "executive"),
        "E0001",
        "전사 ERP 조회(모든 부서), 공개 문서",
    ),
    DemoUser(
        "sales.head",
        "오성훈",
        "D100",
        "본부장",
        ("manager", "sales"),
        "E1000",
        "영업본부 전체 ERP, 영업 전략 문서",
        sales_region="전국",
    ),
    DemoUser(
        "sales1.lead",
        "정대현",
        "D110",
        "팀장",
        ("manager", "sales"),
        "E1010",
        "영업1팀 ERP 데이터, 영업 전략 문서",
        sales_region="수도권",
    ),
    DemoUser(
        "minjun.kim",
        "김민준",
        "D110",
        "대리",
        ("employee", "sales"),
        "E1001",
        "영업1팀 담당자: 자기 거래처(한빛상사 포함)만",
        sales_region="수도권",
    ),
    DemoUser(
        "jihoon.park",
        "박지훈",
        "D120",
        "과장",
        ("employee", "sales"),
        "E1003",
        "영업2팀 담당자: 자기 거래처만",
        sales_region="영남",
    ),
    DemoUser(
        "jaewon.song",
        "송재원",
        "D300",
        "팀장",
        ("employee", "purchasing"),
        "E3001",
        "구매팀: 발주·재고 조회, 영업 데이터 없음",
    ),
    DemoUser(
        "haneul.lim",
        "임하늘",
        "D510",
        "과장",
        ("employee",),
        "E5001",
        "인사팀: 인사평가 기준 문서, ERP는 본인 연차만",
    ),
    DemoUser(
        "hyunwoo.cho",
        "조현우",
        "D400",
        "팀장",
        ("employee",),
        "E4001",
        "물류팀 일반 직원 권한: 공개 문서, 본인 연차만",
    ),
)


def user(username: str) -> DemoUser:
    for candidate in USERS:
        if candidate.username == username:
            return candidate
    raise KeyError(username)


def department(code: str) -> DemoDepartment:
    for candidate in DEPARTMENTS:
        if candidate.code == code:
            return candidate
    raise KeyError(code)
