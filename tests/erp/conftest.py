"""ERP fixtures: a small sample ERP on SQLite (and on MariaDB under CI), principals, toolsets.

The sample is generated at a reduced `SCALE` with a fixed end date, loaded once per worker,
and opened read-only by the connectors under test. `sample` keeps the generated rows in
memory so tests compute expected answers in Python, independently of the catalog's SQL.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from dari.config.erp import ErpSettings
from dari.core.principal import Principal
from dari.erp.connectors import create_connector
from dari.erp.sample import CATALOG_PATH
from dari.erp.sample.generate import generate
from dari.erp.sample.load import load_sample
from dari.erp.sample.schema import metadata
from dari.erp.source import CatalogSource
from dari.erp.toolset import ErpToolset
from tests.conftest import MARIADB_URL, WORKER, _real_unavailable
from tests.fixtures.erp import ERP_END, ERP_SEED, sample_erp_url

SEED = ERP_SEED
SCALE = 0.08
END = ERP_END


class Sample:
    """The generated rows as dicts per table (what was loaded into every test ERP)."""

    def __init__(self) -> None:
        data = generate(seed=SEED, scale=SCALE, end=END)
        self.tables: dict[str, list[dict[str, Any]]] = {}
        for table in metadata.sorted_tables:
            names = [c.name for c in table.columns]
            rows = data.tables[table.name]
            self.tables[table.name] = [dict(zip(names, row, strict=True)) for row in rows]

    def __getitem__(self, table: str) -> list[dict[str, Any]]:
        return self.tables[table]


@pytest.fixture(scope="session")
def sample() -> Sample:
    return Sample()


@pytest.fixture(scope="session")
def sqlite_erp(tmp_path_factory: pytest.TempPathFactory) -> str:
    return sample_erp_url(tmp_path_factory, scale=SCALE, seed=SEED)


@pytest.fixture(scope="session")
def mariadb_erp() -> Iterator[str]:
    """A fresh MariaDB database holding the sample ERP (CI or DARI_TEST_MARIADB_URL)."""
    if not MARIADB_URL:
        pytest.skip("MariaDB tests need CI=true or DARI_TEST_MARIADB_URL")
    server = make_url(MARIADB_URL)
    name = f"dari_erp_{WORKER}_{uuid.uuid4().hex[:8]}"
    url = server.set(database=name).render_as_string(hide_password=False)
    admin_url = server.set(database="").render_as_string(hide_password=False)

    async def admin(statement: str) -> None:
        engine = create_async_engine(admin_url)
        try:
            async with engine.begin() as connection:
                await connection.execute(text(statement))
        finally:
            await engine.dispose()

    try:
        asyncio.run(admin(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
    except Exception as exc:
        _real_unavailable("MariaDB", str(exc).splitlines()[0])
    asyncio.run(load_sample(url, seed=SEED, scale=SCALE, end=END))
    yield url
    asyncio.run(admin(f"DROP DATABASE IF EXISTS `{name}`"))


@pytest.fixture(params=["sqlite", "mariadb"])
def erp_url(request: pytest.FixtureRequest) -> str:
    return str(request.getfixturevalue(f"{request.param}_erp"))


@dataclass
class AuditLog:
    """An audit sink collecting `erp.call` events (the real audit table is tested separately)."""

    events: list[dict[str, Any]] = field(default_factory=list)

    async def __call__(self, action: str, **kwargs: Any) -> None:
        self.events.append({"action": action, **kwargs})

    @property
    def last(self) -> dict[str, Any]:
        return self.events[-1]


@pytest.fixture
def audit() -> AuditLog:
    return AuditLog()


def make_toolset(url: str, catalog: Path = CATALOG_PATH, **settings: Any) -> ErpToolset:
    erp = ErpSettings(url=url, **settings)
    return ErpToolset(create_connector(url, erp), CatalogSource(catalog), erp)


@pytest.fixture
async def toolset(erp_url: str) -> AsyncIterator[ErpToolset]:
    toolset = make_toolset(erp_url, timeout_s=20)
    yield toolset
    await toolset.close()


def principal(name: str, roles: set[str], permissions: set[str], **attributes: str) -> Principal:
    return Principal(
        user_id=f"id-{name}",
        username=name,
        roles=frozenset(roles),
        permissions=frozenset(permissions),
        attributes=attributes,
    )


SALES = {
    "erp:sales_by_period",
    "erp:sales_by_customer",
    "erp:sales_by_item",
    "erp:top_customers",
    "erp:top_items",
    "erp:receivables_by_customer",
    "erp:overdue_invoices",
    "erp:customer_info",
    "erp:order_status",
    "erp:order_detail",
    "erp:unshipped_orders",
    "erp:my_leave_balance",
}
# Sample ERP people (docs/erp.md): reps E1001 (영업1팀) and E1003 (영업2팀), team leads E1010/E1020.
REP1 = principal(
    "kim", {"employee", "sales"}, SALES, erp_employee_code="E1001", department_code="D110"
)
REP2 = principal(
    "park", {"employee", "sales"}, SALES, erp_employee_code="E1003", department_code="D120"
)
MANAGER1 = principal(
    "jung", {"manager"}, {"erp:*"}, erp_employee_code="E1010", department_code="D110"
)
MANAGER2 = principal(
    "han", {"manager"}, {"erp:*"}, erp_employee_code="E1020", department_code="D120"
)
HEAD = principal("oh", {"manager"}, {"erp:*"}, erp_employee_code="E1000", department_code="D100")
ADMIN = principal("admin", {"admin"}, {"*"})
EMPLOYEE = principal("lee", {"employee"}, {"erp:my_leave_balance"}, erp_employee_code="E1002")
