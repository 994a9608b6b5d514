"""Tables of the sample ERP (한빛정밀): plain SQLAlchemy Core, created on SQLite or MariaDB.

This is the *ERP's* schema, not Dari's: it lives in a separate database and has no migrations.
Dates are DATE columns (ISO text on SQLite); money is whole won (BIGINT).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Date, Index, Integer, MetaData, Numeric, String, Table

metadata = MetaData()


def _s(name: str, length: int = 40, **kw: object) -> Column[str]:
    return Column(name, String(length), **kw)  # type: ignore[arg-type]


departments = Table(
    "departments",
    metadata,
    _s("dept_code", 10, primary_key=True, comment="부서 코드"),
    _s("dept_name", 60, nullable=False, comment="부서명"),
    _s("parent_code", 10, comment="상위 부서 코드"),
    comment="부서",
)
employees = Table(
    "employees",
    metadata,
    _s("emp_code", 10, primary_key=True, comment="사원 번호"),
    _s("emp_name", 40, nullable=False, comment="성명"),
    _s("dept_code", 10, nullable=False, comment="부서 코드"),
    _s("position", 20, comment="직급"),
    Column("hire_date", Date, comment="입사일"),
    _s("email", 80, comment="이메일"),
    comment="사원",
)
customers = Table(
    "customers",
    metadata,
    _s("customer_code", 10, primary_key=True, comment="거래처 코드"),
    _s("customer_name", 80, nullable=False, comment="거래처명"),
    _s("biz_no", 12, comment="사업자등록번호"),
    _s("ceo_name", 40, comment="대표자"),
    _s("region", 20, comment="지역"),
    _s("sales_rep", 10, nullable=False, comment="담당 영업사원 사번"),
    _s("dept_code", 10, nullable=False, comment="담당 부서"),
    Column("credit_limit", BigInteger, comment="여신 한도(원)"),
    Column("payment_days", Integer, comment="결제 조건(일)"),
    comment="거래처(고객)",
)
suppliers = Table(
    "suppliers",
    metadata,
    _s("supplier_code", 10, primary_key=True, comment="공급처 코드"),
    _s("supplier_name", 80, nullable=False, comment="공급처명"),
    _s("biz_no", 12, comment="사업자등록번호"),
    _s("region", 20, comment="지역"),
    comment="거래처(공급처)",
)
items = Table(
    "items",
    metadata,
    _s("item_code", 12, primary_key=True, comment="품목 코드"),
    _s("item_name", 80, nullable=False, comment="품목명"),
    _s("category", 30, comment="품목군"),
    _s("unit", 10, comment="단위"),
    Column("unit_price", BigInteger, comment="표준 판매단가(원)"),
    Column("std_cost", BigInteger, comment="표준 원가(원)"),
    Column("safety_stock", Integer, comment="안전재고"),
    _s("supplier_code", 10, comment="주 공급처"),
    comment="품목",
)
warehouses = Table(
    "warehouses",
    metadata,
    _s("wh_code", 10, primary_key=True, comment="창고 코드"),
    _s("wh_name", 40, nullable=False, comment="창고명"),
    _s("location", 40, comment="소재지"),
    comment="창고",
)
stock = Table(
    "stock",
    metadata,
    _s("wh_code", 10, primary_key=True, comment="창고 코드"),
    _s("item_code", 12, primary_key=True, comment="품목 코드"),
    Column("qty", Integer, nullable=False, comment="현재고"),
    comment="창고별 재고",
)
sales_orders = Table(
    "sales_orders",
    metadata,
    _s("order_no", 16, primary_key=True, comment="수주 번호"),
    Column("order_date", Date, nullable=False, comment="수주일"),
    _s("customer_code", 10, nullable=False, comment="거래처 코드"),
    _s("sales_rep", 10, nullable=False, comment="영업 담당"),
    _s("dept_code", 10, nullable=False, comment="영업 부서"),
    Column("due_date", Date, comment="납기일"),
    _s("status", 12, nullable=False, comment="상태(접수/부분출하/출하완료/취소)"),
    Index("ix_so_date", "order_date"),
    Index("ix_so_customer", "customer_code"),
    comment="수주",
)
sales_order_lines = Table(
    "sales_order_lines",
    metadata,
    _s("order_no", 16, primary_key=True, comment="수주 번호"),
    Column("line_no", Integer, primary_key=True, comment="행 번호"),
    _s("item_code", 12, nullable=False, comment="품목 코드"),
    Column("qty", Integer, nullable=False, comment="수주 수량"),
    Column("unit_price", BigInteger, nullable=False, comment="단가(원)"),
    Column("amount", BigInteger, nullable=False, comment="공급가액(원)"),
    Column("shipped_qty", Integer, nullable=False, comment="출하 수량"),
    comment="수주 품목",
)
shipments = Table(
    "shipments",
    metadata,
    _s("shipment_no", 16, primary_key=True, comment="출하 번호"),
    _s("order_no", 16, nullable=False, comment="수주 번호"),
    Column("line_no", Integer, nullable=False, comment="수주 행"),
    Column("ship_date", Date, nullable=False, comment="출하일"),
    _s("wh_code", 10, nullable=False, comment="출고 창고"),
    _s("item_code", 12, nullable=False, comment="품목 코드"),
    Column("qty", Integer, nullable=False, comment="출하 수량"),
    Index("ix_ship_order", "order_no"),
    comment="출하",
)
sales_invoices = Table(
    "sales_invoices",
    metadata,
    _s("invoice_no", 16, primary_key=True, comment="세금계산서 번호"),
    Column("invoice_date", Date, nullable=False, comment="발행일(매출일)"),
    _s("customer_code", 10, nullable=False, comment="거래처 코드"),
    _s("order_no", 16, comment="수주 번호"),
    _s("sales_rep", 10, nullable=False, comment="영업 담당"),
    _s("dept_code", 10, nullable=False, comment="영업 부서"),
    Column("supply_amount", BigInteger, nullable=False, comment="공급가액(원)"),
    Column("vat", BigInteger, nullable=False, comment="부가세(원)"),
    Column("total_amount", BigInteger, nullable=False, comment="합계(원)"),
    Column("due_date", Date, nullable=False, comment="수금 예정일"),
    Index("ix_inv_date", "invoice_date"),
    Index("ix_inv_customer", "customer_code"),
    comment="매출 세금계산서",
)
sales_invoice_lines = Table(
    "sales_invoice_lines",
    metadata,
    _s("invoice_no", 16, primary_key=True, comment="세금계산서 번호"),
    Column("line_no", Integer, primary_key=True, comment="행 번호"),
    _s("item_code", 12, nullable=False, comment="품목 코드"),
    Column("qty", Integer, nullable=False, comment="수량"),
    Column("supply_amount", BigInteger, nullable=False, comment="공급가액(원)"),
    Index("ix_invl_item", "item_code"),
    comment="매출 품목",
)
receipts = Table(
    "receipts",
    metadata,
    _s("receipt_no", 16, primary_key=True, comment="수금 번호"),
    Column("receipt_date", Date, nullable=False, comment="수금일"),
    _s("customer_code", 10, nullable=False, comment="거래처 코드"),
    _s("invoice_no", 16, nullable=False, comment="세금계산서 번호"),
    Column("amount", BigInteger, nullable=False, comment="수금액(원)"),
    Index("ix_rcpt_invoice", "invoice_no"),
    comment="수금",
)
purchase_orders = Table(
    "purchase_orders",
    metadata,
    _s("po_no", 16, primary_key=True, comment="발주 번호"),
    Column("po_date", Date, nullable=False, comment="발주일"),
    _s("supplier_code", 10, nullable=False, comment="공급처 코드"),
    _s("buyer", 10, nullable=False, comment="구매 담당 사번"),
    Column("due_date", Date, nullable=False, comment="입고 예정일"),
    _s("status", 12, nullable=False, comment="상태(발주/부분입고/입고완료/취소)"),
    Index("ix_po_date", "po_date"),
    comment="발주",
)
purchase_order_lines = Table(
    "purchase_order_lines",
    metadata,
    _s("po_no", 16, primary_key=True, comment="발주 번호"),
    Column("line_no", Integer, primary_key=True, comment="행 번호"),
    _s("item_code", 12, nullable=False, comment="품목 코드"),
    Column("qty", Integer, nullable=False, comment="발주 수량"),
    Column("unit_price", BigInteger, nullable=False, comment="단가(원)"),
    Column("amount", BigInteger, nullable=False, comment="금액(원)"),
    Column("received_qty", Integer, nullable=False, comment="입고 수량"),
    comment="발주 품목",
)
goods_receipts = Table(
    "goods_receipts",
    metadata,
    _s("gr_no", 16, primary_key=True, comment="입고 번호"),
    _s("po_no", 16, nullable=False, comment="발주 번호"),
    Column("line_no", Integer, nullable=False, comment="발주 행"),
    Column("receipt_date", Date, nullable=False, comment="입고일"),
    _s("wh_code", 10, nullable=False, comment="입고 창고"),
    _s("item_code", 12, nullable=False, comment="품목 코드"),
    Column("qty", Integer, nullable=False, comment="입고 수량"),
    comment="입고",
)
leave_balances = Table(
    "leave_balances",
    metadata,
    _s("emp_code", 10, primary_key=True, comment="사원 번호"),
    Column("year", Integer, primary_key=True, comment="연도"),
    Column("granted_days", Numeric(4, 1), nullable=False, comment="발생 연차(일)"),
    Column("used_days", Numeric(4, 1), nullable=False, comment="사용 연차(일)"),
    comment="연차 현황",
)
leave_requests = Table(
    "leave_requests",
    metadata,
    _s("request_no", 16, primary_key=True, comment="신청 번호"),
    _s("emp_code", 10, nullable=False, comment="사원 번호"),
    Column("start_date", Date, nullable=False, comment="시작일"),
    Column("end_date", Date, nullable=False, comment="종료일"),
    Column("days", Numeric(4, 1), nullable=False, comment="일수"),
    _s("leave_type", 12, nullable=False, comment="구분(연차/반차/병가/경조)"),
    _s("status", 10, nullable=False, comment="상태(승인/신청/반려)"),
    comment="휴가 신청",
)
