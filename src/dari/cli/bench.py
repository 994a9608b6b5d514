"""`dari bench …`: benchmarks that print numbers. Each domain registers its own in
`dari/<domain>/bench.py` with `def register(bench_app: typer.Typer) -> None`."""

from __future__ import annotations

import typer

from dari.core.modules import domain_modules

bench_app = typer.Typer(
    help="Benchmarks (speed, memory, quality); JSON with --json.", no_args_is_help=True
)

for _module in domain_modules("bench"):
    _module.register(bench_app)
