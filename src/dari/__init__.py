"""Dari (다리): an on-premises Korean AI assistant over company documents and ERP data."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("dari")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0+local"
