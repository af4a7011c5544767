"""Extract stage: turn a fetched HTML page into the Markdown of the policy it holds.

Takes the body, its Content-Type, the final URL and the declaration's ``select``/``remove``
selectors; gives the page title and the policy as Markdown. The body is decoded by the declared
charset (header, then ``<meta>``, then UTF-8, then Windows-1252), links are made absolute
against the final URL (and ``<base href>``), scripts, styles and ``remove`` matches are dropped,
then the ``select`` matches are kept, or trafilatura finds the main content. One converter,
markdownify, writes the Markdown for both paths, so the archive has one dialect.

What a browser shows is what is kept: Cloudflare-protected e-mail addresses are decoded (their
hex changes on every response, the address does not), and every item of an ordered list keeps
the number the page gives it (``start``, ``value``, ``reversed``, items inside stray wrappers),
since section numbers are what legal cross-references cite. A main content that is a sign-in
form or a challenge widget is refused before anything is extracted (see ``validate``).
``extracted_by`` names what extracted a document, for the ``Extracted-By`` trailer.
"""

import codecs
import hashlib
import re
from dataclasses import dataclass
from importlib.metadata import version
from typing import Any

import trafilatura
from lxml import etree
from lxml import html as lxml_html
from markdownify import MarkdownConverter

from termline import __version__
from termline.scrape.validate import Reason, Refusal, check_markup
from termline.sources import Source

CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
# WHATWG Encoding: pages labelled Latin-1 or ASCII are decoded as Windows-1252, as browsers do.
WHATWG_ALIASES = {"iso8859-1": "cp1252", "latin-1": "cp1252", "ascii": "cp1252"}
NEVER_CONTENT = "//script|//style|//noscript|//template|//svg|//iframe|//object"
MAIN_REGION = "//main|//*[@role='main']"
# Cloudflare's e-mail obfuscation: a link to /cdn-cgi/l/email-protection#<hex>, or an element
# with data-cfemail="<hex>" standing for the address; the first byte is the XOR key of the rest.
CLOUDFLARE_LINK = "/cdn-cgi/l/email-protection"
HEX = re.compile(r"(?:[0-9a-fA-F]{2}){2,}")
# The number a browser shows before a list item, carried to the converter in this attribute.
NUMBER = "data-termline-number"
LIST_OWNERS = frozenset({"ol", "ul", "menu"})
LEADING_INTEGER = re.compile(r"^\s*([+-]?\d{1,9})")


@dataclass(frozen=True)
class Extracted:
    """The page's title and the policy's Markdown (not yet normalised)."""

    title: str
    markdown: str


def extract(
    body: bytes, content_type: str, url: str, select: str | None, remove: tuple[str, ...] = ()
) -> Extracted:
    """Return the title and Markdown of the policy in an HTML page; refuse an empty one."""
    tree = parse(decode(body, content_type))
    tree.make_links_absolute(url, resolve_base_href=True, handle_failures="ignore")
    title = " ".join((tree.findtext(".//title") or "").split())
    for selector in remove:
        for element in tree.cssselect(selector):
            element.drop_tree()
    selected = _outermost(tree.cssselect(select)) if select else []
    check_markup(selected or _main_region(tree))
    for element in tree.xpath(NEVER_CONTENT):
        element.drop_tree()
    selected = [e for e in selected if e.getroottree().getroot() is tree]  # none dropped above
    decode_cloudflare_emails(tree)
    number_lists(tree)
    if select and not selected:
        raise Refusal(Reason.NO_MATCH, f"'{select}' matched nothing")
    content = _html(selected) if select else _main_content(tree, url, _marker(body))
    return Extracted(title, _Converter().convert(content))


def extracted_by(source: Source) -> str:
    """Return what extracts a document, as its commits' ``Extracted-By`` trailer says it."""
    parts = [f"termline {__version__}"]
    if source.select:
        parts.append(f"select={source.select}")
    else:
        parts.append(f"trafilatura {version('trafilatura')}")
    if source.remove:
        parts.append(f"remove={', '.join(source.remove)}")
    if source.ignore:
        digest = hashlib.sha256("\n".join(source.ignore).encode("utf-8")).hexdigest()[:12]
        count = len(source.ignore)
        parts.append(f"ignore={count} pattern{'s' if count > 1 else ''} {digest}")
    if source.keep_relative_times:
        parts.append("relative times kept")
    return " ".join("; ".join(parts).split())  # one line, whatever the selectors hold


def decode_cloudflare_emails(tree: lxml_html.HtmlElement) -> None:
    """Put back the addresses that Cloudflare's e-mail protection hides, as its script does."""
    for element in tree.xpath("//*[@data-cfemail]"):
        address = _cloudflare_address(element.get("data-cfemail", ""))
        if address is not None:
            _replace_with_text(element, address)
    for link in tree.xpath(f"//a[contains(@href, '{CLOUDFLARE_LINK}')]"):
        href = link.get("href", "")
        address = _cloudflare_address(href.partition("#")[2])
        if CLOUDFLARE_LINK in href.partition("#")[0] and address is not None:
            link.set("href", f"mailto:{address}")


def number_lists(tree: lxml_html.HtmlElement) -> None:
    """Mark every item of an ordered list with the number a browser shows for it."""
    for forged in tree.xpath(f"//*[@{NUMBER}]"):
        del forged.attrib[NUMBER]
    for ordered in tree.iter("ol"):
        items = [item for item in ordered.iter("li") if _list_owner(item) is ordered]
        backwards = ordered.get("reversed") is not None
        start = _integer(ordered.get("start"))
        number = start if start is not None else len(items) if backwards else 1
        for item in items:
            value = _integer(item.get("value"))
            number = value if value is not None else number
            item.set(NUMBER, str(number))
            number += -1 if backwards else 1


def decode(body: bytes, content_type: str) -> str:
    """Return the text of an HTML body, decoded as its header or meta tag says."""
    declared = _charset(content_type.encode("latin-1", "replace")) or _charset(body[:4096])
    if declared:
        return body.decode(declared, errors="replace")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("cp1252", errors="replace")


def parse(text: str) -> lxml_html.HtmlElement:
    """Parse HTML or XHTML text into an element tree; refuse a document with nothing in it."""
    try:
        return lxml_html.document_fromstring(XML_DECLARATION.sub("", text, count=1))
    except (etree.ParserError, ValueError) as error:
        raise Refusal(Reason.EMPTY, f"no HTML document in the body ({error})") from error


def _charset(data: bytes) -> str | None:
    match = CHARSET.search(data) if b"<" in data else re.search(rb"charset=([\w.:-]+)", data, re.I)
    if not match:
        return None
    try:
        name = codecs.lookup(match.group(1).decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None
    return WHATWG_ALIASES.get(name, name)


def _outermost(matches: list[lxml_html.HtmlElement]) -> list[lxml_html.HtmlElement]:
    found = set(matches)
    return [m for m in matches if not any(a in found for a in m.iterancestors())]


def _main_region(tree: lxml_html.HtmlElement) -> list[lxml_html.HtmlElement]:
    body = tree.find("body")
    return _outermost(tree.xpath(MAIN_REGION)) or [tree if body is None else body]


def _html(elements: list[lxml_html.HtmlElement]) -> str:
    return "\n".join(lxml_html.tostring(e, encoding="unicode") for e in elements)


def _cloudflare_address(encoded: str) -> str | None:
    if not HEX.fullmatch(encoded):
        return None
    data = bytes.fromhex(encoded)
    try:
        address = bytes(byte ^ data[0] for byte in data[1:]).decode("utf-8")
    except UnicodeDecodeError:
        return None
    return address if address.isprintable() and "@" in address else None


def _replace_with_text(element: lxml_html.HtmlElement, text: str) -> None:
    parent = element.getparent()
    if parent is None:
        return
    joined = text + (element.tail or "")
    previous = element.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + joined
    else:
        parent.text = (parent.text or "") + joined
    parent.remove(element)


def _list_owner(item: lxml_html.HtmlElement) -> lxml_html.HtmlElement | None:
    return next((a for a in item.iterancestors() if a.tag in LIST_OWNERS), None)


def _integer(text: str | None) -> int | None:
    match = LEADING_INTEGER.match(text or "")
    return int(match.group(1)) if match else None


def _marker(body: bytes) -> str:
    """Return a word no page can hold, to carry list numbers through trafilatura."""
    return "termline" + hashlib.sha256(body).hexdigest()[:16] + "n"


def _main_content(tree: lxml_html.HtmlElement, url: str, marker: str) -> str:
    for item in tree.xpath(f"//li[@{NUMBER}]"):  # trafilatura keeps no list attributes
        item.text = f"{marker}{item.get(NUMBER)}: {item.text or ''}"
    found = trafilatura.extract(
        tree,
        url=url,
        output_format="html",
        include_links=True,
        include_formatting=True,
        include_tables=True,
        include_images=False,
        include_comments=False,
        favor_recall=True,
    )
    return _renumbered(found, marker) if found else ""


def _renumbered(content: str, marker: str) -> str:
    """Return trafilatura's HTML with the list numbers it dropped put back from their markers."""
    tree = lxml_html.fragment_fromstring(content, create_parent="div")
    numbered = re.compile(rf"^\s*{marker}(-?\d+): ?")
    for item in tree.iter("li"):
        match = numbered.match(item.text or "")
        if not match:
            continue
        item.text = item.text[match.end() :]
        item.set(NUMBER, match.group(1))
        parent = item.getparent()
        if parent is not None and parent.tag == "ul":
            parent.tag = "ol"
    for leftover in tree.iter():  # a marker trafilatura moved away from its item's start
        if leftover.text and marker in leftover.text:
            leftover.text = re.sub(rf"{marker}-?\d+: ?", "", leftover.text)
        if leftover.tail and marker in leftover.tail:
            leftover.tail = re.sub(rf"{marker}-?\d+: ?", "", leftover.tail)
    return str(lxml_html.tostring(tree, encoding="unicode"))


class _Converter(MarkdownConverter):
    """markdownify, writing each list item's number as the page shows it."""

    def __init__(self) -> None:
        super().__init__(heading_style="ATX", bullets="-", strong_em_symbol="*")

    def convert_li(self, el: Any, text: str, parent_tags: set[str]) -> str:
        number = el.get(NUMBER)
        if number is None or not str(number).lstrip("-").isdigit():
            return str(super().convert_li(el, text, parent_tags))  # type: ignore[misc]
        text = (text or "").strip()
        if not text:
            return "\n"
        bullet = f"{number}. "
        indent = " " * len(bullet)
        lines = [indent + line if line else "" for line in text.split("\n")]
        return bullet + "\n".join(lines)[len(bullet) :] + "\n"
