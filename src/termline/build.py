"""Build: the pipeline from the git history of an archive to a static site.

versions (history) → names and slugs (catalogue) → changes → pages (render) → data → search.
Everything is gathered first, then written; files are written only when their bytes changed.
"""

import gc
import logging
import os
import tempfile
from dataclasses import dataclass, field, replace
from functools import partial
from operator import attrgetter
from pathlib import Path

import git
import jinja2

from termline import parallel
from termline.analysis.catalogue import Document, Entry, Platform, Summary, catalogue, group
from termline.analysis.history import (
    documents_by_folder,
    is_shallow,
    read_history,
    skipped_files,
)
from termline.analysis.notes import FOLDER, Judged, Note, added_dates, attach, judge_all, load_notes
from termline.analysis.topics import Tagger, Taxonomy, default_topics, load_topics
from termline.archive import check_archive, open_repo
from termline.cache import Cache, Shelf, digest, salt
from termline.errors import TermlineError
from termline.parallel import cores
from termline.site import feeds, search
from termline.site.compare import TEXTS_KIND, write_document_texts
from termline.site.data import write_document_data, write_index
from termline.site.library import Library
from termline.site.output import Manifest, Output, Sizes, Written, totals
from termline.site.pages import (
    Others,
    document_pages,
    write_change_lists,
    write_pages,
    write_site_pages,
)
from termline.site.render import Listed, Site, default_templates, document_url, environment
from termline.sources import Config, load_config

log = logging.getLogger(__name__)
NO_BASE_URL = (
    "no base URL (--base-url, or base_url in sources.toml): feed links will be relative,"
    " and rss.xml will have none (RSS 2.0 allows only absolute links)"
)
# How lists order changes, newest first: by date, the sha breaking ties as a change's id does.
_WHEN = attrgetter("change.version.date", "change.version.sha")


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
    jobs: int = 0  # processes; 0 for one per core
    notes: Path | None = None  # the notes folder; None for <repo>/notes


@dataclass(frozen=True)
class BuildResult:
    """What a build did."""

    documents: int
    versions: int
    files_changed: int
    files_removed: int
    pages_rendered: int = 0
    sizes: Sizes = field(default_factory=dict)  # bytes and files by page kind, search index too

    def report(self) -> str:
        """Return the site's size and its bytes and files by page kind, largest first."""
        total, files = totals(self.sizes)
        kinds = sorted(self.sizes.items(), key=lambda item: -item[1][0])
        parts = [f"{kind} {size / 1e6:.1f} MB in {count}" for kind, (size, count) in kinds]
        site = f"site {total / 1e6:.1f} MB in {files} files{_uncounted(self.sizes)}"
        return f"{site}: " + ", ".join(parts)


def build(options: BuildOptions) -> BuildResult:
    """Build the site of an archive's history."""
    check_archive(options.archive)
    config = load_config(options.sources or options.repo / "sources.toml")
    topics_file = options.topics or _topics_file(options.repo)
    taxonomy = load_topics(topics_file)
    templates = options.templates or default_templates()
    notes = load_notes(options.notes or options.repo / FOLDER)
    with tempfile.TemporaryDirectory(prefix="termline-cache-") as scratch:
        folder = options.cache or Path(scratch)  # without a cache, analyses are still kept once
        store = Cache(folder, salt(templates, topics_file))
        env = environment(templates, store.folder / "templates" if store.folder else None)
        setup = _Setup(config, taxonomy, templates, env, options.jobs or cores(), notes)
        return _build(options, setup, store)


@dataclass(frozen=True)
class _Setup:
    """What a build is made with, beyond the archive."""

    config: Config
    taxonomy: Taxonomy
    templates: Path
    env: jinja2.Environment
    jobs: int
    notes: tuple[Note, ...] = ()


def _build(options: BuildOptions, setup: _Setup, store: Cache) -> BuildResult:
    config, env, jobs = setup.config, setup.env, setup.jobs
    repo = open_repo(options.repo)
    _warn_if_shallow(repo, options.repo)
    library = Library(options.repo, Tagger(setup.taxonomy), store)
    histories = read_history(repo, options.archive, store)
    if not histories:
        _no_documents(repo, options)
    for path, reason in skipped_files(repo, options.archive):
        log.warning("%s: skipped, %s", path, reason)
    entries = catalogue(histories, config)
    gc.disable()  # loading documents makes objects that all live to the end: no garbage to find
    try:
        platforms = group(_lights(library, entries, jobs), _names(entries))
    finally:
        gc.freeze()  # and spare the collector from walking them again while pages are rendered
        gc.enable()
    judged = _judged(setup.notes, platforms, options)
    platforms = attach(platforms, judged)
    site = Site(
        title=config.title,
        platforms=tuple(platforms),
        changes=_all_changes(platforms),
        repo_url=config.repo_url,
        base_url=options.base_url or config.base_url,
        topics=setup.taxonomy.topics,
        imported=config.imported,
        data_licence=config.data_licence,
    )
    place = digest(str(options.out.resolve()))
    manifests = Shelf(store, "site", Manifest)
    out = Output(options.out, manifests.load(place), _settings(site), store)
    try:
        _write_site(site, env, out, library, jobs)
        _copy_static(setup.templates / "static", out)
    except BaseException:
        out.abandon()
        raise
    removed = out.commit()
    if not site.base_url:  # once the site is built: a refused build says only what is wrong
        log.warning(NO_BASE_URL)
    manifest = out.manifest()
    manifests.save(place, manifest)
    library.sweep(per_path=(TEXTS_KIND,))
    sizes = _searched(manifest.sizes, out.root) if options.search else manifest.sizes
    _warn_if_too_big(sizes, options.out)
    return BuildResult(
        documents=sum(len(p.documents) for p in platforms),
        versions=len(site.changes),
        files_changed=out.changed,
        files_removed=removed,
        pages_rendered=out.rendered,
        sizes=sizes,
    )


def _searched(sizes: Sizes, site: Path) -> Sizes:
    """Index the site for search; return its sizes by page kind with the index's."""
    search.index_site(site)
    return {**sizes, search.KIND: search.index_size(site)}


# GitHub Pages publishes at most 1 GB; more than 200,000 files is past what it is tested with.
MAX_SITE_BYTES = 1_000_000_000
MAX_SITE_FILES = 200_000


def _warn_if_too_big(sizes: Sizes, out: Path) -> None:
    """Warn when the site, its search index too if built, is past what GitHub Pages publishes."""
    total, files = totals(sizes)
    past = [
        *(["GitHub Pages' 1 GB"] if total > MAX_SITE_BYTES else []),
        *([f"{MAX_SITE_FILES:,} files"] if files > MAX_SITE_FILES else []),
    ]
    if past:
        size = f"{total / 1e9:.2f} GB in {files} files{_uncounted(sizes)}"
        log.warning("%s: %s, past %s", out, size, " and ".join(past))


def _uncounted(sizes: Sizes) -> str:
    """Return what a size leaves out: the search index, when it was not built."""
    return "" if search.KIND in sizes else " (search index not counted)"


def _judged(
    notes: tuple[Note, ...], platforms: list[Platform[Summary]], options: BuildOptions
) -> list[Judged]:
    """Judge the notes against the history, with when each was committed; warn of problems."""
    if not notes:
        return []
    folder = options.notes or options.repo / FOLDER
    added = added_dates(options.repo, folder)
    judged = []
    for item in judge_all(notes, platforms):
        if item.problem and not item.stale:
            log.warning("%s (not shown)", item.problem)
        note = item.note
        when = added.get(f"{note.platform}/{note.document}/{note.provision}.md")
        judged.append(replace(item, added=when))
    return judged


def _settings(site: Site) -> str:
    """Return a digest of what every page may show beyond its own key."""
    topics = [(t.slug, t.name, t.description) for t in site.topics]
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    credits = (site.imported, site.data_licence)
    return digest(site.title, site.repo_url, site.base_url, topics, epoch, credits)


def _write_site(
    site: Site, env: jinja2.Environment, out: Output, library: Library, jobs: int
) -> None:
    """Write every changed document's files, and the pages, feeds and data that span the site.

    When fewer folders changed than would pay for forking workers (a rebuild), they are written
    here, with the rest that spans the site, while the lists of changes, whose views and keys
    read every change, are made in a forked process; otherwise the folders are written on every
    core, then the lists.
    """
    writer = _Writer(site, env, out, library, Others(site), jobs)
    across = feeds.site_feeds(site)
    library.need(feeds.shown_in(across))
    todo = writer.changed()
    lists = partial(out.part, partial(write_change_lists, site, env, out, jobs))
    few = jobs > 1 and len(todo) < parallel.MIN_ITEMS
    written, _ = parallel.alongside(lists, partial(writer.write_all, todo, across), few)
    out.merge(written)


@dataclass(frozen=True)
class _Writer:
    """What writing a document's folder needs."""

    site: Site
    env: jinja2.Environment
    out: Output
    library: Library
    others: Others
    jobs: int

    def changed(self) -> list[tuple[Platform[Summary], Summary, str]]:
        """Keep the folders of documents that did not change; return the others with their keys."""
        todo = []
        for platform in self.site.platforms:
            for document in platform.documents:
                others = self.others.document_key(platform, document)
                key = digest(document.key, others, document.notes)
                if not self.out.folder(document_url(platform, document), key):
                    todo.append((platform, document, key))
        return todo

    def write_all(
        self, todo: list[tuple[Platform[Summary], Summary, str]], across: list[feeds.Feed]
    ) -> None:
        """Write the folders of changed documents (on every core when there are enough), then
        the pages (but the lists of changes), feeds and data that span the site."""
        library, jobs = self.library, self.jobs
        for written, contents in parallel.run(
            lambda i: self.write(*todo[i]),
            len(todo),
            jobs,
            library.reopen,
            cost=lambda i: len(todo[i][1].changes),
        ):
            self.out.merge(written)
            library.keep(*contents)  # kept in a worker: kept here too
        write_site_pages(self.site, self.env, self.out, self.others, jobs)
        feeds.write_site_feeds(self.site, self.out, library.content, across)
        feeds.write_notes_feed(self.site, self.out)
        write_index(self.site.platforms, self.out)

    def write(
        self, platform: Platform[Summary], document: Summary, key: str
    ) -> tuple[Written, tuple[str, dict[str, str]]]:
        """Write a document's folder; return what was written and its feed contents."""
        whole = replace(self.library.full(document), notes=document.notes)
        written = self.out.part(partial(self._folder, platform, whole))
        contents = self.library.keep(document.key, self.library.feed_contents(platform, whole))
        return written, (document.key, contents)

    def _folder(self, platform: Platform[Summary], whole: Document) -> None:
        """Write a document's pages, feeds, texts and data (given in full)."""
        pages = document_pages(self.site, platform, whole, self.others)
        write_pages(self.site, self.env, self.out, pages)
        feeds.write_document_feeds(self.site, platform, whole, self.out)
        write_document_texts(
            platform, whole, self.library.reader.text, self.out, self.library.store
        )
        write_document_data(platform, whole, self.out)


def _lights(library: Library, entries: list[Entry], jobs: int) -> list[Summary]:
    """Return every document's summary: from the cache, or analysed on every core."""
    found = [library.cached(library.register(entry)) for entry in entries]
    missing = [index for index, document in enumerate(found) if document is None]
    made = parallel.run(
        lambda i: library.light(entries[missing[i]]),
        len(missing),
        jobs,
        library.reopen,
        cost=lambda i: len(entries[missing[i]].history.versions),
        fresh=True,  # a document of thousands of versions leaves its worker up to 1 GB
    )
    for index, document in zip(missing, made, strict=True):
        found[index] = document
    return [document for document in found if document is not None]


def _no_documents(repo: git.Repo, options: BuildOptions) -> None:
    """Refuse a repository whose documents are elsewhere; warn that any other site is empty.

    A repository with a sources.toml is a termline archive whose first scrape has not run yet
    (its docs/ folder holds no policies); without one, documents found elsewhere (an Open Terms
    Archive clone keeps them at its root) mean the wrong --archive.
    """
    archive = options.archive.strip("/") or "."
    where = "at its root" if archive == "." else f"under {archive}/"
    missing = f"no <platform>/<document>.md {where} in {options.repo}"
    if not (options.sources or options.repo / "sources.toml").is_file():
        counts = documents_by_folder(repo)
        counts.pop(archive, None)
        if counts:
            folder, count = max(counts.items(), key=lambda item: (item[1], item[0]))
            there = "at its root" if folder == "." else f"under {folder}/"
            raise TermlineError(f"{missing}, but {count} {there}: use --archive {folder}")
    log.warning("%s: building an empty site", missing)


def _warn_if_shallow(repo: git.Repo, path: Path) -> None:
    if is_shallow(repo):
        log.warning("%s is a shallow clone: only the versions it holds are built", path)


def _names(entries: list[Entry]) -> dict[str, str]:
    return {e.platform_slug: e.platform_name for e in entries}


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
) -> list[Platform[Document]]:
    """Read the history of every document, in full, and group the results by platform."""
    repo = repo_path if isinstance(repo_path, git.Repo) else open_repo(repo_path)
    path = Path(str(repo.working_dir))
    _warn_if_shallow(repo, path)
    library = Library(path, Tagger(taxonomy or Taxonomy()), store or Cache(None, ""))
    entries = catalogue(read_history(repo, archive, store), config)
    return group([library.analysed(entry) for entry in entries], _names(entries))


def _all_changes(platforms: list[Platform[Summary]]) -> tuple[Listed, ...]:
    items = [
        Listed(p, d, c, k)
        for p in platforms
        for d in p.documents
        for c, k in zip(d.changes, d.change_keys, strict=True)
    ]
    return tuple(sorted(items, key=_WHEN, reverse=True))


def _copy_static(static: Path, out: Output) -> None:
    if not static.is_dir():
        return
    for path in sorted(static.rglob("*")):
        if path.is_file():
            out.write(f"static/{path.relative_to(static).as_posix()}", path.read_bytes())
