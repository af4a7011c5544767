"""Validate stage: refuse anything that is not plainly a policy, before anything is written.

Takes a fetched page (status, type, size, final URL) and later its normalised text with the
archived one; gives nothing when all is well, or raises ``Refusal`` with a named ``Reason``: a
network failure, a status other than 2xx, an empty, oversized or non-HTML body, a selector that
matched nothing, a text too short to be a policy, a bot challenge, captcha, access-denied or login
page, or a text that shrank by more than half (unless forced). A page is also judged by what its
main content is, whatever its length or URL: a sign-in form (a password field) is a login page, a
challenge widget (reCAPTCHA, hCaptcha, Turnstile, "press and hold") a blocked one.
"""

import re
from collections.abc import Sequence
from enum import StrEnum
from urllib.parse import urlsplit

from lxml import html as lxml_html

from termline.readable import MIN_WORDS, count_words


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
# Phrases only a challenge page says, refused whatever the length of the text around them.
CHALLENGE_PHRASES = re.compile(
    r"\bpress (?:&|and) hold to confirm you are\b"
    r"|\bour systems have detected unusual traffic from your computer network\b"
)
PASSWORD_FIELD = ".//input[translate(@type, 'PASSWORD', 'password') = 'password']"
# Challenge widgets by their markup: the element the widget's script fills, or its frame.
WIDGETS = {
    "reCAPTCHA": ".//*[contains(@class, 'g-recaptcha')] | .//iframe[contains(@src, '/recaptcha/')]",
    "hCaptcha": ".//*[contains(@class, 'h-captcha')] | .//iframe[contains(@src, 'hcaptcha.com')]",
    "Turnstile": (
        ".//*[contains(@class, 'cf-turnstile')]"
        " | .//iframe[contains(@src, 'challenges.cloudflare.com')]"
    ),
    "press and hold": ".//*[@id = 'px-captcha']",
}
# What sits beside the main content rather than in it: a site-wide sign-in menu or a hidden modal.
ASIDE = frozenset({"header", "nav", "footer", "aside", "dialog", "template", "noscript"})
HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
LOGIN_PATH = re.compile(
    r"(?:^|/)(?:log-?in|sign-?in|auth|sso|oauth2?|accounts?/(?:login|signin)|session/new)(?:/|$|\.)",
    re.IGNORECASE,
)
HTML_TYPES = ("text/html", "application/xhtml+xml")


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


def check_markup(regions: Sequence[lxml_html.HtmlElement]) -> None:
    """Refuse a page whose main content holds a sign-in form or a challenge widget."""
    for region in regions:
        if CHALLENGE_PHRASES.search(" ".join(region.text_content().split()).lower()):
            raise Refusal(Reason.BLOCKED, "the main content says it is a challenge for robots")
        if _shown(region.xpath(PASSWORD_FIELD), region):
            raise Refusal(
                Reason.LOGIN,
                "the main content is a sign-in form (a password field); "
                "if the policy page really holds one, declare it in remove",
            )
        for name, path in WIDGETS.items():
            if _shown(region.xpath(path), region):
                raise Refusal(
                    Reason.BLOCKED,
                    f"the main content holds a {name} challenge; "
                    "if the policy page really holds one, declare it in remove",
                )


def check_text(
    text: str, title: str, previous: str | None, force: bool, min_words: int = MIN_WORDS
) -> None:
    """Refuse a normalised text that is a gate page, too short, or much shorter than before."""
    words = count_words(text)
    gate = _gate(title, text if words <= GATE_MAX_WORDS else "")
    if gate:
        raise Refusal(Reason.BLOCKED, f"the page looks like a {gate} page")
    if words < min_words:
        raise Refusal(Reason.TOO_SHORT, f"{words} words, fewer than {min_words}")
    if previous is not None and not force:
        before = count_words(previous)
        if words * 2 < before:
            raise Refusal(
                Reason.SHRUNK,
                f"{words} words against {before} archived (likely truncated; --force to accept)",
            )


def _gate(title: str, text: str) -> str | None:
    haystack = f"{title}\n{text}".lower()
    for name, pattern in GATE_PHRASES.items():
        if pattern.search(haystack):
            return name
    return None


def _shown(found: list[lxml_html.HtmlElement], region: lxml_html.HtmlElement) -> bool:
    """Return whether any element found is in the region's content, not beside it or hidden."""
    return any(not _set_aside(element, region) for element in found)


def _set_aside(element: lxml_html.HtmlElement, region: lxml_html.HtmlElement) -> bool:
    for node in (element, *element.iterancestors()):
        hidden = node.get("hidden") is not None or node.get("aria-hidden") == "true"
        if hidden or HIDDEN_STYLE.search(node.get("style") or ""):
            return True
        if node is region:
            return False
        if node.tag in ASIDE:
            return True
    return False


def _is_login_url(url: str) -> bool:
    return bool(LOGIN_PATH.search(urlsplit(url).path))


def _looks_like_html(body: bytes) -> bool:
    start = body[:1024].lstrip().lower()
    return start.startswith((b"<!doctype html", b"<html"))
