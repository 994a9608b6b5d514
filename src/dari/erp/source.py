"""Where the catalog comes from: a YAML file, re-read when it changes (bad edits are refused)."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from dari.erp.catalog import Catalog, CatalogError, load_catalog

log = logging.getLogger(__name__)


class CatalogSource:
    """Holds the current catalog; `current()` reloads if the file's mtime changed.

    A file that became invalid keeps the last good catalog in service (the error is logged
    and kept in `error`); a catalog that was never valid raises `CatalogError`.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._catalog: Catalog | None = None
        self._mtime: float | None = None
        self.error: str | None = None
        self._lock = threading.Lock()

    def _stat(self) -> float | None:
        try:
            return self.path.stat().st_mtime_ns / 1e9
        except OSError:
            return None

    def reload(self) -> Catalog:
        """Read the file now; raise `CatalogError` if it is invalid (the old one stays)."""
        with self._lock:
            mtime = self._stat()
            try:
                catalog = load_catalog(self.path)
            except CatalogError as exc:
                self.error = str(exc)
                self._mtime = mtime
                raise
            self._catalog, self._mtime, self.error = catalog, mtime, None
            return catalog

    def current(self) -> Catalog:
        if self._catalog is None or self._stat() != self._mtime:
            try:
                return self.reload()
            except CatalogError as exc:
                if self._catalog is None:
                    raise
                log.error("ERP catalog not reloaded, keeping the previous one: %s", exc)
        assert self._catalog is not None
        return self._catalog
