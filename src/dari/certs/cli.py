"""`dari certs`: the internal CA and per-service certificates for TLS 1.3 / mutual TLS."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from dari.certs.service import (
    CA_DAYS,
    CERT_DAYS,
    CertError,
    init_ca,
    issue,
    listing,
    parse_owner,
    rotate,
)
from dari.cli.common import fail

app = typer.Typer(
    name="certs",
    help="Internal CA and per-service certificates (TLS 1.3, mutual TLS).",
    no_args_is_help=True,
)

DirOption = Annotated[
    Path,
    typer.Option(
        "--dir",
        help="Certificate directory (the CA in DIR/ca, one folder per service).",
        file_okay=False,
    ),
]


@app.command("init")
def init(
    directory: DirOption = Path("certs"),
    name: Annotated[str, typer.Option(help="The CA's common name.")] = "Dari internal CA",
    days: Annotated[int, typer.Option(min=1, help="Validity of the CA, in days.")] = CA_DAYS,
    force: Annotated[bool, typer.Option(help="Replace an existing CA (breaks trust).")] = False,
) -> None:
    """Create the internal CA (ECDSA P-256) and the trust bundle DIR/ca.pem."""
    try:
        path = init_ca(directory, common_name=name, days=days, force=force)
    except CertError as exc:
        fail(str(exc))
    typer.echo(f"CA: {path} (key {path.with_suffix('.key')}, keep it off the servers' mounts)")


@app.command("issue")
def issue_cmd(
    name: Annotated[str, typer.Argument(help="Service name (also the first DNS name).")],
    directory: DirOption = Path("certs"),
    dns: Annotated[list[str], typer.Option(help="More DNS names (repeatable).")] = [],  # noqa: B006
    ip: Annotated[list[str], typer.Option(help="IP addresses (repeatable).")] = [],  # noqa: B006
    days: Annotated[int, typer.Option(min=1, help="Validity, in days.")] = CERT_DAYS,
    owner: Annotated[
        str | None,
        typer.Option(help="UID[:GID] that owns the service's files (its user in the container)."),
    ] = None,
) -> None:
    """Issue a service's certificate and key (server and client use) into DIR/NAME/."""
    try:
        issued = issue(directory, name, dns=dns, ips=ip, days=days, owner=parse_owner(owner))
    except CertError as exc:
        fail(str(exc))
    except PermissionError as exc:
        fail(f"{exc} (--owner needs root)")
    names = ", ".join(issued.dns + issued.ips)
    typer.echo(f"{name}: {issued.directory}/cert.pem ({names}) until {issued.not_after:%Y-%m-%d}")


@app.command("rotate")
def rotate_cmd(
    names: Annotated[
        list[str] | None, typer.Argument(help="Services to re-issue (default: all).")
    ] = None,
    directory: DirOption = Path("certs"),
    ca: Annotated[
        bool, typer.Option("--ca", help="Replace the CA first (the bundle trusts old and new).")
    ] = False,
    drop_old_ca: Annotated[
        bool, typer.Option(help="Trust only the current CA (after every service restarted).")
    ] = False,
    days: Annotated[int | None, typer.Option(min=1, help="Validity, in days.")] = None,
) -> None:
    """Re-issue certificates with the same names and owner; restart the services after."""
    if ca and drop_old_ca:
        fail("--ca and --drop-old-ca are two steps: run them one after the other", code=2)
    try:
        done = rotate(directory, names or None, new_ca=ca, drop_old_ca=drop_old_ca, days=days)
    except CertError as exc:
        fail(str(exc))
    for issued in done:
        typer.echo(f"{issued.name}: re-issued until {issued.not_after:%Y-%m-%d}")
    if not done:
        typer.echo("no service certificates to re-issue")


@app.command("list")
def list_cmd(directory: DirOption = Path("certs")) -> None:
    """Each service certificate, its expiry, and whether the trust bundle still trusts it."""
    now = datetime.now(UTC)
    try:
        rows = listing(directory)
    except CertError as exc:
        fail(str(exc))
    for row in rows:
        left = (row.not_after - now).days
        state = "ok" if row.trusted else "NOT TRUSTED by ca.pem"
        typer.echo(f"{row.name:16} until {row.not_after:%Y-%m-%d} ({left} days)  {state}")
