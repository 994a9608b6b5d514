"""The sample ERP (한빛정밀): schema, deterministic generator, loader and shipped catalog."""

from pathlib import Path

CATALOG_PATH = Path(__file__).with_name("catalog.yaml")
