"""Provision anchors in a document's text, and in-page links of scraped text: to the provision
whose heading they name, else to the source."""

import re

from termline.analysis.provisions import split
from termline.site.render import policy

TEXT = """\
Contents: [1\\. How we use data](#1-how-we-may-use-personal-information),
[Other](#other), [Gone](#a-section-that-is-not-here).

## 1. How we use data

We use it.

## Other

More.
"""
ANCHORS = ((3, "how-we-use-data"), (7, "other"))  # the lines of their headings


def test_in_page_links_point_at_provision_anchors_or_the_source_page():
    html = str(policy(TEXT, "https://example.com/privacy", ANCHORS))
    ids = set(re.findall(r' id="([^"]+)"', html))
    hrefs = re.findall(r'href="([^"]+)"', html)
    assert hrefs == [
        "#how-we-use-data",
        "#other",
        "https://example.com/privacy#a-section-that-is-not-here",
    ]
    assert {h[1:] for h in hrefs if h.startswith("#")} <= ids


def test_without_a_source_page_a_link_to_nothing_is_text():
    html = str(policy(TEXT, None, ANCHORS))
    assert "<a>Gone</a>" in html
    assert 'href="#a-section' not in html


NUMBERED = """\
# Terms

1.  **SERVICES**

    We provide them.

2.  **FEES**

    You pay them.

3.  **LIMITATION OF LIABILITY**

    We are not liable.
"""


def test_a_clause_numbered_as_a_list_item_is_anchored_at_its_item():
    # Grok's commercial terms number their clauses as one list: only the list's first clause
    # had an id, and the crumbs of "8. LIMITATION OF LIABILITY" and 11 more linked to nothing.
    sections = split(NUMBERED)
    html = str(policy(NUMBERED, None, tuple((s.start, s.key) for s in sections)))
    assert [s.key for s in sections] == ["services", "fees", "limitation-of-liability"]
    assert '<li id="fees">' in html and '<li id="limitation-of-liability">' in html
    assert set(re.findall(r' id="([^"]+)"', html)) == {s.key for s in sections}
