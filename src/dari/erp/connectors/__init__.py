"""ERP connectors, one module per kind; `create_connector` imports only the chosen one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.engine import make_url

if TYPE_CHECKING:
    from dari.config.erp import ErpSettings
    from dari.erp.base import ErpConnector

# Sync driver names people type, mapped to the async driver Dari runs them with.
ASYNC_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "mysql": "mysql+asyncmy",
    "mariadb": "mysql+asyncmy",
    "mysql+pymysql": "mysql+asyncmy",
    "mariadb+asyncmy": "mysql+asyncmy",
    "postgresql": "postgresql+asyncpg",
    "postgresql+psycopg2": "postgresql+asyncpg",
    "mssql": "mssql+aioodbc",
    "mssql+pyodbc": "mssql+aioodbc",
}


def is_rest_url(url: str) -> bool:
    return url.startswith(("http://", "https://"))


def async_url(url: str) -> str:
    """The URL with an async driver (`sqlite:///x.db` → `sqlite+aiosqlite:///x.db`)."""
    parsed = make_url(url)
    driver = ASYNC_DRIVERS.get(parsed.drivername, parsed.drivername)
    parsed = parsed.set(drivername=driver)
    if parsed.get_backend_name() in ("mysql", "mariadb"):
        parsed = parsed.update_query_dict({"charset": "utf8mb4"})
    return parsed.render_as_string(hide_password=False)


def create_connector(url: str, settings: ErpSettings) -> ErpConnector:
    """The connector for `url`: REST for http(s) URLs, otherwise SQL (SQLAlchemy)."""
    if is_rest_url(url):
        from dari.erp.connectors.rest import RestConnector

        return RestConnector(url, settings)
    from dari.erp.connectors.sql import SqlConnector

    return SqlConnector(url, settings)
