"""Rebuilds never go stale: random histories, rebuilt after every commit, match a fresh build.

Each page is rendered again only when its key changes (docs/decisions/0006-keyed-pages.md), so a
key that misses something its page shows leaves a stale page that no fixed scenario may catch.
Hypothesis draws sequences of what archives do — an edited clause, a new clause, a renamed
heading, a revert to an earlier text, a deleted document, a new document, a platform renamed in
sources.toml — commits each one, rebuilds with the cache after it, and compares every file of
the site with a build from scratch of the same history.
"""

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import GitRepo
from termline.build import BuildOptions, build
from test_incremental import _assert_same_site

TOPICS = """\
[topics.training]
name = "AI model training"
description = "Whether your content trains models."
patterns = ['\\btrain']

[topics.retention]
name = "Data retention"
description = "How long data is kept."
patterns = ['\\bretain', '\\bdays\\b']
"""

CLAUSES = (
    ("Use of content", "We may train our models on what you share."),
    ("Retention", "We retain your messages for 30 days."),
    ("Termination", "We may close your account at any time."),
    ("Governing law", "These terms are governed by the laws of Ireland."),
)
DOCUMENTS = ("acme/terms", "acme/privacy", "globex/terms")

Archive = dict[str, list[tuple[str, str]]]  # document → its clauses (heading, text), in order
Step = Callable[[Archive, dict[str, str]], None]


def text_of(clauses: list[tuple[str, str]]) -> str:
    """Return a document's Markdown from its clauses."""
    return "# Terms\n\n" + "".join(f"## {h}\n\n{t}\n\n" for h, t in clauses)


def edit(doc: str, index: int, words: str) -> Step:
    def step(archive: Archive, _names: dict[str, str]) -> None:
        if clauses := archive.get(doc):
            heading, text = clauses[index % len(clauses)]
            clauses[index % len(clauses)] = (heading, f"{text} {words}")

    return step


def add_clause(doc: str, index: int) -> Step:
    def step(archive: Archive, _names: dict[str, str]) -> None:
        heading, text = CLAUSES[index % len(CLAUSES)]
        archive.setdefault(doc, []).append((f"{heading} {len(archive[doc])}", text))

    return step


def rename(doc: str, index: int) -> Step:
    def step(archive: Archive, _names: dict[str, str]) -> None:
        if clauses := archive.get(doc):
            heading, text = clauses[index % len(clauses)]
            clauses[index % len(clauses)] = (f"{heading} (updated)", text)

    return step


def delete(doc: str) -> Step:
    def step(archive: Archive, _names: dict[str, str]) -> None:
        archive.pop(doc, None)

    return step


def rename_platform(platform: str, name: str) -> Step:
    def step(_archive: Archive, names: dict[str, str]) -> None:
        names[platform] = name

    return step


DOCS = st.sampled_from(DOCUMENTS)
STEPS = st.one_of(
    st.builds(edit, DOCS, st.integers(0, 5), st.sampled_from(["Also for 90 days.", "Not sold."])),
    st.builds(add_clause, DOCS, st.integers(0, 5)),
    st.builds(rename, DOCS, st.integers(0, 5)),
    st.builds(delete, DOCS),
    st.builds(rename_platform, st.sampled_from(["acme", "globex"]), st.sampled_from(["Acme Inc."])),
    st.just("revert"),
)


def sources(names: dict[str, str]) -> str:
    """Return a sources.toml naming the platforms."""
    return "".join(f'[platforms.{slug}]\nname = "{name}"\n\n' for slug, name in names.items())


def apply(repo: GitRepo, archive: Archive, names: dict[str, str], history: list[dict[str, str]]):
    """Write the archive and sources.toml as they now are, and commit them with the next date."""
    for doc in DOCUMENTS:
        path = repo.path / "archive" / f"{doc}.md"
        if doc in archive:
            repo.write(f"archive/{doc}.md", text_of(archive[doc]))
        elif path.exists():
            path.unlink()
    repo.write("sources.toml", sources(names))
    repo.write("topics.toml", TOPICS)
    day = len(history) + 1
    repo.commit({}, f"Step {day}", f"2025-01-{day:02d}T12:00:00Z")
    history.append({doc: text_of(clauses) for doc, clauses in archive.items()})


def revert(archive: Archive, history: list[dict[str, str]]) -> None:
    """Put every document back as it was two commits ago (a page served in two variants)."""
    if len(history) < 2:
        return
    earlier = history[-2]
    for doc in DOCUMENTS:
        if doc in earlier and doc in archive:
            archive[doc] = parse(earlier[doc])


def parse(text: str) -> list[tuple[str, str]]:
    """Return the clauses of a document's Markdown (the inverse of text_of)."""
    parts = text.split("## ")[1:]
    return [tuple(p.strip().split("\n\n", 1)) for p in parts]  # type: ignore[misc]


@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.lists(STEPS, min_size=1, max_size=6))
def test_every_rebuild_matches_a_fresh_build(steps):
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        (root / "repo").mkdir()
        repo = GitRepo(root / "repo")
        archive: Archive = {"acme/terms": list(CLAUSES[:2]), "globex/terms": list(CLAUSES[2:])}
        names = {"acme": "Acme", "globex": "Globex"}
        history: list[dict[str, str]] = []
        apply(repo, archive, names, history)
        site, cache = root / "site", root / "cache"
        build(BuildOptions(repo=repo.path, out=site, search=False, cache=cache, jobs=1))
        for step in steps:
            if step == "revert":
                revert(archive, history)
            else:
                step(archive, names)
            apply(repo, archive, names, history)
            build(BuildOptions(repo=repo.path, out=site, search=False, cache=cache, jobs=1))
            fresh = root / "fresh"
            build(BuildOptions(repo=repo.path, out=fresh, search=False, jobs=1))
            _assert_same_site(site, fresh)
            shutil.rmtree(fresh)
