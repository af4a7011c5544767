"""Validate stage: refuse anything that is not plainly a policy, before anything is written.

Takes a fetched page (status, type, size, final URL) and later its normalised text with the
archived one; gives nothing when all is well, or raises ``Refusal`` with a named ``Reason``: a
network failure, a status other than 2xx, an empty, oversized or non-HTML body, a selector that
matched nothing, a text too short to be a policy, a bot challenge, captcha, access-denied or login
page, or a text that shrank by more than half (unless forced).
"""

import re
from enum import StrEnum
from urllib.parse import urlsplit


class Reason(StrEnum):
    """Why a document was refused; the first word of the reason in the report."""

    TIMEOUT = "timeout"
    NETWORK = "network-error"
    UNRESOLVABLE = "unresolvable-host"
    RATE_LIMITED = "rate-limited"
    HTTP_STATUS = "http-status"
    TOO_LARGE = "too-large"
    EMPTY = "empty"
    NOT_HTML = "not-html"
    NO_MATCH = "selector-matched-nothing"
    TOO_SHORT = "too-short"
    BLOCKED = "blocked"
    LOGIN = "login-page"
    SHRUNK = "shrunk"


class Refusal(Exception):
    """A document that must not be recorded, and why."""

    def __init__(self, reason: Reason, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


# The shortest policy worth recording, in words (link targets and Markdown markers not counted).
# A real terms page runs to thousands of words; a cookie wall or an error page to a few dozen.
MIN_WORDS = 100
# Pages saying these words in their title, or in a text this short, are gates, not policies.
# Challenge and denial pages run to a few dozen words; a policy may mention captchas or logins.
GATE_MAX_WORDS = 150
GATE_PHRASES = {
    "captcha": re.compile(r"\bcaptcha\b|\bare you a (?:robot|human)\b|\bverify (?:that )?you are"),
    "bot challenge": re.compile(
        r"\bjust a moment\b|\bchecking (?:if the site connection is secure|your browser)\b"
        r"|\battention required\b|\bddos protection\b|\benable javascript and cookies to continue"
        r"|\bunusual traffic\b|\bpress (?:&|and) hold\b"
    ),
    "access denied": re.compile(
        r"\baccess (?:denied|to this page has been denied)\b|\b403 forbidden\b"
        r"|\byou don't have permission to access\b|\brequest (?:was )?blocked\b"
    ),
    "login": re.compile(
        r"\b(?:sign|log) ?in to (?:continue|your account|view)\b|\bplease (?:sign|log) ?in\b"
    ),
}
LOGIN_PATH = re.compile(
    r"(?:^|/)(?:log-?in|sign-?in|auth|sso|oauth2?|accounts?/(?:login|signin)|session/new)(?:/|$|\.)",
    re.IGNORECASE,
)
HTML_TYPES = ("text/html", "application/xhtml+xml")
MARKUP = re.compile(r"\]\([^)]*\)|<https?://[^>]*>|[#*_>|`\[\]-]")


def check_response(status: int, content_type: str, body: bytes, declared: str, final: str) -> None:
    """Refuse a response that is not a successful HTML page at the address asked for."""
    if not 200 <= status < 300:
        raise Refusal(Reason.HTTP_STATUS, f"the server answered {status}")
    if _is_login_url(final) and not _is_login_url(declared):
        raise Refusal(Reason.LOGIN, f"redirected to a login page ({final})")
    if not body.strip():
        raise Refusal(Reason.EMPTY, "the body is empty")
    media_type = content_type.partition(";")[0].strip().lower()
    if media_type not in HTML_TYPES and not (not media_type and _looks_like_html(body)):
        raise Refusal(Reason.NOT_HTML, f"the body is {media_type or 'of no declared type'}")


def check_text(text: str, title: str, previous: str | None, force: bool) -> None:
    """Refuse a normalised text that is a gate page, too short, or much shorter than before."""
    words = count_words(text)
    gate = _gate(title, text if words <= GATE_MAX_WORDS else "")
    if gate:
        raise Refusal(Reason.BLOCKED, f"the page looks like a {gate} page")
    if words < MIN_WORDS:
        raise Refusal(Reason.TOO_SHORT, f"{words} words, fewer than {MIN_WORDS}")
    if previous is not None and not force:
        before = count_words(previous)
        if words * 2 < before:
            raise Refusal(
                Reason.SHRUNK,
                f"{words} words against {before} archived (likely truncated; --force to accept)",
            )


def count_words(markdown: str) -> int:
    """Return the number of words of a Markdown text, not counting link targets or markers."""
    return len(MARKUP.sub(" ", markdown).split())


def _gate(title: str, text: str) -> str | None:
    haystack = f"{title}\n{text}".lower()
    for name, pattern in GATE_PHRASES.items():
        if pattern.search(haystack):
            return name
    return None


def _is_login_url(url: str) -> bool:
    return bool(LOGIN_PATH.search(urlsplit(url).path))


def _looks_like_html(body: bytes) -> bool:
    start = body[:1024].lstrip().lower()
    return start.startswith((b"<!doctype html", b"<html"))
