"""Uses of the two forms of a document that mypy must refuse, each marked, and one it accepts.

Not a test module: tests/test_typing.py runs mypy --strict on this file and expects an error on
exactly the lines marked ``# refused``.
"""

from termline.analysis.catalogue import Document, Platform, Summary
from termline.analysis.changes import Change
from termline.analysis.diff import WordDiff
from termline.site.library import Library
from termline.site.pages import Others, Viewed, document_pages, provision_date
from termline.site.render import Row, Site, history_rows, shown_diff


def pages_of_summary(site: Site, platform: Platform[Summary], summary: Summary) -> list[Viewed]:
    """Render a document's own pages from its summary."""
    return list(document_pages(site, platform, summary, Others(site)))  # refused


def text_of_summary(summary: Summary) -> str:
    """Read the text a summary does not hold."""
    return summary.text  # refused


def excerpts_of_document(document: Document) -> tuple[str, ...]:
    """Read the excerpts only a summary holds."""
    return document.excerpts  # refused


def site_of_documents(site: Site, platform: Platform[Document]) -> Site:
    """Put full documents where the site's lists take summaries."""
    return Site(title=site.title, platforms=(platform,), changes=())  # refused


def pages_in_full(site: Site, platform: Platform[Summary], library: Library) -> list[Viewed]:
    """Render a document's own pages from the document loaded in full, as the build does."""
    whole = library.full(platform.documents[0])
    return list(document_pages(site, platform, whole, Others(site)))


def diff_of_summary_change(summary: Summary) -> WordDiff | None:
    """Read the diff a summary's change does not hold."""
    return summary.changes[-1].diff  # refused


def diff_shown_of_summary_change(summary: Summary) -> int:
    """Cut the diff of a summary's change for its version page."""
    return shown_diff(summary.latest)[1]  # refused


def history_of_summary_provision(summary: Summary) -> list[Row]:
    """List the history a summary's provision does not hold."""
    return history_rows(summary.provisions[0])  # refused


def text_of_summary_provision(summary: Summary) -> str:
    """Read the text a summary's provision does not hold."""
    return summary.provisions[0].text  # refused


def change_of_document(document: Document) -> Change:
    """A full document's changes are full; so are its provisions' histories, with dates."""
    provision_date(document.provisions[0])
    return document.changes[-1]
