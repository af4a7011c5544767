"""Incremental builds: a rebuild with the cache gives the same bytes as a build from scratch."""

import json
import pickle
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from termline import parallel
from termline.bench import Shape, add_one_commit, make_archive
from termline.build import BuildOptions, build
from termline.demo import create_demo_archive
from termline.parallel import MIN_ITEMS
from termline.site.output import page_kind
from termline.site.render import default_templates

TOPICS = """\
[topics.kindness]
name = "Kindness"
description = "Being nice."
patterns = ['\\bnice\\b']
"""


def _files(site: Path) -> dict[str, bytes]:
    paths = (
        p for p in site.rglob("*") if p.is_file() and p.relative_to(site).parts[0] != "pagefind"
    )
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in paths}


def _assert_same_site(left: Path, right: Path) -> None:
    mine, theirs = _files(left), _files(right)
    assert sorted(mine) == sorted(theirs)
    different = [path for path in mine if mine[path] != theirs[path]]
    assert not different, different[:10]


def test_one_commit_rebuild_with_cache_matches_a_fresh_build(tmp_path: Path):
    repo = tmp_path / "archive"
    create_demo_archive(repo)
    cache, site, fresh = tmp_path / "cache", tmp_path / "site", tmp_path / "fresh"
    build(BuildOptions(repo=repo, out=site, search=False, cache=cache))
    terms = next((repo / "archive").rglob("*.md"))
    terms.write_text(terms.read_text() + "\n## Added\n\nA clause added by one scrape.\n")
    _commit(repo, "2031-05-01T00:00:00Z")
    result = build(BuildOptions(repo=repo, out=site, search=False, cache=cache))
    build(BuildOptions(repo=repo, out=fresh, search=False))
    assert result.files_changed > 0
    _assert_same_site(site, fresh)
    assert any(cache.rglob("*.pickle"))
    # The summaries every rebuild loads whole are plain pickles; the walks, which repeat their
    # texts, are compressed.
    lights, walks = list(cache.rglob("light/*.pickle")), list(cache.rglob("walk/*.pickle"))
    assert lights and all(p.read_bytes()[:1] == pickle.PROTO for p in lights)
    assert walks and not any(p.read_bytes()[:1] == pickle.PROTO for p in walks)


def test_a_rebuild_on_two_cores_makes_the_lists_in_a_fork_and_matches_a_fresh_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Whatever this machine's cores: the forked path of a one-commit rebuild is taken here."""
    forked: list[bool] = []
    alongside = parallel.alongside

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        forked.append(args[2] if len(args) > 2 else kwargs.get("fork", True))
        return alongside(*args, **kwargs)

    monkeypatch.setattr(parallel, "alongside", spy)
    repo = tmp_path / "archive"
    create_demo_archive(repo)
    cache, site, fresh = tmp_path / "cache", tmp_path / "site", tmp_path / "fresh"
    build(BuildOptions(repo=repo, out=site, search=False, cache=cache, jobs=2))
    terms = next((repo / "archive").rglob("*.md"))
    terms.write_text(terms.read_text() + "\n## Added\n\nA clause added by one scrape.\n")
    _commit(repo, "2031-05-01T00:00:00Z")
    result = build(BuildOptions(repo=repo, out=site, search=False, cache=cache, jobs=2))
    assert forked[-1] is True
    assert result.pages_rendered > 0
    assert "A clause added" not in (site / "changes/index.html").read_text()  # named: "Added"
    assert "“Added”" in (site / "changes/index.html").read_text()  # made in the fork
    build(BuildOptions(repo=repo, out=fresh, search=False, jobs=1))
    _assert_same_site(site, fresh)


def test_a_clause_added_elsewhere_reaches_the_comparison_of_a_document_that_did_not_change(
    make_repo, tmp_path: Path
):
    # A provision page shows the closest clauses of other platforms on its topics: a new one at
    # another platform must re-render it, though its own document did not change.
    topics = tmp_path / "topics.toml"
    topics.write_text(TOPICS)
    repo = make_repo()
    acme = "# Terms\n\n## Use\n\nBe nice to others.\n"
    repo.commit({"archive/acme/terms.md": acme}, "Start", "2024-02-01T00:00:00Z")
    cache, site, fresh = tmp_path / "cache", tmp_path / "site", tmp_path / "fresh"
    options = {"search": False, "topics": topics}
    build(BuildOptions(repo=repo.path, out=site, cache=cache, **options))
    globex = "# Rules\n\n## Manners\n\nBe nice to the staff.\n"
    repo.commit({"archive/globex/rules.md": globex}, "Globex", "2024-03-01T00:00:00Z")
    build(BuildOptions(repo=repo.path, out=site, cache=cache, **options))
    build(BuildOptions(repo=repo.path, out=fresh, **options))
    page = (site / "platforms/acme/terms/provisions/use/index.html").read_text()
    assert "Manners" in page  # globex's clause on kindness, compared
    _assert_same_site(site, fresh)


def test_each_platform_is_compared_with_the_others_closest_never_with_itself(
    make_repo, tmp_path: Path
):
    # Platforms outside a topic's first columns share one comparison; those inside get their own
    # (they are left out of it): both must show the 3 closest others, out of 4.
    topics = tmp_path / "topics.toml"
    topics.write_text(TOPICS)
    repo = make_repo()
    for n in range(5):
        text = f"# Terms\n\n## Manners\n\nBe nice{' and kind' * n} to others, p{n} says.\n"
        repo.commit({f"archive/p{n}/terms.md": text}, f"p{n}", f"2024-02-0{n + 1}T00:00:00Z")
    site = tmp_path / "site"
    build(BuildOptions(repo=repo.path, out=site, search=False, topics=topics))
    shown = {}
    for n in range(5):
        page = (site / f"platforms/p{n}/terms/provisions/manners/index.html").read_text()
        others = page.split("How other platforms handle this")[1]
        assert "4 other platforms; the 3 most on this topic:" in others
        shown[f"p{n}"] = re.findall(r'<li><a href="[^"]+">(p\d)\u2019s terms, Manners</a>', others)
    common = Counter(tuple(names) for names in shown.values()).most_common(1)[0][0]
    ranked = [*common, *({name for names in shown.values() for name in names} - set(common))]
    assert len(ranked) == 4
    for me, names in shown.items():
        assert names == [name for name in ranked if name != me][:3], me


def test_cache_is_invalidated_when_topics_change(make_repo, tmp_path: Path):
    repo = make_repo()
    repo.commit(
        {"archive/acme/terms.md": "# Terms\n\n## Use\n\nBe nice.\n"},
        "Start",
        "2024-02-01T00:00:00Z",
    )
    cache, site = tmp_path / "cache", tmp_path / "site"
    build(BuildOptions(repo=repo.path, out=site, search=False, cache=cache))
    topics = tmp_path / "topics.toml"
    topics.write_text(TOPICS)
    build(BuildOptions(repo=repo.path, out=site, search=False, cache=cache, topics=topics))
    data = json.loads((site / "data" / "acme" / "terms.json").read_text())
    assert data["versions"][0]["topics"] == ["kindness"]
    assert len([p for p in cache.iterdir() if p.is_dir()]) == 1  # the stale salt is gone


def test_cache_is_invalidated_when_templates_change(make_repo, tmp_path: Path):
    repo = make_repo()
    repo.commit(
        {"archive/acme/terms.md": "# Terms\n\n## Use\n\nBe nice.\n"},
        "Start",
        "2024-02-01T00:00:00Z",
    )
    cache, site = tmp_path / "cache", tmp_path / "site"
    build(BuildOptions(repo=repo.path, out=site, search=False, cache=cache))
    templates = tmp_path / "templates"
    _copy_tree(default_templates(), templates)
    version = templates / "version.html"
    version.write_text(version.read_text().replace("{% block content %}", "{% block content %}©"))
    build(BuildOptions(repo=repo.path, out=site, search=False, cache=cache, templates=templates))
    page = next((site / "platforms").rglob("versions/*/index.html")).read_text()
    assert "©" in page
    assert len([p for p in cache.iterdir() if p.is_dir()]) == 1


def _copy_tree(source: Path, target: Path) -> None:
    for path in source.rglob("*"):
        if path.is_file():
            (target / path.relative_to(source)).parent.mkdir(parents=True, exist_ok=True)
            (target / path.relative_to(source)).write_bytes(path.read_bytes())


def _commit(repo: Path, date: str) -> None:
    env = {
        "GIT_AUTHOR_NAME": "T",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "T",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
        "GIT_AUTHOR_DATE": date,
        "GIT_COMMITTER_DATE": date,
        "PATH": "/usr/bin:/bin",
    }
    subprocess.run(["git", "add", "-A"], cwd=repo, env=env, check=True)
    subprocess.run(["git", "commit", "-qm", "One scrape"], cwd=repo, env=env, check=True)


def test_provision_page_counts_other_platforms_and_compares_three_on_its_topic(make_repo, tmp_path):
    repo = make_repo()
    files = {f"archive/p{n}/terms.md": "# Terms\n\n## Manners\n\nBe nice.\n" for n in range(7)}
    repo.commit(files, "Start", "2024-02-01T00:00:00Z")
    topics = tmp_path / "topics.toml"
    topics.write_text(TOPICS)
    site = tmp_path / "site"
    build(BuildOptions(repo=repo.path, out=site, search=False, topics=topics))
    page = (site / "platforms/p0/terms/provisions/manners/index.html").read_text()
    listed = [f"../../../../p{n}/terms/provisions/manners/" in page for n in range(1, 7)]
    assert listed == [True] * 3 + [False] * 3  # its one topic is its strongest: 3 compared
    assert "6 other platforms; the 3 most on this topic:" in page
    assert 'href="../../../../../topics/kindness/index.html">Kindness</a>:' in page


def test_a_provision_compares_three_platforms_on_its_strongest_topic_only(make_repo, tmp_path):
    repo = make_repo()
    files = {f"archive/p{n}/terms.md": "# Terms\n\n## Manners\n\nBe nice.\n" for n in range(7)}
    repo.commit(files, "Start", "2024-02-01T00:00:00Z")
    topics = tmp_path / "topics.toml"
    manners = '[topics.manners]\nname = "Manners"\ndescription = "How to behave."\n'
    topics.write_text(TOPICS + manners + "patterns = ['\\bmanners\\b']\n")
    site = tmp_path / "site"
    build(BuildOptions(repo=repo.path, out=site, search=False, topics=topics))
    page = (site / "platforms/p0/terms/provisions/manners/index.html").read_text()
    others = page.split("How other platforms handle this")[1]
    strongest, other = others.split("topics/kindness/")  # the heading's topic comes first
    assert "manners/index.html" in strongest and "the 3 most on this topic:" in strongest
    assert strongest.count("/provisions/manners/") == 3
    assert "6 other platforms; the one most on this topic:" in other
    assert other.split("</section>")[0].count("/provisions/manners/") == 1


def _stamps(site: Path) -> dict[str, tuple[int, int]]:
    paths = (p for p in site.rglob("*") if p.is_file())
    return {p.relative_to(site).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns) for p in paths}


@pytest.fixture(scope="module")
def bench_repo(tmp_path_factory) -> Path:
    """A synthetic archive: 12 documents on 6 platforms, 90 versions, reverts and cosmetic edits."""
    folder = tmp_path_factory.mktemp("bench") / "repo"
    return make_archive(folder, Shape(documents=12, versions=90))


def test_one_commit_renders_only_the_pages_that_show_it(bench_repo: Path, tmp_path: Path):
    repo = tmp_path / "repo"
    subprocess.run(["git", "clone", "-q", str(bench_repo), str(repo)], check=True)
    cache, site, fresh = tmp_path / "cache", tmp_path / "site", tmp_path / "fresh"
    first = build(BuildOptions(repo=repo, out=site, search=False, cache=cache))
    before = _stamps(site)
    add_one_commit(repo, "archive")
    changed = next(
        iter(
            subprocess.run(
                ["git", "diff", "--name-only", "HEAD~1"],
                cwd=repo,
                capture_output=True,
                text=True,
                check=True,
            ).stdout.split()
        )
    )
    folder = "platforms/" + changed.removeprefix("archive/").removesuffix(".md") + "/"
    result = build(BuildOptions(repo=repo, out=site, search=False, cache=cache))
    build(BuildOptions(repo=repo, out=fresh, search=False))
    _assert_same_site(site, fresh)
    after = _stamps(site)
    touched = {path for path, stamp in after.items() if before.get(path) != stamp}
    elsewhere = {p for p in touched if p.startswith("platforms/") and p.count("/") > 2}
    assert elsewhere and all(p.startswith(folder) for p in elsewhere), sorted(elsewhere)[:5]
    assert len(touched) < len(after) / 10, len(touched)  # the rest kept its inode and mtime
    assert result.pages_rendered < first.pages_rendered / 10
    versions = {p for p in touched if "/versions/" in p}
    assert len(versions) == 2  # the new version's page, and the one before it (its "next" link)


def test_a_site_changed_behind_the_cache_is_rebuilt_whole(bench_repo: Path, tmp_path: Path):
    cache, site, fresh = tmp_path / "cache", tmp_path / "site", tmp_path / "fresh"
    first = build(BuildOptions(repo=bench_repo, out=site, search=False, cache=cache))
    marker = site / ".termline-site"
    state = marker.read_text().rsplit("state ", 1)[1]
    marker.write_text(marker.read_text().replace(state, "moving\n"))  # a build stopped half-way
    again = build(BuildOptions(repo=bench_repo, out=site, search=False, cache=cache))
    assert again.pages_rendered == first.pages_rendered
    build(BuildOptions(repo=bench_repo, out=fresh, search=False))
    _assert_same_site(site, fresh)
    unchanged = build(BuildOptions(repo=bench_repo, out=site, search=False, cache=cache))
    assert unchanged.pages_rendered == 0 and unchanged.files_changed == 0


def test_building_on_two_cores_gives_the_same_bytes_as_on_one(bench_repo: Path, tmp_path: Path):
    one, two = tmp_path / "one", tmp_path / "two"
    build(BuildOptions(repo=bench_repo, out=one, search=False, jobs=1))
    result = build(BuildOptions(repo=bench_repo, out=two, search=False, jobs=2))
    assert result.documents >= MIN_ITEMS  # enough documents for the work to be shared by two
    _assert_same_site(one, two)


def test_a_site_restored_from_a_ci_cache_is_still_trusted(bench_repo: Path, tmp_path: Path):
    cache, site = tmp_path / "cache", tmp_path / "site"
    build(BuildOptions(repo=bench_repo, out=site, search=False, cache=cache))
    shutil.move(site, tmp_path / "saved")
    shutil.copytree(tmp_path / "saved", site)  # new inodes and mtimes, as actions/cache gives
    again = build(BuildOptions(repo=bench_repo, out=site, search=False, cache=cache))
    assert again.pages_rendered == 0 and again.files_changed == 0


def _rewrite_history(repo: Path) -> None:
    """Replace the newest commit by another one in another document: its version page goes."""
    subprocess.run(["git", "reset", "-q", "--hard", "HEAD~1"], cwd=repo, check=True)
    changed = sorted((repo / "archive").rglob("*.md"))[0]
    changed.write_text(changed.read_text() + "\n\nOne more paragraph.\n")
    _commit(repo, "2099-01-01T00:00:00+00:00")


@pytest.mark.parametrize("damage", ["gone", "garbled"])
def test_a_rebuild_with_damaged_cached_file_lists_still_matches(
    bench_repo: Path, tmp_path: Path, damage: str
):
    repo = tmp_path / "repo"
    subprocess.run(["git", "clone", "-q", str(bench_repo), str(repo)], check=True)
    cache, site, fresh = tmp_path / "cache", tmp_path / "site", tmp_path / "fresh"
    add_one_commit(repo, "archive")
    first = build(BuildOptions(repo=repo, out=site, search=False, cache=cache))
    lists = list(cache.glob("*/files/*.pickle"))
    assert len(lists) == first.documents  # folders' file lists live in the cache, one each
    for path in lists:
        if damage == "gone":
            path.unlink()
        else:
            path.write_bytes(b"not a pickle")
    _rewrite_history(repo)
    result = build(BuildOptions(repo=repo, out=site, search=False, cache=cache))
    assert result.files_removed == 1  # the page of the version gone
    if damage == "gone":  # the manifest is not trusted without them: the site is built whole
        assert result.pages_rendered == first.pages_rendered
    else:  # the folder's files are listed from the site, and its pages rendered
        assert result.pages_rendered < first.pages_rendered / 2
    build(BuildOptions(repo=repo, out=fresh, search=False))
    _assert_same_site(site, fresh)


def test_cached_file_lists_of_replaced_folders_are_deleted(bench_repo: Path, tmp_path: Path):
    repo = tmp_path / "repo"
    subprocess.run(["git", "clone", "-q", str(bench_repo), str(repo)], check=True)
    cache, site = tmp_path / "cache", tmp_path / "site"
    first = build(BuildOptions(repo=repo, out=site, search=False, cache=cache))
    for _ in range(3):
        add_one_commit(repo, "archive")
        build(BuildOptions(repo=repo, out=site, search=False, cache=cache))
    assert len(list(cache.glob("*/files/*.pickle"))) == first.documents


def _cache_files(cache: Path) -> dict[str, int]:
    """Return how many values the build cache holds, per kind."""
    counts: dict[str, int] = {}
    for path in cache.rglob("*.pickle"):
        counts[path.parent.name] = counts.get(path.parent.name, 0) + 1
    return counts


def test_the_cache_stops_growing_across_one_commit_rebuilds(tmp_path: Path):
    repo = tmp_path / "archive"
    create_demo_archive(repo)
    cache, site = tmp_path / "cache", tmp_path / "site"
    build(BuildOptions(repo=repo, out=site, search=False, cache=cache))
    first = _cache_files(cache)
    for _ in range(20):
        add_one_commit(repo, "archive")
        build(BuildOptions(repo=repo, out=site, search=False, cache=cache))
    after = _cache_files(cache)
    assert after.pop("history-tail") == 1  # the commits since the saved log, replaced each time
    assert after.keys() == first.keys()
    assert sum(after.values()) <= sum(first.values()) + 2, (first, after)
    assert after["light"] == first["light"] and after["walk"] == first["walk"]


def test_the_cache_keeps_only_what_the_current_archive_reaches(make_repo, tmp_path: Path):
    demo = tmp_path / "demo"
    create_demo_archive(demo)
    cache = tmp_path / "cache"
    build(BuildOptions(repo=demo, out=tmp_path / "demo-site", search=False, cache=cache))
    assert _cache_files(cache)["light"] > 2
    other = make_repo()
    other.commit(
        {"archive/acme/terms.md": "# Terms\n\n## Use\n\nBe nice.\n"},
        "Start",
        "2024-02-01T00:00:00Z",
    )
    other.commit(
        {"archive/acme/privacy.md": "# Privacy\n\n## Data\n\nKept.\n"},
        "Start",
        "2024-02-02T00:00:00Z",
    )
    build(BuildOptions(repo=other.path, out=tmp_path / "site", search=False, cache=cache))
    after = _cache_files(cache)
    assert after["light"] == after["walk"] == after["texts"] == 2


def _sizes_on_disk(site: Path) -> dict[str, tuple[int, int]]:
    sizes: dict[str, tuple[int, int]] = {}
    for path, data in _files(site).items():
        if path != ".termline-site":
            kind = page_kind(path)
            size, count = sizes.get(kind, (0, 0))
            sizes[kind] = (size + len(data), count + 1)
    return dict(sorted(sizes.items()))


def test_the_report_of_bytes_by_page_kind_stays_true_across_rebuilds(
    bench_repo: Path, tmp_path: Path, caplog
):
    repo = tmp_path / "repo"
    subprocess.run(["git", "clone", "-q", str(bench_repo), str(repo)], check=True)
    cache, site = tmp_path / "cache", tmp_path / "site"
    first = build(BuildOptions(repo=repo, out=site, search=False, cache=cache))
    assert first.sizes == _sizes_on_disk(site)
    assert {"version pages", "provision pages", "change lists"} <= set(first.sizes)
    add_one_commit(repo, "archive")
    grown = build(BuildOptions(repo=repo, out=site, search=False, cache=cache))
    assert grown.sizes == _sizes_on_disk(site) != first.sizes
    _rewrite_history(repo)  # the new version gone: its page is removed, its bytes taken off
    again = build(BuildOptions(repo=repo, out=site, search=False, cache=cache))
    assert again.files_removed > 0
    assert again.sizes == _sizes_on_disk(site) != grown.sizes
    assert "past GitHub Pages" not in caplog.text
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("termline.build.MAX_SITE_BYTES", sum(s for s, _ in again.sizes.values()) - 1)
        build(BuildOptions(repo=repo, out=site, search=False, cache=cache))
    assert "past GitHub Pages' 1 GB" in caplog.text and "200,000 files" not in caplog.text
