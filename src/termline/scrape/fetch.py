"""Fetch stage: download every declared page concurrently, politely and within bounds.

Takes the URLs to fetch (with the ETag/Last-Modified of the last fetch, when known) and the
options; gives one ``Page`` per URL, in the same order: the final URL, status, type and body, or
the ``Reason`` it could not be had. One httpx client (HTTP/2 where the server offers it, connection
reuse) with an honest User-Agent; at most ``concurrency`` requests at once and ``PER_HOST`` per
host; retries with exponential backoff after timeouts, resets, 5xx and 429 (honouring Retry-After
up to a bound); every try bounded by ``timeout`` seconds and the body by ``max_bytes``.
"""

import asyncio
import socket
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import httpx

from termline import __version__
from termline.scrape.validate import Reason

PER_HOST = 2
MAX_REDIRECTS = 10
TRANSIENT_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class Validators:
    """What the server said identifies a version of a page, for a conditional request."""

    etag: str | None = None
    last_modified: str | None = None

    def headers(self) -> dict[str, str]:
        """Return the request headers that ask for the page only if it changed."""
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


@dataclass(frozen=True)
class Request:
    """One page to fetch, with the validators of its last fetch, if any."""

    url: str
    validators: Validators | None = None


@dataclass(frozen=True)
class Page:
    """What one fetch gave: a response, a 304 Not Modified, or the reason it failed."""

    url: str
    fetched_at: datetime
    final_url: str = ""
    status: int = 0
    content_type: str = ""
    body: bytes = b""
    validators: Validators = Validators()
    not_modified: bool = False
    failure: Reason | None = None
    detail: str = ""
    retry_after: float | None = None


@dataclass(frozen=True)
class FetchOptions:
    """How to fetch: bounds on time, tries, concurrency and size."""

    timeout: float = 30.0
    retries: int = 2
    concurrency: int = 8
    max_bytes: int = 10_000_000
    backoff: float = 1.0
    max_wait: float = 120.0  # the longest wait before a retry; a longer Retry-After fails
    contact: str | None = None  # a URL telling site owners who runs this archive

    @property
    def user_agent(self) -> str:
        """Return the User-Agent: the project, its version, and where to learn more."""
        contact = f"; +{self.contact}" if self.contact else ""
        return f"termline/{__version__} (policy archiver{contact})"


def fetch_pages(
    requests: Sequence[Request], options: FetchOptions, handle: Callable[[int, Page], None]
) -> None:
    """Fetch every request concurrently, handing each page to handle(index, page) on arrival."""
    asyncio.run(_fetch_all(requests, options, handle))


async def _fetch_all(
    requests: Sequence[Request], options: FetchOptions, handle: Callable[[int, Page], None]
) -> None:
    slots = asyncio.Semaphore(options.concurrency)
    hosts: defaultdict[str, asyncio.Semaphore] = defaultdict(lambda: asyncio.Semaphore(PER_HOST))
    async with _client(options) as client:

        async def one(index: int, request: Request) -> None:
            host = urlsplit(request.url).hostname or ""
            async with hosts[host], slots:  # wait for the host first, holding no global slot
                page = await _fetch_with_retries(client, request, options)
            handle(index, page)  # on the loop's thread: one at a time, and the body let go after

        await asyncio.gather(*(one(index, request) for index, request in enumerate(requests)))


def _client(options: FetchOptions) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        http2=True,
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        timeout=httpx.Timeout(options.timeout),
        limits=httpx.Limits(max_connections=options.concurrency),
        headers={
            "User-Agent": options.user_agent,
            "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1",
        },
    )


async def _fetch_with_retries(
    client: httpx.AsyncClient, request: Request, options: FetchOptions
) -> Page:
    attempt = 0
    while True:
        page = await _fetch_once(client, request, options)
        if not _is_transient(page) or attempt >= options.retries:
            return page
        if page.retry_after is not None and page.retry_after > options.max_wait:
            return _failed(
                request,
                Reason.RATE_LIMITED,
                f"{page.status} with Retry-After {page.retry_after:g}s, more than the "
                f"{options.max_wait:g}s allowed",
            )
        delay = page.retry_after if page.retry_after is not None else options.backoff * 2**attempt
        delay = min(delay, options.max_wait)
        await asyncio.sleep(delay)
        attempt += 1


def _is_transient(page: Page) -> bool:
    if page.failure is not None:
        return page.failure in (Reason.TIMEOUT, Reason.NETWORK)
    return page.status in TRANSIENT_STATUSES


async def _fetch_once(client: httpx.AsyncClient, request: Request, options: FetchOptions) -> Page:
    host = urlsplit(request.url).hostname or ""
    if host == "invalid" or host.endswith(".invalid"):  # RFC 6761: never resolves, never asked
        return _failed(request, Reason.UNRESOLVABLE, f"{host} does not resolve")
    try:
        async with asyncio.timeout(options.timeout):
            return await _get(client, request, options)
    except (TimeoutError, httpx.HTTPError) as error:
        reason, detail = _failure_of(error, host, options)
        return _failed(request, reason, detail)


def _failure_of(error: Exception, host: str, options: FetchOptions) -> tuple[Reason, str]:
    if isinstance(error, TimeoutError | httpx.TimeoutException):
        return Reason.TIMEOUT, f"no answer within {options.timeout:g}s"
    if isinstance(error, httpx.ConnectError) and isinstance(_root_cause(error), socket.gaierror):
        return Reason.UNRESOLVABLE, f"{host} does not resolve"
    if isinstance(error, httpx.TooManyRedirects):
        return Reason.NETWORK, f"more than {MAX_REDIRECTS} redirects"
    return Reason.NETWORK, f"{type(error).__name__}: {error}".rstrip(": ")


async def _get(client: httpx.AsyncClient, request: Request, options: FetchOptions) -> Page:
    headers = request.validators.headers() if request.validators else {}
    async with client.stream("GET", request.url, headers=headers) as response:
        if response.status_code == 304 and headers:
            return _page(request, response, b"", not_modified=True)
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > options.max_bytes:
            return _too_large(request, options)
        body = bytearray()
        async for chunk in response.aiter_bytes():  # decoded: a small gzip bomb is caught too
            body += chunk
            if len(body) > options.max_bytes:
                return _too_large(request, options)
        return _page(request, response, bytes(body))


def _page(
    request: Request, response: httpx.Response, body: bytes, not_modified: bool = False
) -> Page:
    return Page(
        url=request.url,
        fetched_at=_now(),
        final_url=str(response.url),
        status=response.status_code,
        content_type=response.headers.get("content-type", ""),
        body=body,
        validators=Validators(response.headers.get("etag"), response.headers.get("last-modified")),
        not_modified=not_modified,
        retry_after=_retry_after(response.headers.get("retry-after")),
    )


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())


def _too_large(request: Request, options: FetchOptions) -> Page:
    return _failed(request, Reason.TOO_LARGE, f"the body is over {options.max_bytes} bytes")


def _failed(request: Request, reason: Reason, detail: str) -> Page:
    return Page(url=request.url, fetched_at=_now(), failure=reason, detail=detail)


def _root_cause(error: BaseException) -> BaseException:
    while error.__cause__ is not None or error.__context__ is not None:
        error = error.__cause__ or error.__context__  # type: ignore[assignment]
    return error


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)
