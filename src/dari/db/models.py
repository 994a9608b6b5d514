"""Collects every domain's models so `Base.metadata` is complete (migrations, drift check)."""

from dari.core.modules import domain_modules
from dari.db.base import Base


def load_all_models() -> type[Base]:
    """Import `dari/<domain>/models.py` of every domain; each defines its tables on `Base`."""
    domain_modules("models")
    return Base
