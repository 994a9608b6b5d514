"""What `dari erp check` found in a catalog (`Finding`) and how it is printed (`Report`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal


@dataclass(frozen=True)
class Finding:
    """One thing the catalog still lacks: an error (must be fixed) or a warning."""

    severity: Literal["error", "warning"]
    line: int | None  # 1-based line in the catalog file
    message: str


@dataclass
class Report:
    """Every finding for the catalog at `path`, and notes on what could not be compared."""

    path: Path
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what was (not) compared, for the reader

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    def lines(self) -> list[str]:
        """`FILE:LINE: severity: message`, errors first, then `N error(s), M warning(s)`."""
        ordered = sorted(
            self.findings, key=lambda f: (f.severity != "error", f.line or 0, f.message)
        )
        out = [f"{self.path}:{f.line or 0}: {f.severity}: {f.message}" for f in ordered]
        out.append(f"{len(self.errors)} error(s), {len(self.warnings)} warning(s)")
        return out
