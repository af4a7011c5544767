"""Page keys derived from views: every field of a view is in its page's key, and nothing unkeyed."""

import dataclasses
from pathlib import Path

import pytest

from termline.build import read_platforms
from termline.site.library import summarise
from termline.site.pages import PlatformView
from termline.site.render import Listed, feed_links
from termline.site.views import view_key
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
