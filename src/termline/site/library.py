"""Library stage: every document's analysis, cached by key: summaries for lists, full for its pages.

Takes the catalogued entries, a blob reader, a topic tagger and the build cache; gives each
document with the keys the pages are built by (``key``, ``display``, ``change_keys``,
``provision_keys``), in two forms: a ``Summary`` (no text, no diffs, no provision histories: what
every list, timeline and topic page needs of every document) and a ``Document`` in full (what its
own pages show). A document is analysed again only when its versions change, and loaded in
full only when one of its pages must be rendered again.
"""

import hashlib
from collections.abc import Collection
from pathlib import Path

from termline.analysis.catalogue import Document, Entry, Platform, Summary, Tracked
from termline.analysis.changes import Analysis, Provision, ProvisionEdit, Walk, walk
from termline.analysis.history import BlobReader, DocumentHistory
from termline.analysis.topics import Tagger
from termline.archive import open_repo
from termline.cache import Cache, Shelf, digest
from termline.site import feeds
from termline.site.render import MAX_ENTRIES, Listed, excerpt, is_news

WALKS = "walk"  # the cache kind of each document's walk, by path (resumed as it grows)


class Library:
    """Every document's analysis: summaries (no texts, no diffs) for lists, full for its pages.

    Both forms are cached by the document's key; a document is analysed again only when its
    versions, names or place changed, and loaded in full only when one of its pages is rendered.
    """

    def __init__(self, repo: Path, tagger: Tagger, store: Cache) -> None:
        self.repo = repo
        self.reader = BlobReader(open_repo(repo))
        self.tagger = tagger
        self.store = store
        self.lights = Shelf(store, "light", Summary, compressed=False)  # every build loads all
        self.feeds = Shelf(store, "contents", dict)
        self.entries: dict[str, Entry] = {}
        self.contents: dict[str, dict[str, str]] = {}
        self.needed: set[str] = set()  # changes the feeds across documents show

    def reopen(self) -> None:
        """Open a git reader of this process's own (a forked worker must not share the pipe)."""
        self.reader = BlobReader(open_repo(self.repo))

    def register(self, entry: Entry) -> str:
        """Remember a document's entry, to load it in full later; return its key."""
        key = entry_key(entry)
        self.entries[key] = entry
        return key

    def cached(self, key: str) -> Summary | None:
        """Return a document's summary, if the cache has it."""
        return self.lights.load(key)

    def light(self, entry: Entry) -> Summary:
        """Return a document's summary (no texts, no diffs), enough for every list of the site."""
        key = self.register(entry)
        found = self.cached(key)
        if found is None:
            found = summarise(self._full(entry, key))
            self.lights.save(key, found)
        return found

    def analysed(self, entry: Entry) -> Document:
        """Return a document in full, from its entry."""
        return self._full(entry, self.register(entry))

    def full(self, document: Tracked) -> Document:
        """Return a document with its text, its diffs and its provisions' histories.

        Its analysis comes from the cache; only its latest text is read from git.
        """
        return self._full(self.entries[document.key], document.key)

    def content(self, item: Listed, edit: ProvisionEdit | None = None) -> str:
        """Return a change's feed entry content (its word diff as HTML), from its document."""
        kept = self.contents.get(item.document.key, {})
        if item.key in kept:
            return kept[item.key]
        found = self.feeds.load(item.document.key)  # saved whole: its newest news, all of them
        if found is None:
            found = self.feed_contents(item.platform, self.full(item.document))
        self.keep(item.document.key, found)
        value = found.get(item.key)
        if isinstance(value, str):
            return value
        # Older than the news its document's feed keeps (a topic's feed reaches further back in
        # a document whose newer news are on other topics): made from the document in full.
        whole = self.full(item.document)
        change = whole.changes[whole.change_keys.index(item.key)]
        return feeds.content_html(Listed(item.platform, whole, change, item.key), edit)

    def feed_contents(self, platform: Platform[Tracked], document: Document) -> dict[str, str]:
        """Return (and cache) the feed contents of a document's newest news, given in full."""
        pairs = zip(document.changes, document.change_keys, strict=True)
        news = [(c, k) for c, k in pairs if is_news(c)][-MAX_ENTRIES:]
        contents = {k: feeds.content_html(Listed(platform, document, c, k)) for c, k in news}
        self.feeds.save(document.key, contents)
        return contents

    def need(self, keys: set[str]) -> None:
        """Say which changes the feeds across documents show: ``keep`` keeps their contents."""
        self.needed = keys

    def keep(self, key: str, contents: dict[str, str]) -> dict[str, str]:
        """Keep in memory the contents the feeds across documents need; return them."""
        needed = {k: html for k, html in contents.items() if k in self.needed}
        self.contents[key] = needed
        return needed

    def sweep(self, per_path: tuple[str, ...] = ()) -> int:
        """Delete what the cache holds for documents no longer in the archive; return how many.

        Analyses by document key (summaries, feed contents) and by document path (the walk,
        and the ``per_path`` kinds of other stages) that no registered document reaches are
        stale: a later build could never ask for them.
        """
        paths = {path_key(entry.history.path) for entry in self.entries.values()}
        keys = set(self.entries)
        kinds: dict[str, Collection[str]] = {"light": keys, "contents": keys}
        kinds |= {kind: paths for kind in (WALKS, *per_path)}
        return sum(Shelf(self.store, kind, object).keep_only(keys) for kind, keys in kinds.items())

    def _full(self, entry: Entry, key: str) -> Document:
        return _document(entry, key, self.reader, self.tagger, self.store)


def path_key(path: str) -> str:
    """Return the cache key of what a stage keeps per document path, replaced as it grows."""
    return digest(path)


def entry_key(entry: Entry) -> str:
    """Return the key of a document: its versions (by commit), its names and its place."""
    names = (entry.platform_slug, entry.platform_name, entry.slug, entry.name, entry.type)
    return digest(entry.history.key, names, entry.url)


def _chain(history: DocumentHistory) -> list[str]:
    """Return, for each version, a digest of the document's versions up to it.

    A change's analysis depends only on the versions up to it (and on termline's code and
    topics, which salt the cache), so this digest keys it.
    """
    hasher = hashlib.sha256(history.path.encode("utf-8", "surrogatepass"))
    chain = []
    for version in history.versions:
        hasher.update(f"\0{version.sha}\0{version.blob}".encode())
        chain.append(hasher.copy().hexdigest())
    return chain


def _keys(analysis: Analysis, entry: Entry) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """Return the keys a document's pages and the lists it is in are built by.

    Its display key (its names and place), each change's key and each provision's: a change's
    key covers its document's names too, so a list's key is made of its changes' keys.
    """
    chain = _chain(entry.history)
    if len(chain) != len(analysis.changes):  # never expected: one change per version
        chain = [digest(entry_key(entry), change) for change in analysis.changes]
    names = (entry.platform_slug, entry.platform_name, entry.slug, entry.name, entry.type)
    display = digest(names, entry.history.path, entry.url)
    change_keys = tuple(_change_key(display, link) for link in chain)
    by_id = {c.id: k for c, k in zip(analysis.changes, change_keys, strict=True)}
    return display, change_keys, tuple(_provision_key(p, by_id) for p in analysis.provisions)


def _change_key(display: str, link: str) -> str:
    """Return a short key of a change: its document's names and its versions up to it."""
    return hashlib.blake2b((display + link).encode(), digest_size=10).hexdigest()


def _provision_key(provision: Provision, change_keys: dict[str, str]) -> str:
    history = [
        (change_keys.get(c.id), e.status, e.label, e.old_heading, e.renamed_to)
        for c, e in provision.history
    ]
    return digest(
        provision.id,
        provision.label,
        provision.text,
        provision.first_seen,
        provision.last_changed,
        provision.removed_in,
        provision.topics,
        history,
    )


def summarise(document: Document) -> Summary:
    """Return a document without what only its own pages show: texts, diffs, provision histories.

    What the pages across documents show of a provision's text, its opening words, is kept, and
    so is which current provisions are on each topic.
    """
    return Summary(
        platform=document.platform,
        slug=document.slug,
        name=document.name,
        type=document.type,
        path=document.path,
        url=document.url,
        changes=tuple(change.brief() for change in document.changes),
        provisions=tuple(provision.brief() for provision in document.provisions),
        key=document.key,
        display=document.display,
        change_keys=document.change_keys,
        provision_keys=document.provision_keys,
        notes=document.notes,
        excerpts=tuple(excerpt(p.text) if p.current else "" for p in document.provisions),
        on_topics=document.provisions_by_topic(),
        topic_orders=tuple(dict.fromkeys(p.strongest_topics for p in document.provisions)),
    )


def _document(entry: Entry, key: str, reader: BlobReader, tagger: Tagger, store: Cache) -> Document:
    analysis = _analysis(entry, reader, tagger, store)
    display, change_keys, provision_keys = _keys(analysis, entry)
    policies = analysis.policies  # an error page recorded last is not the text shown
    last_text = policies[-1] if policies else None
    return Document(
        platform=entry.platform_slug,
        slug=entry.slug,
        name=entry.name,
        type=entry.type,
        path=entry.history.path,
        url=entry.url,
        changes=analysis.changes,
        provisions=analysis.provisions,
        key=key,
        display=display,
        change_keys=change_keys,
        provision_keys=provision_keys,
        text=reader.text(last_text),
        anchors=analysis.anchors,
    )


def _analysis(entry: Entry, reader: BlobReader, tagger: Tagger, store: Cache) -> Analysis:
    """Return a document's analysis, walking only the versions its cached walk has not seen."""
    walks, key = Shelf(store, WALKS, Walk), path_key(entry.history.path)
    since = walks.load(key)
    walked = walk(entry.history, reader.text, tagger, since)
    if walked is not since:
        walks.save(key, walked)
    return walked.analysis
