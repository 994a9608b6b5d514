"""ERP entity linking on the sample ERP: visibility per user, spacing, legal-form noise,
particles, typos, partial names, codes, ties, suggestions, caching and the catalog section.

Expected entities are computed from the generated rows (`sample`), not written down.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import sqlglot
import yaml

from dari.erp.base import Operation, RawResult
from dari.erp.catalog import CatalogError, load_catalog
from dari.erp.entities import (
    Entity,
    EntityIndex,
    clear_entity_cache,
    entity_sql,
    exists_anywhere,
    hidden_mentions,
    load_entities,
)
from dari.erp.sample import CATALOG_PATH
from dari.erp.sample.names import COMPANY_HEADS, COMPANY_TAILS
from dari.erp.toolset import ErpToolset
from tests.erp.conftest import ADMIN, EMPLOYEE, MANAGER1, REP1, REP2, make_toolset, principal

BUYER = principal(
    "song", {"employee", "purchasing"}, set(), erp_employee_code="E3001", department_code="D300"
)


@pytest.fixture
async def erp(erp_url: str) -> AsyncIterator[ErpToolset]:
    clear_entity_cache()
    toolset = make_toolset(erp_url, timeout_s=20)
    yield toolset
    await toolset.close()


def codes(matches: list[Any], kind: str | None = None) -> set[str]:
    return {m.code for m in matches if kind is None or m.kind == kind}


def customers_of(sample: Any, **where: str) -> list[dict[str, Any]]:
    return [c for c in sample["customers"] if all(c[k] == v for k, v in where.items())]


# --- visibility -------------------------------------------------------------------------------


async def test_each_user_gets_only_the_customers_their_scope_allows(
    erp: ErpToolset, sample: Any
) -> None:
    expected = [
        (REP1, customers_of(sample, sales_rep="E1001")),
        (MANAGER1, customers_of(sample, dept_code="D110")),
        (ADMIN, sample["customers"]),
        (BUYER, []),
    ]
    for user, rows in expected:
        index = await load_entities(erp, None, user)
        assert codes(list(index.entities), "customer") == {c["customer_code"] for c in rows}
        assert len(codes(list(index.entities), "item")) == len(sample["items"])


async def test_colleagues_are_linked_only_within_the_users_department(
    erp: ErpToolset, sample: Any
) -> None:
    index = await load_entities(erp, None, REP1)
    d110 = {e["emp_code"] for e in sample["employees"] if e["dept_code"] == "D110"}
    assert codes(list(index.entities), "employee") == d110
    outsider = next(e for e in sample["employees"] if e["dept_code"] == "D300")
    assert outsider["emp_code"] not in codes(index.find(f"{outsider['emp_name']} 연차"))
    # No department_code attribute: the employee rule cannot apply, so no employee at all.
    lacking = await load_entities(erp, None, EMPLOYEE)
    assert "employee" in lacking.unavailable
    assert not codes(list(lacking.entities), "employee")


async def test_another_reps_customer_is_no_candidate_but_counts_as_hidden(
    erp: ErpToolset, sample: Any
) -> None:
    name = "태광엔지니어링"
    owners = customers_of(sample, customer_name=name)
    assert owners and all(c["sales_rep"] != "E1001" for c in owners)  # verified in the data
    question = f"{name} 미수금 알려줘"
    mine = await load_entities(erp, None, REP1)
    assert not mine.find(question, ["customer"])
    hidden = await hidden_mentions(erp, None, mine, question, ["customer"])
    assert [(h.kind, h.mention) for h in hidden] == [("customer", name)]
    assert not hasattr(hidden[0], "code")  # what was found is not handed out
    assert await exists_anywhere(erp, None, "customer", name)
    assert not await exists_anywhere(erp, None, "customer", "없는가상회사")
    # Each owner's team lead does see it; the admin sees every one of them (a tie).
    for owner in owners:
        lead = principal(
            "lead",
            {"manager"},
            {"erp:*"},
            erp_employee_code="X",
            department_code=owner["dept_code"],
        )
        seen = (await load_entities(erp, None, lead)).find(question, ["customer"])
        assert owner["customer_code"] in codes(seen)
        assert not await hidden_mentions(erp, None, await load_entities(erp, None, lead), question)
    everything = (await load_entities(erp, None, ADMIN)).find(question, ["customer"])
    assert codes(everything) == {c["customer_code"] for c in owners}


# --- matching on the sample data ----------------------------------------------------------


@pytest.mark.parametrize(
    "question",
    [
        "한빛상사 이번 달 매출",
        "한빛 상사 매출 알려줘",
        "(주)한빛상사의 미수금",
        "㈜ 한빛상사 주문",
        "주식회사 한빛상사랑 거래 내역",
        "한빛상사는 요즘 어때",
        "한빛상사에서 들어온 수주",
        "한빛상사 회사 매출",
        "한빛상사매출",
        "C0001 매출",
        "c0001의 미수금",
    ],
)
async def test_spacing_noise_particles_and_codes_give_the_exact_customer(
    erp: ErpToolset, question: str
) -> None:
    matches = (await load_entities(erp, None, REP1)).find(question)
    assert [(m.kind, m.code, m.exact, m.score) for m in matches] == [
        ("customer", "C0001", True, 1.0)
    ]
    start, end = matches[0].span
    assert question[start:end] == matches[0].mention and "매출" not in matches[0].mention


async def test_typos_and_partial_names(erp: ErpToolset, sample: Any) -> None:
    rep = await load_entities(erp, None, REP1)
    typo = rep.find("한빗상사 매출")
    assert [(m.code, m.how, m.exact) for m in typo] == [("C0001", "typo", False)]
    partial = rep.find("한빛이랑 거래한 거")
    assert [(m.code, m.how, m.mention) for m in partial] == [("C0001", "partial", "한빛")]
    # Two letters off in a 7-syllable name; the lead sees the one of his team, the admin all.
    target = {c["customer_code"] for c in customers_of(sample, customer_name="태광엔지니어링")}
    lead_sees = {c["customer_code"] for c in customers_of(sample, dept_code="D110")}
    lead = (await load_entities(erp, None, MANAGER1)).find("태광엔지니링 미수금")
    assert codes(lead) == target & lead_sees and {m.how for m in lead} == {"typo"}
    admin = (await load_entities(erp, None, ADMIN)).find("태광엔지니링 미수금", ["customer"])
    assert codes(admin) == target and len({m.score for m in admin}) == 1


async def test_a_common_part_returns_every_tie(erp: ErpToolset, sample: Any) -> None:
    index = await load_entities(erp, None, ADMIN)
    matches = index.find("엔지니어링 매출", ["customer"])
    expected = {
        c["customer_code"] for c in sample["customers"] if "엔지니어링" in c["customer_name"]
    }
    assert len(expected) > 2 and codes(matches) == expected
    assert len({m.score for m in matches}) == 1 and all(m.mention == "엔지니어링" for m in matches)
    # A short common word naming several companies links nothing ("미래의 매출 전망").
    assert sum(c["customer_name"].startswith("미래") for c in sample["customers"]) > 1
    assert not index.find("미래의 매출 전망", ["customer"])


async def test_items_categories_and_model_numbers(erp: ErpToolset, sample: Any) -> None:
    index = await load_entities(erp, None, REP1)
    item = next(i for i in sample["items"] if i["category"] == "금형부품")
    category, model = item["item_name"].split()
    for question in (f"{model} 재고", f"{category} {model} 재고", f"{category}{model}는 몇 개?"):
        assert [(m.kind, m.code) for m in index.find(question)] == [("item", item["item_code"])]
    assert index.find(f"{model} 재고")[0].how == "word"
    assert [m.code for m in index.find(item["item_code"].lower())] == [item["item_code"]]
    # A category is a whole word: "모터 재고" yes, "서보모터" and "모터드라이브" no.
    assert [(m.kind, m.code) for m in index.find("모터 재고 보여줘")] == [("category", "모터")]
    assert [(m.kind, m.code) for m in index.find("모터는 얼마나 남았어")] == [("category", "모터")]
    assert not index.find("서보모터 재고", ["category"])
    assert not index.find("모터드라이브 재고", ["category"])


async def test_departments_warehouses_and_employees(erp: ErpToolset, sample: Any) -> None:
    index = await load_entities(erp, None, REP1)
    for question in ("영업1팀 매출", "영업 1팀 매출", "D110 매출", "영업1팀의 연차"):
        assert [(m.kind, m.code) for m in index.find(question)] == [("department", "D110")]
    # A rep sees only their own department; 영업2팀 is not a candidate for them.
    assert "D120" not in codes(index.find("영업2팀 매출"))
    everyone = await load_entities(erp, None, ADMIN)
    ones = [d for d in sample["departments"] if d["dept_name"].endswith("1팀")]
    twos = [d for d in sample["departments"] if d["dept_name"].endswith("2팀")]
    assert len(ones) > 1 and len(twos) == 1
    assert not everyone.find("1팀 매출")  # 영업1팀 or 생산1팀: not unique, not linked
    assert [m.code for m in everyone.find("2팀 매출")] == [twos[0]["dept_code"]]
    warehouse = sample["warehouses"][2]
    assert [m.code for m in index.find(f"{warehouse['wh_name']} 재고")] == [warehouse["wh_code"]]
    assert [m.code for m in index.find(f"{warehouse['wh_code'].lower()}에 있는 재고")] == [
        warehouse["wh_code"]
    ]
    me = next(e for e in sample["employees"] if e["emp_code"] == "E1001")
    assert [m.code for m in index.find(f"{me['emp_name']}님 연차")] == ["E1001"]
    assert not index.find("2025년 매출") and not index.find("이번 달 매출 얼마야?")


async def test_closest_suggests_only_visible_entities(erp: ErpToolset, sample: Any) -> None:
    rep1 = await load_entities(erp, None, REP1)
    assert rep1.closest("customer", "한빗상삭의")[0].code == "C0001"
    rep2 = await load_entities(erp, None, REP2)
    visible = {c["customer_code"] for c in customers_of(sample, sales_rep="E1003")}
    suggestions = rep2.closest("customer", "한빛상사", n=5)
    assert suggestions and codes(suggestions) <= visible and "C0001" not in codes(suggestions)
    scores = [m.score for m in suggestions]
    assert scores == sorted(scores, reverse=True)


# --- loading and caching ----------------------------------------------------------------


class CountingConnector:
    """Wraps a connector and counts the statements that reach the ERP."""

    kind = "sql"

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.statements: list[str] = []

    @property
    def dialect(self) -> str | None:
        return self.inner.dialect

    async def execute(self, operation: Operation, params: Any, **kw: Any) -> RawResult:
        self.statements.append(operation.sql or "")
        return await self.inner.execute(operation, params, **kw)


async def test_master_data_is_cached_per_scope_until_the_ttl(erp: ErpToolset) -> None:
    connector = CountingConnector(erp.connector)
    catalog = erp.catalog
    first = await load_entities(connector, catalog, REP1)
    loads = len(connector.statements)
    assert loads == len(catalog.entities)
    assert await load_entities(connector, catalog, REP1) is first
    assert len(connector.statements) == loads  # no round trip within the TTL
    # Same scope values, another user object: shared. Another rep: only customers reloaded.
    twin = principal("twin", {"employee"}, set(), erp_employee_code="E1001", department_code="D110")
    assert await load_entities(connector, catalog, twin) is first
    await load_entities(connector, catalog, REP2)
    # customers, colleagues and the own department differ
    assert len(connector.statements) == loads + 3
    # An expired entry is loaded again.
    await load_entities(connector, catalog, REP1, ttl_s=0)
    await load_entities(connector, catalog, REP1, ttl_s=0)
    assert len(connector.statements) > loads + 3


async def test_a_scope_refusing_the_user_hides_the_whole_kind(
    erp: ErpToolset, tmp_path: Path
) -> None:
    data = yaml.safe_load(CATALOG_PATH.read_text(encoding="utf-8"))
    data["entities"]["customer"]["row_scope"] = [{"roles": ["manager"]}]
    path = tmp_path / "erp.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    catalog = load_catalog(path)
    rep = await load_entities(erp.connector, catalog, REP1)
    assert "customer" in rep.unavailable and not rep.find("한빛상사 매출", ["customer"])
    lead = await load_entities(erp.connector, catalog, MANAGER1)
    assert codes(lead.find("한빛상사 매출")) == {"C0001"}


async def test_aliases_and_catalogs_without_entities(erp: ErpToolset, tmp_path: Path) -> None:
    data = yaml.safe_load(CATALOG_PATH.read_text(encoding="utf-8"))
    data["entities"]["customer"]["aliases"] = "ceo_name"
    path = tmp_path / "erp.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    index = await load_entities(erp.connector, load_catalog(path), ADMIN, kinds=["customer"])
    c0001 = next(e for e in index.entities if e.code == "C0001")
    matches = index.find(f"{c0001.aliases[0]} 대표 회사 매출")
    assert "C0001" in codes(matches) and {m.how for m in matches} == {"alias"}
    assert index.kinds() == {"customer"}
    del data["entities"]
    for tool in data["tools"]:  # a catalog without the section may not link parameters
        for spec in tool["parameters"].get("properties", {}).values():
            spec.pop("entity", None)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    empty = await load_entities(erp.connector, load_catalog(path), ADMIN)
    assert len(empty) == 0 and not empty.find("한빛상사")


class RestLike:
    kind = "rest"
    dialect = None

    async def execute(self, *args: Any, **kwargs: Any) -> RawResult:
        raise AssertionError("a REST ERP has no SQL to run")


async def test_a_rest_erp_links_nothing() -> None:
    index = await load_entities(RestLike(), load_catalog(CATALOG_PATH), ADMIN)  # type: ignore[arg-type]
    assert len(index) == 0


@pytest.mark.parametrize("dialect", ["sqlite", "mysql", "postgres", "tsql"])
def test_generated_sql_quotes_identifiers_and_parses(dialect: str) -> None:
    catalog = load_catalog(CATALOG_PATH)
    for spec in catalog.entities.values():
        sql = entity_sql(spec, dialect, "dept_code = 'D110'")
        assert sqlglot.parse_one(sql, read=dialect)
        quoted = sqlglot.exp.to_identifier(spec.table, quoted=True).sql(dialect=dialect)
        assert f"FROM {quoted}" in sql and ("DISTINCT" in sql) == (spec.code is None)


# --- catalog validation ----------------------------------------------------------------------


def write(path: Path, entities: Any, **top: Any) -> Path:
    data = {"version": 1, "tools": [], "entities": entities, **top}
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


GOOD = {"label": "거래처", "table": "customers", "code": "customer_code", "name": "customer_name"}
BAD = [
    ({"table": "customers; DROP TABLE x"}, "entity 'customer', field (entity): table:"),
    ({"name": "customer name"}, "name: 'customer name' is not a plain column name"),
    ({"code": "`code`"}, "code: '`code`' is not a plain column name"),
    ({"aliases": ["ok", "bad-col"]}, "aliases[1]: 'bad-col'"),
    ({"code": None, "aliases": "short_name"}, "aliases: need a `code` column"),
    ({"code": "customer_name"}, "must be different columns"),
    ({"label": ""}, "entity 'customer', field label"),
    ({"colour": "red"}, "entity 'customer', field colour"),
    ({"max_rows": 0}, "entity 'customer', field max_rows"),
    ({"row_scope": [{"match": {"rep": "user.erp_employee_code"}}]}, "scope with `where`"),
    ({"row_scope": [{"where": "sales_rep = :rep"}]}, "only :user.<attribute> binds"),
    ({"row_scope": [{"where": "1=1; DELETE FROM customers"}]}, "no `;`"),
]


@pytest.mark.parametrize(("change", "message"), BAD, ids=[m for _, m in BAD])
def test_invalid_entities_name_the_file_kind_and_field(
    tmp_path: Path, change: dict[str, Any], message: str
) -> None:
    spec = {k: v for k, v in {**GOOD, **change}.items() if v is not None}
    path = write(tmp_path / "erp.yaml", {"customer": spec})
    with pytest.raises(CatalogError) as caught:
        load_catalog(path)
    assert str(path) in str(caught.value) and message in str(caught.value)


def test_entity_kinds_and_linked_parameters_are_checked(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="kind 'Customer' must match"):
        load_catalog(write(tmp_path / "a.yaml", {"Customer": GOOD}))
    tool = {
        "name": "stock_total",
        "description_ko": "재고",
        "description_en": "Stock",
        "parameters": {
            "type": "object",
            "properties": {"item": {"type": "string", "entity": "itm"}},
        },
        "sql": "SELECT 1 AS qty WHERE :item IS NOT NULL",
        "columns": [{"name": "qty", "label": "수량"}],
    }
    path = tmp_path / "b.yaml"
    path.write_text(
        yaml.safe_dump({"version": 1, "tools": [tool], "entities": {"customer": GOOD}}),
        encoding="utf-8",
    )
    with pytest.raises(CatalogError, match="parameter 'item' names entity kind 'itm'"):
        load_catalog(path)
    catalog = load_catalog(CATALOG_PATH)  # the shipped catalog defines what its tools link
    assert {"customer", "item", "category", "department", "warehouse", "supplier"} <= set(
        catalog.entities
    )


# --- speed ---------------------------------------------------------------------------------


def test_find_over_a_thousand_entities_is_fast(sample: Any) -> None:
    entities = [
        Entity("customer", f"C{i:05d}", f"{h}{t}{i if i > 200 else ''}")
        for i, (h, t) in enumerate(
            ((h, t) for h in COMPANY_HEADS for t in COMPANY_TAILS for _ in range(6)), start=1
        )
    ]
    entities += [Entity("item", i["item_code"], i["item_name"]) for i in sample["items"]]
    index = EntityIndex(entities)
    assert len(index) >= 1_500
    question = "태광엔지니링이랑 한빗상사 지난달 미수금하고 금형부품 L319 재고 비교해줘"
    timings = []
    for _ in range(30):
        started = time.perf_counter()
        index.find(question)
        timings.append(time.perf_counter() - started)
    # ~1 ms measured on an idle core; the bound only catches a change of algorithm.
    assert statistics.median(timings) < 0.02
