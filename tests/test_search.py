"""Search in shares: a change in one platform re-indexes its share only, and one query spans all.

The demo archive is built with the real Pagefind binary; its platforms fall in several shares.
A result says whose clause it is, and its excerpt starts after the clause's heading.
"""

import shutil
import subprocess
from pathlib import Path

import pytest

from termline.build import BuildOptions, build
from termline.demo import create_demo_archive
from termline.site import search
from test_browser import PHONE, serve

SEARCH_ALL = """async ([bundles, word]) => {
  const [first, ...rest] = bundles;
  const pagefind = await import(first + "pagefind.js");
  await pagefind.options({ baseUrl: "/" });
  for (const path of rest) await pagefind.mergeIndex(path, { baseUrl: "/" });
  const found = await pagefind.search(word);
  return Promise.all(found.results.map(async (r) => (await r.data()).url));
}"""


def _index_files(site: Path) -> dict[str, tuple[bytes, int]]:
    root = site / search.FOLDER
    return {
        p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in root.rglob("*")
        if p.is_file() and p.parent != root
    }


def _index_on_disk(site: Path) -> tuple[int, int]:
    files = [p for p in (site / search.FOLDER).rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files), len(files)


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("archive")
    create_demo_archive(repo)
    return repo


def test_a_change_in_one_platform_reindexes_its_share_only(
    archive: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    repo = tmp_path / "repo"
    shutil.copytree(archive, repo)
    site, cache = tmp_path / "site", tmp_path / "cache"
    first = build(BuildOptions(repo=repo, out=site, cache=cache))
    assert first.sizes[search.KIND] == _index_on_disk(site)
    assert f"{search.KIND} " in first.report() and "not counted" not in first.report()
    platforms = sorted(p.name for p in (site / "platforms").iterdir())
    shares = {search.share_of(p) for p in platforms}
    assert len(shares) > 1, "the demo's platforms should fall in several shares"
    before = _index_files(site)
    changed = sorted((repo / "archive").rglob("*.md"))[0]
    platform = changed.parent.name
    changed.write_text(changed.read_text() + "\n## Added\n\nA clause about retention.\n")
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    subprocess.run(
        ["git", "-c", "user.name=T", "-c", "user.email=t@t.invalid", "commit", "-qm", "Update"],
        cwd=repo,
        check=True,
        env={"GIT_AUTHOR_DATE": "2031-01-01T00:00:00Z", "PATH": "/usr/bin:/bin"},
    )
    again = build(BuildOptions(repo=repo, out=site, cache=cache))
    after = _index_files(site)
    assert again.sizes[search.KIND] == _index_on_disk(site) != first.sizes[search.KIND]
    assert platform in platforms
    mine = search.share_of(platform)

    def share(files: dict[str, tuple[bytes, int]], inside: bool) -> dict[str, tuple[bytes, int]]:
        return {k: v for k, v in files.items() if k.startswith(f"{mine}/") == inside}

    assert share(after, inside=False) == share(before, inside=False)
    assert share(after, inside=True) != share(before, inside=True)
    pages = sum(size for kind, (size, _) in again.sizes.items() if kind != search.KIND)
    assert "past GitHub Pages" not in caplog.text
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("termline.build.MAX_SITE_BYTES", pages)  # past it only with the index
        build(BuildOptions(repo=repo, out=site, cache=cache))
    assert "past GitHub Pages' 1 GB" in caplog.text and "not counted" not in caplog.text


def test_without_search_the_report_says_the_index_is_not_counted(archive: Path, tmp_path: Path):
    result = build(BuildOptions(repo=archive, out=tmp_path / "site", search=False))
    assert search.KIND not in result.sizes
    assert "(search index not counted)" in result.report()


def test_an_unchanged_site_reindexes_nothing_and_a_lost_share_is_rebuilt(
    archive: Path, tmp_path: Path
):
    site = tmp_path / "site"
    build(BuildOptions(repo=archive, out=site, cache=tmp_path / "cache"))
    measured = search.index_size(site)
    assert measured == _index_on_disk(site)
    untouched = sorted(p for p in (site / search.FOLDER).iterdir() if p.is_dir())[-1]
    (untouched / "stray").write_bytes(b"12345")  # a share not indexed again is not walked again
    assert search.index_site(site) == 0
    assert search.index_size(site) == measured != _index_on_disk(site)
    version = next((site / "platforms").glob("*/*/versions/*/index.html"))
    version.write_text(version.read_text() + "<!-- changed -->")  # a page that is not searched
    assert search.index_site(site) == 0  # its share is not indexed again
    (untouched / "stray").unlink()
    lost = sorted(p for p in (site / search.FOLDER).iterdir() if p.is_dir())[0]
    shutil.rmtree(lost)
    assert search.index_site(site) == 1
    assert (lost / "pagefind.js").is_file()


@pytest.mark.browser
def test_one_query_finds_pages_of_every_platform(archive: Path, tmp_path: Path, browser):
    site = tmp_path / "site"
    build(BuildOptions(repo=archive, out=site))
    bundles = [f"/project/pagefind/{name}" for name in search._read_state(site / "pagefind")]
    platforms = {p.name for p in (site / "platforms").iterdir()}
    with serve(site) as url:
        page = browser.new_page()
        page.goto(url + "search/index.html")
        urls = page.evaluate(SEARCH_ALL, [[b + "/" for b in sorted(bundles)], "terms"])
        page.close()
    found = {u.split("/platforms/")[1].split("/")[0] for u in urls if "/platforms/" in u}
    assert found == platforms
    # a document's text is searched on its provisions' pages only, not a second time on its own
    assert urls and all("/provisions/" in u for u in urls)


# Two platforms with a clause of the same heading: only the platform and the document tell
# them apart. Perplexity's Developer Terms open a clause with its numbered heading in bold, so
# an excerpt read "2.3.3 Model Training. 2.3.3 Model Training. Perplexity shall not use …".
TRAINING = {
    "Acme/Developer Terms.md": "# Developer Terms\n\n"
    "2.3.2 **Similarity of Output.** Output may resemble what others receive.\n\n"
    "2.3.3 **Model Training.** Acme shall not use Customer Content to train any model.\n",
    "Zenith/Privacy Policy.md": "# Privacy Policy\n\n## Model Training\n\n"
    "Zenith trains its models on public data, never on <b>your</b> chats & files.\n",
}

RESULTS = """() => [...document.querySelectorAll('.pagefind-ui__result')].map(result => [
  result.querySelector('.pagefind-ui__result-link').innerText,
  result.querySelector('.pagefind-ui__result-excerpt').innerText,
  result.querySelectorAll('.pagefind-ui__result-excerpt *:not(mark), .pagefind-ui__result-tag')
    .length,
])"""


@pytest.mark.browser
def test_a_result_names_its_platform_and_document_and_its_excerpt_skips_the_heading(
    make_repo, tmp_path: Path, browser
):
    repo = make_repo()
    repo.commit(TRAINING, "Record", "2024-01-01T00:00:00Z")
    site = tmp_path / "site"
    build(BuildOptions(repo=repo.path, archive=".", out=site))
    with serve(site) as url:
        page = browser.new_page(viewport=PHONE)
        page.goto(url + "search/index.html?q=training")
        page.wait_for_function(
            "() => document.querySelectorAll('.pagefind-ui__result-link').length == 2"
        )
        results = sorted(page.evaluate(RESULTS))
        page.close()
    assert results == [
        [
            "Acme — Developer Terms: 2.3.3 Model Training.",
            "Acme shall not use Customer Content to train any model.",
            0,  # no element but the marks of the matches, and no "Heading:" tag
        ],
        [
            "Zenith — Privacy Policy: Model Training",
            "Zenith trains its models on public data, never on <b>your</b> chats & files.",
            0,
        ],
    ]
