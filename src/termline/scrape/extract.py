"""Extract stage: turn a fetched HTML page into the Markdown of the policy it holds.

Takes the body, its Content-Type, the final URL and the declaration's ``select``/``remove``
selectors; gives the page title and the policy as Markdown. The body is decoded by the declared
charset (header, then ``<meta>``, then UTF-8, then Windows-1252), links are made absolute
against the final URL (and ``<base href>``), scripts, styles and ``remove`` matches are dropped,
then the ``select`` matches are kept, or trafilatura finds the main content. One converter,
markdownify, writes the Markdown for both paths, so the archive has one dialect.
"""

import codecs
import re
from dataclasses import dataclass

import trafilatura
from lxml import etree
from lxml import html as lxml_html
from markdownify import markdownify

from termline.scrape.validate import Reason, Refusal

CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
# WHATWG Encoding: pages labelled Latin-1 or ASCII are decoded as Windows-1252, as browsers do.
WHATWG_ALIASES = {"iso8859-1": "cp1252", "latin-1": "cp1252", "ascii": "cp1252"}
NEVER_CONTENT = "//script|//style|//noscript|//template|//svg|//iframe|//object"


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
    for element in tree.xpath(NEVER_CONTENT):
        element.drop_tree()
    for selector in remove:
        for element in tree.cssselect(selector):
            element.drop_tree()
    content = _selected(tree, select) if select else _main_content(tree, url)
    markdown = markdownify(content, heading_style="ATX", bullets="-", strong_em_symbol="*")
    return Extracted(title, markdown)


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


def _selected(tree: lxml_html.HtmlElement, select: str) -> str:
    matches = tree.cssselect(select)
    outermost = [m for m in matches if not any(a in matches for a in m.iterancestors())]
    if not outermost:
        raise Refusal(Reason.NO_MATCH, f"'{select}' matched nothing")
    return "\n".join(lxml_html.tostring(m, encoding="unicode") for m in outermost)


def _main_content(tree: lxml_html.HtmlElement, url: str) -> str:
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
    return found or ""
