"""Page keys derived from views: every field of a view is in its page's key, and nothing unkeyed."""

import dataclasses
from pathlib import Path

import pytest

from termline.analysis.notes import Judged, Note
from termline.build import read_platforms
from termline.site.feeds import ATOM, RSS, Feed
from termline.site.library import summarise
from termline.site.pages import Others, PlatformView, document_pages, version_pages
from termline.site.render import (
    Listed,
    Site,
    StaleNote,
    document_url,
    feed_links,
    version_url,
)
from termline.site.views import PlatformName, view_key
from termline.sources import load_config


@pytest.fixture(scope="module")
def platform(demo_repo: Path):
    chirpy = read_platforms(demo_repo, "archive", load_config(demo_repo / "sources.toml"))[0]
    return chirpy, dataclasses.replace(chirpy, documents=tuple(map(summarise, chirpy.documents)))


def _view(platform) -> PlatformView:
    items = tuple(
        Listed(platform, d, c, k)
        for d in platform.documents
        for c, k in zip(d.changes, d.change_keys, strict=True)
    )
    return PlatformView(platform, items, items[0].change.version.date, tuple(feed_links(platform)))


def test_a_page_key_changes_with_its_template_and_every_field_of_its_view(platform):
    _full, listed = platform
    view = _view(listed)
    key = view_key("platform.html", view)
    assert view_key("platform.html", _view(listed)) == key  # the same view, the same key
    renamed = dataclasses.replace(listed, name="Chirpy Inc.")
    first = listed.documents[0]
    noted = dataclasses.replace(first, notes=("a note",))
    changed = [
        dataclasses.replace(view, platform=renamed),
        dataclasses.replace(view, platform=dataclasses.replace(listed, documents=(noted,))),
        dataclasses.replace(view, changes=view.changes[1:]),
        dataclasses.replace(view, changes=(dataclasses.replace(view.changes[0], key="x"),)),
        dataclasses.replace(view, updated=None),
        dataclasses.replace(view, feeds=view.feeds[:1]),
    ]
    keys = [view_key("platform.html", other) for other in changed]
    assert key not in keys and len(set(keys)) == len(keys)
    assert view_key("index.html", view) != key


def test_a_view_holding_what_gives_no_key_is_refused(platform):
    full, listed = platform
    provision = full.documents[0].provisions[0]  # its key is its document's, not its own
    with pytest.raises(TypeError, match="provision"):
        view_key("platform.html", dataclasses.replace(_view(listed), updated=provision))
    with pytest.raises(TypeError, match="object"):
        view_key("platform.html", dataclasses.replace(_view(listed), updated=object()))


def _viewed_keys(platform, listed, document) -> dict[str, str]:
    site = Site("t", (listed,), ())
    pages = document_pages(site, platform, document, Others(site))
    return {p.path: view_key(p.template, p.view) for p in pages if p.template != "provision.html"}


def test_a_new_version_gives_new_keys_to_its_document_pages_and_the_version_before_it(
    platform, monkeypatch
):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    full, listed = platform
    document = max(full.documents, key=lambda d: len(d.changes))
    assert len(document.changes) >= 3
    before = dataclasses.replace(
        document, changes=document.changes[:-1], change_keys=document.change_keys[:-1]
    )
    old, new = _viewed_keys(full, listed, before), _viewed_keys(full, listed, document)
    assert len(new) == len(old) + 1
    changed = sorted(path for path in old if old[path] != new[path])
    folder = document_url(full, document)
    older = f"{version_url(full, document, document.changes[-2])}index.html"  # its "next" link
    assert changed == sorted([f"{folder}index.html", f"{folder}compare/index.html", older])


def test_a_version_page_key_changes_with_every_field_of_its_view(platform):
    full, _listed = platform
    document = max(full.documents, key=lambda d: len(d.changes))
    page = list(version_pages(full, document))[1]
    view, key = page.view, view_key("version.html", page.view)
    judged = Judged(Note("n.md", "p", "d", "x", "S", "v", ()), "stale", changed_in="v")
    changed = [
        dataclasses.replace(view, platform=PlatformName(full.slug, "Chirpy Inc.")),
        dataclasses.replace(view, document=dataclasses.replace(view.document, path="a.md")),
        dataclasses.replace(view, version=dataclasses.replace(view.version, key="other")),
        dataclasses.replace(view, older=None),
        dataclasses.replace(view, newer=dataclasses.replace(view.newer, previous=None)),
        dataclasses.replace(view, stale=(StaleNote(judged, "Heading"),)),
        dataclasses.replace(view, updated=view.updated.replace(year=1999)),
        dataclasses.replace(view, feeds=view.feeds[:1]),
    ]
    keys = [view_key("version.html", other) for other in changed]
    assert key not in keys and len(set(keys)) == len(keys)
    with pytest.raises(TypeError, match="change"):  # a change counts by its key only
        view_key("version.html", dataclasses.replace(view, updated=view.version.change))


def test_a_feed_key_changes_with_every_field_of_what_it_shows(platform):
    _full, listed = platform
    items = _view(listed).changes
    site = Site("t", (listed,), items)
    view = Feed("feed.xml", "All", "", items, limit=2).view(site)
    assert view.items == items[:2]  # it shows its newest two, and its key holds those only
    key = view_key(ATOM, view)
    assert view_key(ATOM, Feed("feed.xml", "All", "", items[:2]).view(site)) == key
    empty = Feed("feed.xml", "All", "", (), updated=items[0].change.version.date).view(site)
    changed = [
        dataclasses.replace(view, path="other.xml"),
        dataclasses.replace(view, title="Other"),
        dataclasses.replace(view, page="platforms/"),
        dataclasses.replace(view, items=items[1:3]),
        empty,
        dataclasses.replace(empty, updated=None),  # an empty feed's date is what it shows
    ]
    keys = [view_key(ATOM, other) for other in changed]
    assert key not in keys and len(set(keys)) == len(keys)
    assert view_key(RSS, view) != key
