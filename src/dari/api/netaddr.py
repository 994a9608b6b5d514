"""Client addresses: address/CIDR allow-lists and the trusted-proxy rewrite of `client`.

uvicorn's own `proxy_headers` trusts `X-Forwarded-For` from 127.0.0.1 by default, so any local
process (or a proxy that is not meant to be trusted) could choose the address sign-in lockouts
and audit rows see. `ForwardedMiddleware` believes forwarded headers only from the peers in
`DARI_TRUSTED_PROXIES` (none by default) and marks requests that carried them from anyone else.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.types import ASGIApp, Receive, Scope, Send

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
FORWARDING_HEADERS = frozenset({b"x-forwarded-for", b"forwarded", b"x-real-ip"})
# Set on the scope when forwarding headers came from a peer that is not a trusted proxy: the
# request passed through something we do not know (or the client forged them).
UNTRUSTED_FORWARDED = "dari.untrusted_forwarded"


def parse_address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An IP address from `1.2.3.4`, `1.2.3.4:80`, `::1` or `[::1]:80`; None otherwise."""
    text = value.strip()
    if text.startswith("["):
        text = text[1 : text.find("]")] if "]" in text else text
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


class AddressSet:
    """Addresses and CIDR networks (`*` = every address); membership of a host string."""

    def __init__(self, items: Iterable[str]) -> None:
        values = list(items)
        self.any = "*" in values
        self.networks: list[IPNetwork] = [
            ipaddress.ip_network(item, strict=False) for item in values if item != "*"
        ]

    def __contains__(self, host: object) -> bool:
        if self.any:
            return True
        address = parse_address(host) if isinstance(host, str) else None
        if address is None:
            return False
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped  # ::ffff:10.0.0.1 on a dual-stack socket
        return any(address in network for network in self.networks)

    def __bool__(self) -> bool:
        return self.any or bool(self.networks)

    @property
    def loopback_only(self) -> bool:
        return not self.any and all(network.is_loopback for network in self.networks)


def client_from_forwarded(values: list[str], trusted: AddressSet) -> str | None:
    """The client in an `X-Forwarded-For` chain: the right-most entry that is not a trusted
    proxy (entries to its left were written by the client and prove nothing); None if that
    entry is not an IP address."""
    hops = [hop.strip() for value in values for hop in value.split(",") if hop.strip()]
    for hop in reversed(hops):
        if hop not in trusted:
            address = parse_address(hop)
            return str(address) if address is not None else None
    address = parse_address(hops[0]) if hops else None  # every hop is a trusted proxy
    return str(address) if address is not None else None


class ForwardedMiddleware:
    """Rewrites `scope["client"]` (and `scheme`) from forwarded headers of trusted proxies."""

    def __init__(self, app: ASGIApp, trusted_proxies: Iterable[str]) -> None:
        self.app = app
        self.trusted = AddressSet(trusted_proxies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = scope.get("headers") or ()
        if any(name in FORWARDING_HEADERS for name, _ in headers):
            peer = scope.get("client")
            if self.trusted and peer and peer[0] in self.trusted:
                self._rewrite(scope, headers)
            else:
                scope[UNTRUSTED_FORWARDED] = True
        await self.app(scope, receive, send)

    def _rewrite(self, scope: Scope, headers: Iterable[tuple[bytes, bytes]]) -> None:
        chain = [v.decode("latin-1") for n, v in headers if n == b"x-forwarded-for"]
        client = client_from_forwarded(chain, self.trusted) if chain else None
        if client is not None:
            scope["client"] = (client, 0)
        proto = next((v for n, v in headers if n == b"x-forwarded-proto"), b"").decode("latin-1")
        if proto.strip() in ("http", "https"):
            secure = proto.strip() == "https"
            if scope["type"] == "websocket":
                scope["scheme"] = "wss" if secure else "ws"
            else:
                scope["scheme"] = proto.strip()
