"""Build: the pipeline from the git history of an archive to a static site.

versions (history) → names and slugs (catalogue) → changes → pages (render) → data → search.
Everything is gathered first, then written; files are written only when their bytes changed.
"""

import logging
import os
from dataclasses import dataclass
from pathlib import Path

import git

from termline import feeds, search
from termline.archive import check_archive
from termline.cache import Cache, digest, salt
from termline.catalogue import Document, Entry, Platform, catalogue, group
from termline.changes import Analysis, Walk, walk
from termline.compare import write_texts
from termline.data import write_data
from termline.history import BlobReader, is_shallow, open_repo, read_history
from termline.output import Output
from termline.render import (
    Listed,
    Site,
    default_templates,
    document_inputs,
    document_url,
    environment,
    render_site,
)
from termline.sources import Config, load_config
from termline.topics import Tagger, Taxonomy, default_topics, load_topics

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildOptions:
    """What to build from and where to."""

    repo: Path = Path()
    archive: str = "archive"
    out: Path = Path("site")
    base_url: str | None = None
    search: bool = True
    templates: Path | None = None
    sources: Path | None = None
    topics: Path | None = None
    cache: Path | None = None


@dataclass(frozen=True)
class BuildResult:
    """What a build did."""

    documents: int
    versions: int
    files_changed: int
    files_removed: int


def build(options: BuildOptions) -> BuildResult:
    """Build the site of an archive's history."""
    check_archive(options.archive)
    config = load_config(options.sources or options.repo / "sources.toml")
    topics_file = options.topics or _topics_file(options.repo)
    taxonomy = load_topics(topics_file)
    templates = options.templates or default_templates()
    store = Cache(options.cache, salt(templates, topics_file))
    repo = open_repo(options.repo)
    platforms = read_platforms(repo, options.archive, config, taxonomy, store)
    site = Site(
        title=config.title,
        platforms=tuple(platforms),
        changes=_all_changes(platforms),
        repo_url=config.repo_url,
        base_url=options.base_url or config.base_url,
        topics=taxonomy.topics,
    )
    out = Output(options.out)
    keys = _folder_keys(site)
    try:
        _write_site(site, options, out, _reuse(out, store, keys), BlobReader(repo))
    except BaseException:
        out.abandon()
        raise
    removed = out.commit()
    store.save("site", digest(str(out.root)), (out.stamp(), keys))
    documents = [d for p in platforms for d in p.documents]
    return BuildResult(
        documents=len(documents),
        versions=sum(len(d.changes) for d in documents),
        files_changed=out.changed,
        files_removed=removed,
    )


def _write_site(
    site: Site, options: BuildOptions, out: Output, reused: frozenset[str], reader: BlobReader
) -> None:
    """Write every page, asset, data file and the search index into the staged site."""
    templates = options.templates or default_templates()
    render_site(site, environment(templates), out, reused)
    feeds.write_feeds(site, out, reused)
    write_texts(site.platforms, reader.text, out, reused)
    _copy_static(templates / "static", out)
    write_data(site.platforms, out)
    if options.search:
        search.index_site(out.staging)


def _folder_keys(site: Site) -> dict[str, str]:
    """Map each document folder to a digest of everything its pages, feeds and texts show."""
    inputs = document_inputs(site)
    settings = (
        site.title,
        site.repo_url,
        site.base_url,
        [(topic.slug, topic.name) for topic in site.topics],
        os.environ.get("SOURCE_DATE_EPOCH"),
    )
    keys = {}
    for platform in site.platforms:
        for d in platform.documents:
            folder = document_url(platform, d)
            versions = [change.version for change in d.changes]
            document = (d.slug, d.name, d.type, d.path, d.url, versions)
            keys[folder] = digest(settings, platform.slug, platform.name, document, inputs[folder])
    return keys


def _reuse(out: Output, store: Cache, keys: dict[str, str]) -> frozenset[str]:
    """Link the document folders of the previous site whose inputs did not change."""
    found = store.load("site", digest(str(out.root)))
    if not isinstance(found, tuple) or found[0] is None or found[0] != out.stamp():
        return frozenset()
    before: dict[str, str] = found[1]
    same = (folder for folder, key in keys.items() if before.get(folder) == key)
    return frozenset(folder for folder in same if out.reuse(folder))


def _topics_file(repo: Path) -> Path:
    """Return the archive's own topics.toml if it has one, else the one shipped with termline."""
    own = repo / "topics.toml"
    return own if own.is_file() else default_topics()


def read_platforms(
    repo_path: Path | git.Repo,
    archive: str,
    config: Config,
    taxonomy: Taxonomy | None = None,
    store: Cache | None = None,
) -> list[Platform]:
    """Read the history of every document and group the results by platform."""
    repo = repo_path if isinstance(repo_path, git.Repo) else open_repo(repo_path)
    if is_shallow(repo):
        log.warning("%s is a shallow clone: only the versions it holds are built", repo_path)
    reader = BlobReader(repo)
    entries = catalogue(read_history(repo, archive), config)
    tagger = Tagger(taxonomy or Taxonomy())
    store = store or Cache(None, "")
    documents = [_document(entry, reader, tagger, store) for entry in entries]
    names = {e.platform_slug: e.platform_name for e in entries}
    return group(documents, names)


def _document(entry: Entry, reader: BlobReader, tagger: Tagger, store: Cache) -> Document:
    analysis = _analysis(entry, reader, tagger, store)
    last_text = next((v.blob for v in reversed(entry.history.versions) if v.blob), None)
    return Document(
        platform=entry.platform_slug,
        slug=entry.slug,
        name=entry.name,
        type=entry.type,
        path=entry.history.path,
        url=entry.url,
        changes=analysis.changes,
        text=reader.text(last_text),
        provisions=analysis.provisions,
        anchors=analysis.anchors,
    )


def _analysis(entry: Entry, reader: BlobReader, tagger: Tagger, store: Cache) -> Analysis:
    """Return a document's analysis, walking only the versions its cached walk has not seen."""
    key = digest(entry.history.path)
    found = store.load("walk", key)
    since = found if isinstance(found, Walk) else None
    walked = walk(entry.history, reader.text, tagger, since)
    if walked is not since:
        store.save("walk", key, walked)
    return walked.analysis


def _all_changes(platforms: list[Platform]) -> tuple[Listed, ...]:
    items = [Listed(p, d, c) for p in platforms for d in p.documents for c in d.changes]
    return tuple(sorted(items, key=lambda i: (i.change.version.date, i.change.id), reverse=True))


def _copy_static(static: Path, out: Output) -> None:
    if not static.is_dir():
        return
    for path in sorted(static.rglob("*")):
        if path.is_file():
            out.write(f"static/{path.relative_to(static).as_posix()}", path.read_bytes())
