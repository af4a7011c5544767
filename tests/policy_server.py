"""A real HTTP server on 127.0.0.1 serving fictional policy pages, one route per case.

Each route answers with a fixed ``Reply``, a queue of replies (one per request, the last one
repeated), a ``Fresh`` reply made anew for each request (a page that carries a new nonce on
every response), or one of the misbehaviours: never answering, resetting the connection. The test
changes what a route serves between runs and reads the log of requests the server received.
"""

import socket
import struct
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

HANG = "hang"
RESET = "reset"


@dataclass(frozen=True)
class Reply:
    """One HTTP answer."""

    body: bytes | str = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/html"})
    etag: str | None = None  # answer 304 to a matching If-None-Match (or If-Modified-Since)
    length: bool = True  # False: no Content-Length, the body ends when the connection closes

    def payload(self) -> bytes:
        return self.body.encode("utf-8") if isinstance(self.body, str) else self.body


@dataclass(frozen=True)
class Seen:
    """One request the server received."""

    path: str
    headers: dict[str, str]


@dataclass(frozen=True)
class Fresh:
    """A reply made for each request from the number of the request (1, 2, …) at its path."""

    make: Callable[[int], Reply]


Route = Reply | list[Reply] | Fresh | str


class PolicyServer:
    """The server, its routes and its log."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.seen: list[Seen] = []
        self.release = threading.Event()
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.policy = self  # type: ignore[attr-defined]
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        """Return the full URL of a path on this server."""
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def serve(self, path: str, route: Route) -> None:
        """Serve a reply, a queue of replies or a misbehaviour at path."""
        with self.lock:
            self.routes[path] = list(route) if isinstance(route, list) else route

    def hits(self, path: str) -> list[Seen]:
        """Return the requests received for path."""
        with self.lock:
            return [s for s in self.seen if s.path == path]

    def next_reply(self, path: str) -> Route | None:
        with self.lock:
            route = self.routes.get(path)
            if isinstance(route, list):
                return route.pop(0) if len(route) > 1 else route[0]
            return route


class Handler(BaseHTTPRequestHandler):
    """Answer each GET as its route says, and log it."""

    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        policy: PolicyServer = self.server.policy  # type: ignore[attr-defined]
        with policy.lock:
            policy.seen.append(Seen(self.path, dict(self.headers)))
        route = policy.next_reply(self.path)
        if isinstance(route, Fresh):
            route = route.make(len(policy.hits(self.path)))
        if route == HANG:
            policy.release.wait()
            self.close_connection = True
        elif route == RESET:
            linger = struct.pack("ii", 1, 0)  # close with a TCP reset, not a goodbye
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
            self.close_connection = True
        elif isinstance(route, Reply):
            self._reply(route)
        else:
            self._reply(Reply("not found", 404))

    def _reply(self, reply: Reply) -> None:
        modified = reply.headers.get("Last-Modified")
        if reply.etag and self.headers.get("If-None-Match") == reply.etag:
            reply = Reply(b"", 304, {"ETag": reply.etag})
        elif modified and self.headers.get("If-Modified-Since") == modified:
            reply = Reply(b"", 304, {})
        payload = reply.payload()
        self.send_response(reply.status)
        headers = {**reply.headers, **({"ETag": reply.etag} if reply.etag else {})}
        if reply.length:
            headers["Content-Length"] = str(len(payload))
        else:
            headers["Connection"] = "close"
            self.close_connection = True
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def policy_server() -> Iterator[PolicyServer]:
    server = PolicyServer()
    server.thread.start()
    yield server
    server.release.set()
    server.httpd.shutdown()
    server.httpd.server_close()


# Fictional policy pages: nav, cookie banner and footer around a sectioned body.

SECTIONS = {
    "Your account": (
        "You must be at least sixteen years old to open an account with Acme. You are responsible "
        "for keeping your password secret and for everything that happens under your account, "
        "and you must tell us at once if you think someone else has used it."
    ),
    "Your content": (
        "You keep ownership of what you post. By posting it you give Acme a worldwide, "
        "non-exclusive licence to host, store, copy and show it so that we can run the service, "
        "and this licence ends when you delete the content, except for copies in backups."
    ),
    "Ending the service": (
        "You may close your account at any time from the settings page. We may suspend or close "
        "your account if you break these terms repeatedly, and we will tell you why by email "
        "unless the law or the safety of other people prevents us from doing so."
    ),
    "Disputes": (
        "These terms are governed by the laws of the fictional Republic of Exempla. Any dispute "
        "will first go to mediation; if that fails within sixty days, either of us may take it "
        "to the courts of the capital city, and nothing here limits your rights as a consumer."
    ),
}


def cloudflare_hex(address: str, key: int) -> str:
    """Return an address as Cloudflare's e-mail protection hides it: a key byte, then XOR."""
    return f"{key:02x}" + "".join(f"{byte ^ key:02x}" for byte in address.encode("utf-8"))


def cloudflare_link(address: str, key: int) -> str:
    """Return a mailto link as Cloudflare rewrites it on a protected page."""
    code = cloudflare_hex(address, key)
    return (
        f'<a href="/cdn-cgi/l/email-protection#{code}"><span class="__cf_email__" '
        f'data-cfemail="{code}">[email&#160;protected]</span></a>'
    )


def cloudflare_text(address: str, key: int) -> str:
    """Return an address written as text, as Cloudflare rewrites it on a protected page."""
    return (
        '<a href="/cdn-cgi/l/email-protection" class="__cf_email__" '
        f'data-cfemail="{cloudflare_hex(address, key)}">[email&#160;protected]</a>'
    )


def policy_page(
    sections: dict[str, str] | None = None,
    *,
    title: str = "Acme Terms of Service",
    nav: str = '<a href="/">Home</a> <a href="/blog">Blog</a>',
    cookie: str = "We use cookies to improve your experience.",
    footer: str = "© 2024 Acme Ltd · Made with care",
    link: str = "/privacy",
    charset_meta: str = '<meta charset="utf-8">',
) -> str:
    """Return a fictional policy page as HTML."""
    body = "".join(
        f"<section><h2>{heading}</h2>\n<p>{text}</p></section>\n"
        for heading, text in (sections or SECTIONS).items()
    )
    return (
        f"<!DOCTYPE html><html><head>{charset_meta}<title>{title}</title></head><body>\n"
        f'<nav class="site-nav">{nav}</nav>\n'
        f'<div class="cookie-banner">{cookie} <button>Accept</button></div>\n'
        f'<main><article class="policy"><h1>{title}</h1>\n'
        f'<p>See also our <a href="{link}">Privacy Policy</a>.</p>\n{body}</article></main>\n'
        f"<footer>{footer}</footer></body></html>"
    )
