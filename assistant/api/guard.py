"""HTTP hygiene in one ASGI layer around the whole server (REST, /v1 and the Gradio UI).

- Body limits that hold for chunked requests too: bytes are counted as they arrive, and the
  request is answered 413 as soon as it passes the limit (nothing past it is read or kept).
- The Host header must name this server (defeats DNS rebinding against a localhost server).
- Security headers on every response: CSP (no outside images, scripts or frames), X-Frame-Options,
  nosniff, Referrer-Policy.
- The client's address is put in a context variable so the login rate limit can count per client.
"""

from __future__ import annotations

import contextvars
import json
import socket

from starlette.exceptions import HTTPException

CLIENT: contextvars.ContextVar[str | None] = contextvars.ContextVar("shopfloor_client", default=None)

CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval' blob:; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data: blob:; font-src 'self' data:; media-src 'self' data: blob:; worker-src 'self' blob:; "
       "connect-src 'self' ws: wss:; frame-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; "
       "object-src 'none'")
HEADERS = [(b"content-security-policy", CSP.encode()), (b"x-frame-options", b"DENY"),
           (b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"),
           (b"cross-origin-opener-policy", b"same-origin")]


class BodyTooLarge(HTTPException):
    """Raised from ``receive``; an HTTPException so the frameworks inside answer 413 themselves."""


def local_host_names(bound_host: str, extra: list[str] | tuple[str, ...] = ()) -> set[str]:
    """Names a browser may use to reach this server: loopback, the machine's names and addresses, the
    configured extras and the bound address (unless it is a wildcard)."""
    names = {"localhost", "127.0.0.1", "::1", "[::1]"} | {h.lower() for h in extra}
    if bound_host not in ("", "0.0.0.0", "::"):
        names.add(bound_host.lower())
    else:
        try:
            hostname = socket.gethostname()
            names |= {hostname.lower(), socket.getfqdn().lower()}
            names |= set(socket.gethostbyname_ex(hostname)[2])
        except OSError:
            pass
    return names


def _ip(text: str):
    """An address from a forwarded entry (``1.2.3.4``, ``1.2.3.4:5678``, ``[::1]:80``), or None if it is none."""
    import ipaddress

    t = text.strip().strip('"')
    if t.startswith("["):
        t = t[1:].split("]", 1)[0]
    elif t.count(":") == 1:
        t = t.split(":", 1)[0]  # IPv4 with a port: the port must not make a new client of every connection
    try:
        return ipaddress.ip_address(t)
    except ValueError:
        return None


def _trusted(addr, trusted: frozenset[str]) -> bool:
    import ipaddress

    for entry in trusted:
        try:
            if addr in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def client_address(peer, forwarded: bytes, trusted: frozenset[str]) -> str | None:
    """The client's address: the peer's, or - only when the peer is a trusted proxy (an address or a network in
    ``server.trusted_proxies``) - the rightmost valid address in X-Forwarded-For that is not itself a trusted
    proxy (the left entries are the client's own claims); ports are dropped, invalid entries skipped."""
    addr = peer[0] if peer else None
    ip = _ip(addr) if addr else None
    if ip is None or not forwarded or not _trusted(ip, trusted):
        return addr
    for hop in reversed(forwarded.decode("latin-1").split(",")):
        hop_ip = _ip(hop)
        if hop_ip is not None and not _trusted(hop_ip, trusted):
            return str(hop_ip)
    return addr


class Guard:
    """ASGI middleware; ``limits`` maps a path prefix to its body limit in bytes (longest prefix wins)."""

    def __init__(self, app, limits: dict[str, int], default_limit: int, allowed_hosts: set[str] | None,
                 trusted_proxies: frozenset[str] = frozenset()):
        self.app, self.default_limit, self.allowed_hosts = app, default_limit, allowed_hosts
        self.trusted_proxies = trusted_proxies
        self.limits = sorted(limits.items(), key=lambda kv: -len(kv[0]))

    def limit_for(self, path: str) -> int:
        return next((n for prefix, n in self.limits if path.startswith(prefix)), self.default_limit)

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        headers = {k.lower(): v for k, v in scope.get("headers", [])}
        if self.allowed_hosts is not None and not self._host_ok(headers.get(b"host", b"").decode("latin-1")):
            host = headers.get(b"host", b"").decode("latin-1")[:100]
            return await _reply(send, 400, {"detail": f"unknown host name {host!r}; add it to server.allowed_hosts "
                                                      "in config.yaml to serve this name"}) \
                if scope["type"] == "http" else None
        CLIENT.set(client_address(scope.get("client"), headers.get(b"x-forwarded-for", b""), self.trusted_proxies))
        if scope["type"] == "websocket":
            return await self.app(scope, receive, send)
        limit = self.limit_for(scope.get("path", ""))
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            return await _reply(send, 413, _too_large(limit))
        return await self._limited(scope, receive, send, limit)

    def _host_ok(self, host: str) -> bool:
        name = host.rsplit(":", 1)[0] if not host.startswith("[") else host.split("]")[0] + "]"
        return self.allowed_hosts is None or name.lower() in self.allowed_hosts

    async def _limited(self, scope, receive, send, limit: int):
        received, started = 0, False

        async def counting_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(413, _too_large(limit)["detail"])
            return message

        async def secured_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message = {**message, "headers": [*_without(message.get("headers", [])), *HEADERS]}
            await send(message)

        try:
            await self.app(scope, counting_receive, secured_send)
        except BodyTooLarge:
            if not started:
                await _reply(send, 413, _too_large(limit))


def _without(headers):
    names = {k for k, _ in HEADERS}
    return [(k, v) for k, v in headers if k.lower() not in names]


def _too_large(limit: int) -> dict:
    return {"detail": f"request body over the {limit / 1_000_000:g} MB limit"}


async def _reply(send, status: int, body: dict) -> None:
    data = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode()),
                            (b"connection", b"close"), *HEADERS]})
    await send({"type": "http.response.body", "body": data})
