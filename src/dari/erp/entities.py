"""ERP entity linking: load the master data a user may see and find it named in a question.

    index = await load_entities(toolset, None, principal)     # cached per scope for 5 minutes
    index.find("한빛 상사 이번 달 매출")   # [EntityMatch(kind="customer", code="C0001", …)]
    index.closest("customer", "한빗상삭")  # "did you mean" among what the user may see

The catalog's `entities` section names each kind's table and columns (docs/erp.md, "Entities
(master data for the router)"). The SELECT is generated from those names (quoted; the catalog
only accepts plain identifiers) and the kind's `row_scope` — the same rules as tools — is
applied for the asking user, so an entity the user may not see is never a candidate. A kind
whose scope refuses the user yields nothing. `hidden_mentions` / `exists_anywhere` check the
unrestricted data, only to choose a reply that does not tell "hidden" from "missing" (조회 권한이
없거나 없는 거래처입니다); they never return what they found.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
import weakref
from collections import OrderedDict
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from prometheus_client import Counter
from sqlglot import exp

from dari.core.principal import Principal
from dari.erp.base import ErpConnector, ErpError, Operation
from dari.erp.catalog import Catalog, EntitySpec
from dari.erp.entities_index import EntityIndex
from dari.erp.entities_match import Entity, EntityMatch
from dari.erp.scope import Scope, resolve

if TYPE_CHECKING:
    from dari.erp.toolset import ErpToolset

__all__ = [
    "Entity",
    "EntityIndex",
    "EntityMatch",
    "HiddenMention",
    "clear_entity_cache",
    "entity_sql",
    "exists_anywhere",
    "hidden_mentions",
    "load_entities",
]

log = logging.getLogger(__name__)
DEFAULT_TTL_S = 300.0
DEFAULT_TIMEOUT_S = 10.0
MAX_CACHED = 256  # indexes per connector (one per distinct scope: each rep, each team…)
ENTITY_LOADS = Counter(
    "dari_erp_entity_loads_total", "ERP master-data loads per kind", ["kind", "outcome"]
)
_ALIAS_SPLIT = re.compile(r"[,;|]")


@dataclass(frozen=True)
class HiddenMention:
    """A mention that names an entity only outside the user's scope (what it is: not told)."""

    kind: str
    mention: str
    span: tuple[int, int]


def _quote(identifier: str, dialect: str) -> str:
    return ".".join(
        exp.to_identifier(part, quoted=True).sql(dialect=dialect) for part in identifier.split(".")
    )


def entity_sql(spec: EntitySpec, dialect: str, where: str | None = None) -> str:
    """The SELECT loading one kind: `e_code, e_name, e_alias0…` (distinct names if no code)."""
    name = _quote(spec.name, dialect)
    columns = [f"{_quote(spec.code, dialect)} AS e_code"] if spec.code else []
    columns.append(f"{name} AS e_name")
    columns += [f"{_quote(a, dialect)} AS e_alias{i}" for i, a in enumerate(spec.aliases)]
    conditions = [f"{name} IS NOT NULL"] + ([f"({where})"] if where else [])
    order = _quote(spec.code, dialect) if spec.code else name
    return (
        f"SELECT {'' if spec.code else 'DISTINCT '}{', '.join(columns)} "
        f"FROM {_quote(spec.table, dialect)} WHERE {' AND '.join(conditions)} ORDER BY {order}"
    )


@dataclass
class _Cache:
    """Per connector: rows per (kind, SQL, binds) and indexes per combination, with the
    monotonic time they were loaded (a call accepts what is younger than its `ttl_s`)."""

    rows: dict[tuple[Any, ...], tuple[float, tuple[Entity, ...]]] = field(default_factory=dict)
    indexes: OrderedDict[tuple[Any, ...], tuple[float, EntityIndex]] = field(
        default_factory=OrderedDict
    )


# Keyed by the connector object itself (weakly): a new connector (other ERP) starts empty.
_CACHES: weakref.WeakKeyDictionary[Any, _Cache] = weakref.WeakKeyDictionary()


def clear_entity_cache() -> None:
    """Forget every loaded master data (tests; after an ERP-side bulk change)."""
    _CACHES.clear()


def _erp_parts(
    erp: ErpToolset | ErpConnector, catalog: Catalog | None
) -> tuple[ErpConnector, Catalog, float]:
    from dari.erp.toolset import ErpToolset  # here: the toolset may come to use this module

    if isinstance(erp, ErpToolset):  # its connector, current catalog and timeout
        return erp.connector, catalog or erp.catalog, float(erp.settings.timeout_s)
    if catalog is None:
        raise ValueError("load_entities: pass the catalog with a bare connector")
    return erp, catalog, DEFAULT_TIMEOUT_S


def _entities(
    kind: str, spec: EntitySpec, columns: list[str], rows: list[list[Any]]
) -> list[Entity]:
    position = {c.lower(): i for i, c in enumerate(columns)}
    alias_at = [position[f"e_alias{i}"] for i in range(len(spec.aliases))]
    out: list[Entity] = []
    for row in rows:
        name = str(row[position["e_name"]] or "").strip()
        if not name:
            continue
        code = str(row[position["e_code"]]).strip() if spec.code else name
        aliases = tuple(
            part.strip()
            for at in alias_at
            if row[at]
            for part in _ALIAS_SPLIT.split(str(row[at]))
            if part.strip()
        )
        out.append(Entity(kind, code, name, aliases))
    return out


async def _load_kind(
    connector: ErpConnector,
    cache: _Cache,
    kind: str,
    spec: EntitySpec,
    scope: Scope,
    key: tuple[Any, ...],
    ttl_s: float,
    timeout_s: float,
) -> tuple[Entity, ...]:
    now = time.monotonic()
    cached = cache.rows.get(key)
    if cached is not None and now - cached[0] < ttl_s:
        ENTITY_LOADS.labels(kind, "cached").inc()
        return cached[1]
    sql = entity_sql(spec, connector.dialect or "", scope.where)
    raw = await connector.execute(
        Operation(sql=sql), dict(scope.binds), max_rows=spec.max_rows, timeout_s=timeout_s
    )
    if raw.truncated:
        log.warning("ERP entities %s: more than max_rows=%d rows; the rest is not linked", kind,
                    spec.max_rows)  # fmt: skip
    entities = tuple(_entities(kind, spec, raw.columns, raw.rows))
    ENTITY_LOADS.labels(kind, "loaded").inc()
    cache.rows[key] = (now, entities)
    return entities


async def _load(
    erp: ErpToolset | ErpConnector,
    catalog: Catalog | None,
    principal: Principal | None,
    kinds: Collection[str] | None,
    ttl_s: float,
) -> EntityIndex:
    """`principal` None: every row (only for `exists_anywhere`/`hidden_mentions`)."""
    connector, catalog, timeout_s = _erp_parts(erp, catalog)
    specs = {k: s for k, s in catalog.entities.items() if kinds is None or k in kinds}
    labels = {k: s.label for k, s in specs.items()}
    if not specs or connector.dialect is None:
        return EntityIndex((), labels)  # no section, or a REST ERP: nothing to link
    plans: list[tuple[str, EntitySpec, Scope, tuple[Any, ...]]] = []
    unavailable: list[str] = []
    for kind, spec in specs.items():
        try:
            scope = Scope() if principal is None else resolve(spec.row_scope, principal)
        except ErpError:
            ENTITY_LOADS.labels(kind, "denied").inc()
            unavailable.append(kind)
            continue
        # The rows depend only on the SQL and its bound values, so users with the same scope
        # (one team's members, all admins) share them.
        binds = tuple(sorted(scope.binds.items()))
        plans.append((kind, spec, scope, (kind, spec.model_dump_json(), scope.where, binds)))
    cache = _CACHES.setdefault(connector, _Cache())
    index_key = (tuple(plan[3] for plan in plans), tuple(unavailable))
    now = time.monotonic()
    hit = cache.indexes.get(index_key)
    if hit is not None and now - hit[0] < ttl_s:
        cache.indexes.move_to_end(index_key)
        return hit[1]
    loaded = await asyncio.gather(
        *(
            _load_kind(connector, cache, kind, spec, scope, key, ttl_s, timeout_s)
            for kind, spec, scope, key in plans
        )
    )
    index = EntityIndex((e for rows in loaded for e in rows), labels, unavailable)
    cache.indexes[index_key] = (now, index)
    cache.indexes.move_to_end(index_key)
    while len(cache.indexes) > MAX_CACHED:
        cache.indexes.popitem(last=False)
    # Rows no index uses any more would otherwise pile up (one set per rep ever seen).
    used = {key for keys, _ in cache.indexes for key in keys}
    for key in [k for k in cache.rows if k not in used]:
        del cache.rows[key]
    return index


async def load_entities(
    erp: ErpToolset | ErpConnector,
    catalog: Catalog | None,
    principal: Principal,
    *,
    kinds: Collection[str] | None = None,
    ttl_s: float = DEFAULT_TTL_S,
) -> EntityIndex:
    """The entities `principal` may see (all kinds, or `kinds`), cached for `ttl_s` seconds.

    `erp` is the `ErpToolset` (its catalog when `catalog` is None, its timeout) or a bare
    connector with `catalog`. ERP failures raise `ErpError` (unavailable, timeout).
    """
    return await _load(erp, catalog, principal, kinds, ttl_s)


async def load_all_entities(
    erp: ErpToolset | ErpConnector,
    catalog: Catalog | None,
    *,
    ttl_s: float = DEFAULT_TTL_S,
) -> EntityIndex:
    """Every entity, whoever may see it. Only to tell "not yours" from "no such name" and to
    find what a question *names* (the router's placeholders); never to answer from."""
    return await _load(erp, catalog, None, None, ttl_s)


async def hidden_mentions(
    erp: ErpToolset | ErpConnector,
    catalog: Catalog | None,
    visible: EntityIndex,
    text: str,
    kinds: Collection[str] | None = None,
    *,
    ttl_s: float = DEFAULT_TTL_S,
) -> list[HiddenMention]:
    """Mentions in `text` that match some entity but no equally good one in `visible`.

    For the reply "조회 권한이 없거나 없는 거래처입니다" only: the result names the kind and the
    words, never the entity, and callers must not word "hidden" differently from "missing".
    """
    everything = await _load(erp, catalog, None, kinds, ttl_s)
    seen = {(m.span, m.kind): m.score for m in visible.find(text, kinds)}
    out: dict[tuple[tuple[int, int], str], HiddenMention] = {}
    for match in everything.find(text, kinds):
        if seen.get((match.span, match.kind), -1.0) < match.score:
            out.setdefault(
                (match.span, match.kind), HiddenMention(match.kind, match.mention, match.span)
            )
    return list(out.values())


async def exists_anywhere(
    erp: ErpToolset | ErpConnector, catalog: Catalog | None, kind: str, mention: str
) -> bool:
    """True if `mention` names some `kind` entity, visible to the asker or not (see above)."""
    everything = await _load(erp, catalog, None, [kind], DEFAULT_TTL_S)
    return bool(everything.find(mention, [kind]))
