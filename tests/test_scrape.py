"""Scraping against a real HTTP server on 127.0.0.1: record real changes, refuse broken pages."""

import fcntl
import io
import json
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path

import git
import pytest

from policy_server import (
    HANG,
    RESET,
    SECTIONS,
    Fresh,
    PolicyServer,
    Reply,
    cloudflare_link,
    cloudflare_text,
    policy_page,
)
from termline import __version__
from termline.archive import EXTRACTED_BY, FETCHED_AT, SOURCE_URL, trailer
from termline.cli import main
from termline.errors import TermlineError
from termline.readable import MIN_WORDS
from termline.scrape.extract import extracted_by
from termline.scrape.fetch import FetchOptions
from termline.scrape.reports import Progress, Report, Status
from termline.scrape.results import read_results
from termline.scrape.run import ScrapeOptions, scrape
from termline.sources import load_config

TERMS = "/acme/terms"
FILE = "archive/acme/terms.md"
DECLARATIONS = {
    "select": 'select = "article.policy"\nremove = [".cookie-banner"]\n',
    "main-content": "",
}


class Scene:
    """A git repository, a sources.toml pointing at the local server, and runs of the scraper."""

    def __init__(self, root: Path, repo: Path, server: PolicyServer) -> None:
        self.root, self.path, self.server = root, repo, server
        self.sources = root / "sources.toml"
        self.repo = git.Repo(repo)
        self.declare({"acme/terms": TERMS})

    def declare(self, documents: dict[str, str], extra: str = DECLARATIONS["select"]) -> None:
        lines = []
        for key, route in documents.items():
            platform, document = key.split("/")
            url = route if route.startswith("http") else self.server.url(route)
            lines.append(
                f'[platforms.{platform}]\nname = "{platform.title()}"\n'
                f"[platforms.{platform}.documents.{document}]\n"
                f'name = "{document.title()} of Service"\ntype = "Terms of Service"\n'
                f'url = "{url}"\n{extra}'
            )
        self.sources.write_text("\n".join(lines), encoding="utf-8")

    def run(self, **options: object) -> Report:
        fetch = FetchOptions(
            timeout=float(options.pop("timeout", 5.0)),  # type: ignore[arg-type]
            retries=int(options.pop("retries", 0)),  # type: ignore[call-overload]
            max_bytes=int(options.pop("max_bytes", 1_000_000)),  # type: ignore[call-overload]
            backoff=0.01,
        )
        scrape_options = ScrapeOptions(
            sources=self.sources,
            repo=self.path,
            fetch=fetch,
            **options,  # type: ignore[arg-type]
        )
        return scrape(scrape_options, progress_to=io.StringIO())

    def head(self) -> str | None:
        return None if not self.repo.head.is_valid() else self.repo.head.commit.hexsha

    def text(self, relative: str = FILE) -> str | None:
        path = self.path / relative
        return path.read_text(encoding="utf-8") if path.exists() else None

    def subjects(self) -> list[str]:
        return [c.summary for c in self.repo.iter_commits()] if self.head() else []


@pytest.fixture
def scene(tmp_path, make_repo, policy_server) -> Scene:
    return Scene(tmp_path, make_repo().path, policy_server)


def only(report: Report, status: Status):
    [outcome] = report.documents
    assert outcome.status == status, outcome
    return outcome


# Recording real changes, and only them.


def test_a_new_document_is_recorded_alone_with_its_source(scene):
    scene.server.serve(TERMS, Reply(policy_page()))
    outcome = only(scene.run(), Status.NEW)
    assert outcome.commit == scene.head() and outcome.reason is None
    commit = scene.repo.head.commit
    assert commit.summary == "Start tracking Acme Terms of Service"
    assert list(commit.stats.files) == [FILE]
    assert (commit.author.name, commit.author.email) == ("termline", "bot@termline.invalid")
    assert trailer(commit.message, SOURCE_URL) == scene.server.url(TERMS)
    fetched_at = trailer(commit.message, FETCHED_AT)
    assert fetched_at == commit.authored_datetime.strftime("%Y-%m-%dT%H:%M:%SZ")
    text = scene.text()
    assert text.startswith(
        "# Acme Terms of Service\n\n"
        f"See also our [Privacy Policy]({scene.server.url('/privacy')}).\n\n"
        "## Your account\n\nYou must be at least sixteen years old"
    )
    assert text.endswith("nothing here limits your rights as a consumer.\n")
    for boilerplate in ("Home", "cookies", "Accept", "©"):
        assert boilerplate not in text
    assert scene.server.hits(TERMS)[0].headers["User-Agent"].startswith("termline/")


def test_the_commit_author_can_be_configured(scene):
    scene.sources.write_text(
        '[site]\nauthor = "Policy Bot <bot@policies.example>"\n' + scene.sources.read_text()
    )
    scene.server.serve(TERMS, Reply(policy_page()))
    only(scene.run(), Status.NEW)
    author = scene.repo.head.commit.author
    assert (author.name, author.email) == ("Policy Bot", "bot@policies.example")


def test_an_unchanged_rerun_makes_no_commit(scene):
    scene.server.serve(TERMS, Reply(policy_page()))
    scene.run()
    head, text = scene.head(), scene.text()
    only(scene.run(), Status.UNCHANGED)
    assert (scene.head(), scene.text()) == (head, text)


def test_a_change_in_one_section_is_one_commit_showing_only_that_section(scene):
    scene.server.serve(TERMS, Reply(policy_page()))
    scene.run()
    changed = {**SECTIONS, "Disputes": SECTIONS["Disputes"].replace("sixty days", "thirty days")}
    scene.server.serve(TERMS, Reply(policy_page(changed)))
    outcome = only(scene.run(), Status.CHANGED)
    assert scene.subjects() == [
        "Update Acme Terms of Service",
        "Start tracking Acme Terms of Service",
    ]
    assert outcome.commit == scene.head()
    diff = scene.repo.git.diff("HEAD~1", "HEAD", "-U0", "--", FILE).splitlines()
    changes = [line for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert len(changes) == 2
    assert changes[0].startswith("-These terms are governed") and "sixty days" in changes[0]
    assert changes[1].startswith("+These terms are governed") and "thirty days" in changes[1]


COSMETIC = {
    "nav": {"nav": '<a href="/">Home</a> <a href="/shop">Shop</a> <a href="/jobs">Jobs</a>'},
    "footer": {"footer": "© 2025 Acme Group Ltd · All rights reserved · Imprint"},
    "cookie banner": {"cookie": "We and our 812 partners use cookies and similar technologies."},
    "tracking parameter": {"link": "/privacy?utm_source=newsletter&utm_medium=email&fbclid=X1"},
    "whitespace and nbsp": {
        "sections": {
            heading: text.replace(" ", "\u00a0", 6).replace(", ", ",\n     ")
            for heading, text in SECTIONS.items()
        }
    },
}


@pytest.mark.parametrize("declaration", DECLARATIONS)
@pytest.mark.parametrize("change", COSMETIC)
def test_changes_that_are_no_policy_change_make_no_commit(scene, declaration, change):
    scene.declare({"acme/terms": TERMS}, DECLARATIONS[declaration])
    scene.server.serve(TERMS, Reply(policy_page()))
    only(scene.run(), Status.NEW)
    head, text = scene.head(), scene.text()
    assert "Your content" in text and "Privacy Policy" in text
    scene.server.serve(TERMS, Reply(policy_page(**COSMETIC[change])))  # type: ignore[arg-type]
    only(scene.run(), Status.UNCHANGED)
    assert (scene.head(), scene.text()) == (head, text)


# Inputs that change on every fetch while the policy does not: no commit.


def _contact_page(request: int) -> Reply:
    contact = (
        f"Write to {cloudflare_link('legal@acme.example', request)} or to our data protection "
        f"officer at {cloudflare_text('dpo@acme.example', 200 - request)} at any time, and we "
        "will answer within one month of receiving your letter."
    )
    return Reply(policy_page({**SECTIONS, "Contact": contact}))


@pytest.mark.parametrize("declaration", DECLARATIONS)
def test_a_cloudflare_protected_address_is_recorded_as_itself_and_a_new_hash_is_no_change(
    scene, declaration
):
    scene.declare({"acme/terms": TERMS}, DECLARATIONS[declaration])
    scene.server.serve(TERMS, Fresh(_contact_page))
    only(scene.run(), Status.NEW)
    text, head = scene.text(), scene.head()
    assert (
        "Write to [legal@acme.example](mailto:legal@acme.example) or to our data protection "
        "officer at dpo@acme.example at any time"
    ) in text
    assert "cdn-cgi" not in text and "protected" not in text
    only(scene.run(), Status.UNCHANGED)
    assert (scene.head(), scene.text()) == (head, text)
    assert len(scene.server.hits(TERMS)) == 2


def _nonce_page(request: int) -> Reply:
    documents = (
        f'Read the <a href="/static/terms.pdf?v={request}">printable terms</a>, the '
        f'<a href="/legal/cookies?ver=2.{request}.0&amp;_={1718000000 + request}&amp;lang=en">'
        f'cookie notice</a> and <a href="/legal/archive?id=7&amp;cb={request}f&amp;nonce=x{request}'
        f'&amp;timestamp={request}">earlier editions</a>; '
        '<a href="https://video.example/watch?v=dQw4w9WgXcQ">this video</a> explains them.'
    )
    return Reply(policy_page({**SECTIONS, "Documents": documents}))


@pytest.mark.parametrize("declaration", DECLARATIONS)
def test_a_new_cache_busting_nonce_in_links_is_no_change(scene, declaration):
    scene.declare({"acme/terms": TERMS}, DECLARATIONS[declaration])
    scene.server.serve(TERMS, Fresh(_nonce_page))
    only(scene.run(), Status.NEW)
    text, head = scene.text(), scene.head()
    for kept in (
        f"[printable terms]({scene.server.url('/static/terms.pdf')})",
        f"[cookie notice]({scene.server.url('/legal/cookies?lang=en')})",
        f"[earlier editions]({scene.server.url('/legal/archive?id=7')})",
        "[this video](https://video.example/watch?v=dQw4w9WgXcQ)",
    ):
        assert kept in text, kept
    only(scene.run(), Status.UNCHANGED)
    assert (scene.head(), scene.text()) == (head, text)


def _dated_page(request: int) -> Reply:
    stamp = "Updated: yesterday" if request == 1 else f"Updated: {request} days ago"
    account = f"{stamp}</p><p>{SECTIONS['Your account']}"
    return Reply(policy_page({**SECTIONS, "Your account": account}))


def test_relative_times_are_left_out_unless_the_document_keeps_them(scene):
    scene.server.serve(TERMS, Fresh(_dated_page))
    only(scene.run(), Status.NEW)
    text, head = scene.text(), scene.head()
    assert "Updated" not in text and "## Your account\n\nYou must be at least sixteen" in text
    only(scene.run(), Status.UNCHANGED)
    assert (scene.head(), scene.text()) == (head, text)
    scene.declare({"acme/terms": TERMS}, DECLARATIONS["select"] + "keep_relative_times = true\n")
    only(scene.run(), Status.CHANGED)
    assert "Updated: 3 days ago" in scene.text()
    only(scene.run(), Status.CHANGED)
    assert "Updated: 4 days ago" in scene.text()


def _session_page(request: int) -> Reply:
    account = (
        f"{SECTIONS['Your account']} Served in {request * 7} ms.</p>"
        f"<p>Session reference: ab{request}cd"
    )
    return Reply(policy_page({**SECTIONS, "Your account": account}))


def test_an_ignore_pattern_keeps_its_text_out_of_the_archive(scene):
    ignore = "ignore = ['^Session reference: \\w+$', ' Served in \\d+ ms\\.']\n"
    scene.declare({"acme/terms": TERMS}, DECLARATIONS["select"] + ignore)
    scene.server.serve(TERMS, Fresh(_session_page))
    only(scene.run(), Status.NEW)
    text, head = scene.text(), scene.head()
    assert "Session" not in text and "Served" not in text
    assert "you must tell us at once if you think someone else has used it.\n\n## Your" in text
    only(scene.run(), Status.UNCHANGED)
    assert (scene.head(), scene.text()) == (head, text)


IRREGULAR_LISTS = (
    "You agree to the following.</p><ol>"
    "<li>Follow the law of the place where you use the service.</li>"
    '<div class="callout"><li>Respect the other members and their work.</li></div>'
    "<li>Keep your password secret and your account your own.</li>"
    '<p class="note">These rules apply to every account.</p>'
    "<li>Report the abuse that you see to our moderators.</li></ol>"
    '<p>Payment.</p><ol start="5"><li>Pay each invoice on time.</li>'
    '<li value="9">Keep your billing details up to date.</li><li>Ask us for a receipt.</li></ol>'
    "<p>Countdown.</p><ol reversed><li>Three steps left.</li><li>Two steps left.</li>"
    "<li>One step left.</li></ol><p>That is all."
)


@pytest.mark.parametrize("declaration", DECLARATIONS)
def test_an_irregular_ordered_list_keeps_the_numbers_the_page_shows(scene, declaration):
    scene.declare({"acme/terms": TERMS}, DECLARATIONS[declaration])
    scene.server.serve(TERMS, Reply(policy_page({**SECTIONS, "Your duties": IRREGULAR_LISTS})))
    only(scene.run(), Status.NEW)
    numbered = [line for line in scene.text().split("\n") if line[:1].isdigit()]
    assert numbered == [
        "1. Follow the law of the place where you use the service.",
        "2. Respect the other members and their work.",
        "3. Keep your password secret and your account your own.",
        "4. Report the abuse that you see to our moderators.",
        "5. Pay each invoice on time.",
        "9. Keep your billing details up to date.",
        "10. Ask us for a receipt.",
        "3. Three steps left.",
        "2. Two steps left.",
        "1. One step left.",
    ]


IMPRINT = (
    "<html><head><title>Imprint</title></head><body><article class='policy'><h1>Imprint</h1>"
    "<p>Acme Ltd, 1 Example Street, 12345 Exempla City. Managing directors: Ada Example and "
    "Bob Example. Registered at the Exempla City district court under number HRB 12345. VAT "
    "identification number EX123456789. Contact: by telephone on +00 123 456 789 or by letter "
    "to the address above. We take part in no dispute resolution before a consumer arbitration "
    "board.</p></article></body></html>"
)


def test_a_short_page_is_recorded_when_its_document_declares_a_lower_floor(scene):
    scene.server.serve(TERMS, Reply(IMPRINT))
    outcome = only(scene.run(), Status.FAILED)
    assert outcome.reason == f"too-short: 58 words, fewer than {MIN_WORDS}"
    scene.declare({"acme/terms": TERMS}, DECLARATIONS["select"] + "min_words = 59\n")
    assert only(scene.run(), Status.FAILED).reason == "too-short: 58 words, fewer than 59"
    scene.declare({"acme/terms": TERMS}, DECLARATIONS["select"] + "min_words = 50\n")
    only(scene.run(), Status.NEW)
    assert scene.text().startswith("# Imprint\n\nAcme Ltd, 1 Example Street")


# What extracted each version, in its commit.


@pytest.mark.parametrize("declaration", DECLARATIONS)
def test_every_scrape_commit_says_what_extracted_it(scene, declaration):
    scene.declare({"acme/terms": TERMS}, DECLARATIONS[declaration])
    scene.server.serve(TERMS, Reply(policy_page()))
    only(scene.run(), Status.NEW)
    changed = {**SECTIONS, "Disputes": SECTIONS["Disputes"].replace("sixty", "thirty")}
    scene.server.serve(TERMS, Reply(policy_page(changed)))
    only(scene.run(), Status.CHANGED)
    expected = {
        "select": f"termline {__version__}; select=article.policy; remove=.cookie-banner",
        "main-content": f"termline {__version__}; trafilatura {version('trafilatura')}",
    }[declaration]
    commits = list(scene.repo.iter_commits())
    assert [trailer(c.message, EXTRACTED_BY) for c in commits] == [expected, expected]


def test_a_new_ignore_pattern_or_relative_times_kept_changes_what_extracted_says(scene):
    scene.server.serve(TERMS, Reply(policy_page()))
    base = DECLARATIONS["select"]
    values = []
    for extra in ("", "ignore = ['x+']\n", "ignore = ['y+']\n", "keep_relative_times = true\n"):
        scene.declare({"acme/terms": TERMS}, base + extra)
        [source] = load_config(scene.sources).sources
        values.append(extracted_by(source))
    assert len(set(values)) == 4
    assert values[1].endswith("; ignore=1 pattern " + values[1][-12:])
    assert values[3].endswith("; relative times kept")


# Refusals: nothing recorded, the previous version untouched, the reason named.


def refused(scene, reason: str, **options: object):
    """Run with a good version already recorded; assert the refusal left everything as it was."""
    head, text, log = scene.head(), scene.text(), scene.subjects()
    report = scene.run(**options)
    outcome = only(report, Status.FAILED)
    assert outcome.reason.startswith(f"{reason}: "), outcome.reason
    assert outcome.commit is None and report.exit_status == 1
    assert (scene.head(), scene.text(), scene.subjects()) == (head, text, log)
    assert scene.repo.git.status("--porcelain") == ""
    return outcome


@pytest.fixture
def recorded(scene) -> Scene:
    scene.server.serve(TERMS, Reply(policy_page()))
    only(scene.run(), Status.NEW)
    return scene


CHALLENGE = (
    "<html><head><title>Just a moment...</title></head><body><article class='policy'>"
    "<h1>Checking your browser before accessing acme.example</h1><p>This process is automatic."
    "</p></article></body></html>"
)
CAPTCHA = (
    "<html><head><title>Acme</title></head><body><article class='policy'><h1>One more step</h1>"
    "<p>Please complete the CAPTCHA below so we know you are not a robot.</p></article></body>"
    "</html>"
)
DENIED = (
    "<html><head><title>Access Denied</title></head><body><article class='policy'>"
    "<h1>Access Denied</h1><p>You don't have permission to access this page on this server.</p>"
    "<p>Reference #18.2f3c</p></article></body></html>"
)
LOGIN_TEXT = policy_page({"Members only": "Please log in to continue reading our terms."})
TOO_SHORT = policy_page({"Terms": "Short."})
NO_POLICY = policy_page().replace('class="policy"', 'class="legal-text"')
REFUSALS = {
    "404": (Reply("gone", 404), "http-status"),
    "empty body": (Reply(""), "empty"),
    "not html": (Reply(b"%PDF-1.7 ...", headers={"Content-Type": "application/pdf"}), "not-html"),
    "selector matches nothing": (Reply(NO_POLICY), "selector-matched-nothing"),
    "too short": (Reply(TOO_SHORT), "too-short"),
    "bot challenge": (Reply(CHALLENGE), "blocked"),
    "bot challenge with 503": (Reply(CHALLENGE, 503), "http-status"),
    "captcha": (Reply(CAPTCHA), "blocked"),
    "access denied": (Reply(DENIED), "blocked"),
    "login text": (Reply(LOGIN_TEXT), "blocked"),
    "reset connection": (RESET, "network-error"),
}


@pytest.mark.parametrize("case", REFUSALS)
def test_a_broken_page_is_refused_and_the_archive_untouched(recorded, case):
    route, reason = REFUSALS[case]
    recorded.server.serve(TERMS, route)
    refused(recorded, reason)


@pytest.mark.parametrize("length", [True, False], ids=["declared", "streamed"])
def test_a_body_over_max_bytes_is_refused(recorded, length):
    recorded.server.serve(TERMS, Reply(policy_page(), length=length))
    outcome = refused(recorded, "too-large", max_bytes=1000)
    assert outcome.reason == "too-large: the body is over 1000 bytes"


def test_a_redirect_to_a_login_page_is_refused(recorded):
    recorded.server.serve(TERMS, Reply("", 302, {"Location": "/login?next=/acme/terms"}))
    recorded.server.serve("/login?next=/acme/terms", Reply(policy_page(title="Sign in")))
    outcome = refused(recorded, "login-page")
    assert "/login" in outcome.reason


# Refusals by what the page is, whatever its length and its URL.

EXPLANATION = " ".join(
    [
        "Members get the full service, early access to new features, a monthly newsletter about",
        "what we are building, invitations to community events in their city, and the help of",
        "our support team seven days a week, with answers to every question within one working",
        "day.",
    ]
    * 4
)  # 150-odd words: longer than any gate the text rules alone would catch


def _gate_page(content: str, title: str = "Acme") -> str:
    return (
        f"<html><head><title>{title}</title></head><body><nav><a href='/'>Home</a></nav>"
        f"<main><h1>Welcome back</h1>{content}<p>{EXPLANATION}</p></main></body></html>"
    )


SIGN_IN = _gate_page(
    "<form action='/session' method='post'><label>E-mail <input type='email' name='email'>"
    "</label><label>Password <input type='PASSWORD' name='pw'></label><button>Continue</button>"
    "</form>"
)
WIDGETS = {
    "reCAPTCHA": "<form><div class='g-recaptcha' data-sitekey='6Lc-key'></div></form>",
    "hCaptcha": "<div class='h-captcha' data-sitekey='10000000-ffff'></div>",
    "Turnstile": "<iframe src='https://challenges.cloudflare.com/cdn-cgi/challenge-platform/x'>"
    "</iframe>",
    "press and hold": "<div id='px-captcha'></div>",
}
PRESS_AND_HOLD = _gate_page(
    "<p>Our systems have detected unusual traffic from your computer network. Press &amp; Hold "
    "to confirm you are a human (and not a bot).</p>"
)


@pytest.mark.parametrize("declaration", DECLARATIONS)
def test_a_redirect_to_a_sign_in_form_at_any_address_is_a_login_page(recorded, declaration):
    recorded.declare({"acme/terms": TERMS}, DECLARATIONS[declaration])
    recorded.server.serve(TERMS, Reply("", 302, {"Location": "/welcome?next=/acme/terms"}))
    recorded.server.serve("/welcome?next=/acme/terms", Reply(SIGN_IN))
    outcome = refused(recorded, "login-page")
    assert "password field" in outcome.reason


def test_a_sign_in_form_is_refused_even_where_the_declared_address_looks_like_one(scene):
    scene.declare({"acme/terms": "/auth/terms"})
    scene.server.serve("/auth/terms", Reply(SIGN_IN))
    assert only(scene.run(), Status.FAILED).reason.startswith("login-page: ")
    assert scene.head() is None


@pytest.mark.parametrize("declaration", DECLARATIONS)
@pytest.mark.parametrize("widget", WIDGETS)
def test_a_challenge_widget_is_refused_as_blocked_whatever_the_length(
    recorded, widget, declaration
):
    recorded.declare({"acme/terms": TERMS}, DECLARATIONS[declaration])
    recorded.server.serve(TERMS, Reply(_gate_page(WIDGETS[widget])))
    outcome = refused(recorded, "blocked")
    assert f"a {widget} challenge" in outcome.reason


@pytest.mark.parametrize("declaration", DECLARATIONS)
def test_a_long_press_and_hold_interstitial_is_refused_as_blocked(recorded, declaration):
    recorded.declare({"acme/terms": TERMS}, DECLARATIONS[declaration])
    recorded.server.serve(TERMS, Reply(PRESS_AND_HOLD))
    refused(recorded, "blocked")


@pytest.mark.parametrize("declaration", DECLARATIONS)
def test_a_sign_in_box_or_captcha_beside_the_policy_is_no_refusal(scene, declaration):
    scene.declare({"acme/terms": TERMS}, DECLARATIONS[declaration])
    hidden_modal = (
        "</p><div class='modal' style='display: none'><form><input type='password'>"
        "<div class='g-recaptcha'></div></form></div><div hidden><input type='password'></div><p>"
    )
    page = policy_page(
        {**SECTIONS, "Disputes": SECTIONS["Disputes"] + hidden_modal},
        nav="<a href='/'>Home</a><form><input type='email'><input type='password'></form>",
        footer="<form>Newsletter <input type='email'><div class='h-captcha'></div></form>",
    ).replace(
        "</head>",
        "<script src='https://www.google.com/recaptcha/api.js?render=key'></script></head>",
    )
    scene.server.serve(TERMS, Reply(page))
    only(scene.run(), Status.NEW)


def test_server_errors_are_retried_then_refused(recorded):
    recorded.server.serve(TERMS, Reply("oops", 500))
    before = len(recorded.server.hits(TERMS))
    refused(recorded, "http-status", retries=2)
    assert len(recorded.server.hits(TERMS)) - before == 3


def test_a_server_that_never_answers_costs_at_most_the_timeout_per_try(recorded):
    recorded.server.serve(TERMS, HANG)
    before = len(recorded.server.hits(TERMS))
    started = time.monotonic()
    refused(recorded, "timeout", timeout=0.3, retries=1)
    assert len(recorded.server.hits(TERMS)) - before == 2
    assert time.monotonic() - started < 10  # a bound on a hang, not a measurement


def test_an_unresolvable_host_is_refused(recorded):
    recorded.declare({"acme/terms": "http://policies.acme.invalid/terms"})
    refused(recorded, "unresolvable-host")


def test_a_text_that_shrank_by_more_than_half_needs_force(scene):
    long = {f"{heading} ({n})": text for n in range(3) for heading, text in SECTIONS.items()}
    scene.server.serve(TERMS, Reply(policy_page(long)))
    only(scene.run(), Status.NEW)
    scene.server.serve(TERMS, Reply(policy_page(dict(list(long.items())[:4]))))
    outcome = refused(scene, "shrunk")
    assert "--force" in outcome.reason
    only(scene.run(force=True), Status.CHANGED)
    assert "(2)" not in scene.text()


def test_the_short_text_threshold_sits_at_min_words(scene):
    def page(words: int) -> str:
        return f"<html><body><article class='policy'><p>{'clause ' * words}</p></article></body>"

    scene.server.serve(TERMS, Reply(page(MIN_WORDS - 1)))
    outcome = only(scene.run(), Status.FAILED)
    assert outcome.reason == f"too-short: {MIN_WORDS - 1} words, fewer than {MIN_WORDS}"
    assert scene.text() is None
    scene.server.serve(TERMS, Reply(page(MIN_WORDS)))
    only(scene.run(), Status.NEW)


def test_a_long_policy_that_mentions_captchas_and_access_is_not_a_gate(scene):
    sections = {
        **SECTIONS,
        "Security": "We use a CAPTCHA to stop bots; if access is denied to your account, "
        "please log in to continue after resetting your password.",
    }
    scene.server.serve(TERMS, Reply(policy_page(sections)))
    only(scene.run(), Status.NEW)


# The network's ways, handled.


def test_429_with_retry_after_then_200_is_recorded(scene):
    scene.server.serve(TERMS, [Reply("slow down", 429, {"Retry-After": "1"}), Reply(policy_page())])
    only(scene.run(retries=1), Status.NEW)
    assert len(scene.server.hits(TERMS)) == 2


def test_a_retry_after_beyond_the_bound_fails_at_once(scene):
    scene.server.serve(TERMS, Reply("slow down", 429, {"Retry-After": "3600"}))
    outcome = only(scene.run(retries=2), Status.FAILED)
    assert outcome.reason.startswith("rate-limited: 429 with Retry-After 3600s")
    assert len(scene.server.hits(TERMS)) == 1


def test_a_redirect_chain_is_followed_and_links_resolve_against_the_final_url(scene):
    scene.server.serve(TERMS, Reply("", 301, {"Location": "/acme/terms-2023"}))
    scene.server.serve("/acme/terms-2023", Reply("", 302, {"Location": "/legal/v2/terms"}))
    scene.server.serve("/legal/v2/terms", Reply(policy_page(link="../privacy#data")))
    only(scene.run(), Status.NEW)
    assert f"[Privacy Policy]({scene.server.url('/legal/privacy#data')})" in scene.text()


def test_an_iso_8859_1_page_declared_in_the_header_keeps_its_accents(scene):
    sections = {
        "Société": "Nous traitons vos données à caractère personnel conformément à la loi. " * 12
    }
    html = policy_page(sections, charset_meta="").encode("iso-8859-1")
    scene.server.serve(
        TERMS, Reply(html, headers={"Content-Type": "text/html; charset=ISO-8859-1"})
    )
    only(scene.run(), Status.NEW)
    assert "## Société\n\nNous traitons vos données à caractère personnel" in scene.text()


def test_an_xhtml_page_with_an_xml_declaration_is_read(scene):
    xhtml = '<?xml version="1.0" encoding="utf-8"?>\n' + policy_page().replace(
        "<html>", '<html xmlns="http://www.w3.org/1999/xhtml">'
    )
    scene.server.serve(TERMS, Reply(xhtml, headers={"Content-Type": "application/xhtml+xml"}))
    only(scene.run(), Status.NEW)
    assert "## Your content" in scene.text()


def test_conditional_requests_use_the_last_etag(scene):
    scene.server.serve(TERMS, Reply(policy_page(), etag='"v1"'))
    only(scene.run(), Status.NEW)
    assert "If-None-Match" not in scene.server.hits(TERMS)[-1].headers
    only(scene.run(), Status.UNCHANGED)
    assert scene.server.hits(TERMS)[-1].headers["If-None-Match"] == '"v1"'
    changed = {**SECTIONS, "Your account": "Accounts are now free of charge. " * 20}
    scene.server.serve(TERMS, Reply(policy_page(changed), etag='"v2"'))
    only(scene.run(), Status.CHANGED)
    assert "free of charge" in scene.text()


def test_conditional_requests_use_last_modified_without_an_etag(scene):
    stamp = "Wed, 01 May 2024 08:00:00 GMT"
    html = policy_page()
    scene.server.serve(
        TERMS, Reply(html, headers={"Content-Type": "text/html", "Last-Modified": stamp})
    )
    only(scene.run(), Status.NEW)
    only(scene.run(), Status.UNCHANGED)
    assert scene.server.hits(TERMS)[-1].headers["If-Modified-Since"] == stamp


def test_a_client_error_is_not_retried(scene):
    scene.server.serve(TERMS, Reply("gone", 404))
    only(scene.run(retries=2), Status.FAILED)
    assert len(scene.server.hits(TERMS)) == 1


# One run: other documents still recorded, modes, selections, the lock and a clean archive.


def test_one_failure_leaves_the_others_recorded_and_the_report_names_it(scene, tmp_path, capsys):
    scene.declare({"acme/terms": TERMS, "globex/privacy": "/globex/privacy"})
    scene.server.serve(TERMS, Reply(policy_page()))
    scene.server.serve("/globex/privacy", Reply("", 404))
    report_file = tmp_path / "report.json"
    argv = ["scrape", "--sources", str(scene.sources), "--repo", str(scene.path), "--retries", "0"]
    assert main([*argv, "--report", str(report_file)]) == 1
    report = json.loads(report_file.read_text())
    assert report == {
        "documents": [
            {
                "platform": "acme",
                "document": "terms",
                "url": scene.server.url(TERMS),
                "status": "new",
                "reason": None,
                "commit": scene.head(),
            },
            {
                "platform": "globex",
                "document": "privacy",
                "url": scene.server.url("/globex/privacy"),
                "status": "failed",
                "reason": "http-status: the server answered 404",
                "commit": None,
            },
        ]
    }
    out = capsys.readouterr().out
    assert "acme/terms" in out and "http-status: the server answered 404" in out
    assert "1 new, 0 changed, 0 unchanged, 1 failed" in out
    assert main(argv) == 1  # the failure again; the recorded one unchanged


def test_results_mode_writes_results_and_commits_nothing(scene, tmp_path):
    scene.server.serve(TERMS, Reply(policy_page()))
    outcome = only(scene.run(results=tmp_path / "results"), Status.NEW)
    assert outcome.commit is None and scene.head() is None and scene.text() is None
    [item] = read_results(tmp_path / "results")
    assert (item.platform, item.document, item.url) == ("acme", "terms", scene.server.url(TERMS))
    assert item.text.startswith("# Acme Terms of Service\n")


def test_a_dry_run_writes_nothing(scene):
    scene.server.serve(TERMS, Reply(policy_page()))
    only(scene.run(dry_run=True), Status.NEW)
    assert scene.head() is None and scene.text() is None


def test_only_selects_platforms_and_documents(scene):
    scene.declare({"acme/terms": TERMS, "globex/privacy": "/globex/privacy"})
    scene.server.serve(TERMS, Reply(policy_page()))
    report = scene.run(only=("acme",))
    assert [(d.platform, d.status) for d in report.documents] == [("acme", Status.NEW)]
    assert scene.server.hits("/globex/privacy") == []
    report = scene.run(only=("acme/terms", "globex/privacy"))
    assert [d.document for d in report.documents] == ["terms", "privacy"]
    with pytest.raises(TermlineError, match="--only acme/cookies: no declared document matches it"):
        scene.run(only=("acme/cookies",))


def test_a_second_scrape_is_refused_while_the_first_holds_the_lock(recorded):
    with (recorded.path / ".git" / "termline-scrape.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(TermlineError, match="another scrape is running"):
            recorded.run()
    only(recorded.run(), Status.UNCHANGED)


@pytest.mark.parametrize("mess", ["modified", "untracked", "staged elsewhere"])
def test_a_dirty_archive_or_index_is_refused(recorded, mess):
    if mess == "modified":
        (recorded.path / FILE).write_text("# Edited by hand\n")
    elif mess == "untracked":
        (recorded.path / "archive/acme/draft.md").write_text("# Draft\n")
    else:
        (recorded.path / "notes.txt").write_text("notes\n")
        recorded.repo.git.add("notes.txt")
    head = recorded.head()
    with pytest.raises(TermlineError, match=r"uncommitted changes|staged changes"):
        recorded.run()
    assert recorded.head() == head


def test_cli_errors_are_one_line_and_exit_2(scene, tmp_path, capsys):
    missing = tmp_path / "nowhere.toml"
    assert main(["scrape", "--sources", str(missing), "--repo", str(scene.path)]) == 2
    err = capsys.readouterr().err
    assert err.strip() == f"termline: error: {missing}: no such sources file"
    assert main(["scrape", "--sources", str(scene.sources), "--repo", str(tmp_path / "x")]) == 2
    with pytest.raises(SystemExit) as exit_info:
        main(["scrape", "--concurrency", "0"])
    assert exit_info.value.code == 2


def test_the_progress_bar_is_drawn_on_a_terminal_only():
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    for stream, drawn in ((io.StringIO(), False), (Terminal(), True)):
        progress = Progress(2, stream)
        progress.advance()
        progress.advance()
        progress.close()
        assert ("[" + "#" * 30 + "] 2/2" in stream.getvalue()) is drawn
        assert bool(stream.getvalue()) is drawn


def test_the_scrape_command_runs_as_a_program(scene, tmp_path):
    scene.server.serve(TERMS, Reply(policy_page()))
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "termline"),
            "scrape",
            "--sources",
            str(scene.sources),
            "--repo",
            str(scene.path),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "new        acme/terms" in result.stdout and result.stderr == ""
    assert scene.subjects() == ["Start tracking Acme Terms of Service"]
