"""Changes stage: what each version changed against the one before it, provision by provision.

Takes a document's history, a way to read its blobs and a topic ``Tagger``; gives one ``Change``
per version (its kind, the provisions it added, removed, modified and renamed, a word diff of
each, the topics it touched) and one ``Provision`` per id the document ever had, with every
change to it. What is derived from a blob (its provisions, its fingerprint) is computed once per
blob, and each provision diff once per pair of texts.

The versions are walked oldest first, each against the state the walk left (provision ids, the
fingerprints seen, the last sections), so ``walk`` returns that state with the analysis as a
``Walk``: given the walk of an earlier history, it walks only the versions added since, and the
result equals a walk from the start. A build caches each document's ``Walk``, so a new scrape
costs the analysis of its new version only.
"""

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields, replace
from functools import lru_cache
from html import escape

from termline.analysis.diff import (
    NOT_LETTERS_OR_DIGITS,
    Block,
    WordDiff,
    text_diff,
    word_diff,
)
from termline.analysis.diff import forget as diff_memos
from termline.analysis.history import DocumentHistory, Version
from termline.analysis.meaning import (
    POLICY_AGAIN,
    UNCHANGED,
    MeaningDiff,
    Named,
    back_to,
    meaning_by_owner,
    meaning_diff,
    not_the_policy,
    only_dates_differ,
    recording_changed,
    scraped_here,
    summary,
)
from termline.analysis.meaning import forget as meaning_memos
from termline.analysis.provisions import (
    PREAMBLE,
    Ids,
    IdTracker,
    Section,
    heading_key,
    labelled,
    plain,
    shown,
    split,
)
from termline.analysis.provisions import forget as provision_memos
from termline.analysis.topics import Match, Tagger, Taxonomy
from termline.readable import unreadable

# Noise kinds come after substantive: cosmetic, technical (the recording changed, not the policy),
# dates (only dates or relative times moved), revert (back to an earlier text).
KINDS = ("first", "substantive", "cosmetic", "technical", "dates", "revert", "deleted")
STATUSES = ("added", "removed", "modified", "renamed")
# Kinds that change no rule (noise): shown, but folded and marked; left out of news and feeds.
QUIET_KINDS = ("cosmetic", "technical", "dates", "revert")
NAMED_CHARS = 100  # a summary cuts a longer heading (a scraped menu bar) at a word, with "…"

LINK_TARGET = re.compile(r"\]\((?:[^()]|\([^()]*\))*\)")
LINK_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:.*$")
ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-f]+|[a-z]+);", re.IGNORECASE)

Placed = dict[str, Section]


def counted(meaning: tuple[int, int], diffed: tuple[int, int]) -> tuple[int, int]:
    """Return the words added and removed that every page and feed names for a change or edit.

    Those outside dates and link targets when they were counted (a substantive change), else
    those of its word diff: a version's summary, its clauses' pages and their feeds agree.
    """
    return meaning if meaning != (0, 0) else diffed


@dataclass(frozen=True)
class ProvisionEdit:
    """What one version did to one provision: its status, word diff and topics."""

    id: str
    status: str
    heading: str
    diff: WordDiff
    topics: tuple[str, ...] = ()
    old_heading: str | None = None
    renamed_to: str | None = None
    # Words added and removed outside dates and link targets (counted for substantive changes),
    # and the topics those changed words match.
    meaning: tuple[int, int] = (0, 0)
    touched: tuple[str, ...] = ()
    part: str = ""  # the heading it sits under, when the version repeats its heading
    # Most of its own words that changed are no change of its document's: they moved to or
    # from other provisions (all of them when its meaning is unchanged).
    moved: bool = False

    @property
    def label(self) -> str:
        """Return the heading as lists name it: under its part when another clause shares it."""
        return labelled(self.part, self.heading)

    @property
    def significance(self) -> int:
        """Return how many words of the provision changed, dates and link targets aside."""
        return self.meaning[0] + self.meaning[1]

    @property
    def words(self) -> tuple[int, int]:
        """Return the words added and removed as pages and feeds count them (see ``counted``):
        none when they only moved between provisions."""
        if self.moved and not self.significance:
            return 0, 0
        return counted(self.meaning, (self.diff.words_added, self.diff.words_removed))

    @property
    def heading_html(self) -> str:
        """Return the heading as escaped HTML, with a word diff when it changed."""
        if self.old_heading is None:
            return escape(shown(self.heading))
        return _inline_diff(shown(self.old_heading), shown(self.heading))


@dataclass(frozen=True)
class BriefChange:
    """A change as lists and feeds across documents show it: what it did, counted and named.

    ``Change`` is the full form, with the diffs its own pages show; a brief change passed where
    the full one is needed is a type error.
    """

    version: Version
    previous: str | None
    kind: str
    reverts_to: str | None = None
    # The version it went back to as words name it (a revert's, or the policy's again after an
    # error page): its day, with the time when that day holds others ("2026-04-12 14:05 UTC").
    reverts_named: str = ""
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    modified: tuple[str, ...] = ()
    renamed: tuple[tuple[str, str], ...] = ()
    topics: tuple[str, ...] = ()
    # Words its provisions added and removed outside dates and link targets (substantive changes
    # only), what it did in words, and the heading of the first clause it names.
    meaning: tuple[int, int] = (0, 0)
    summary: str = ""
    lead: str = ""
    # False for a version that recorded no policy (an error page): the analysis passes it by.
    readable: bool = True
    # Words its diff added and removed.
    words_added: int = 0
    words_removed: int = 0

    @property
    def id(self) -> str:
        """Return the id of the version this change made."""
        return self.version.id

    @property
    def significance(self) -> int:
        """Return how many words of its provisions changed, dates and link targets aside."""
        return self.meaning[0] + self.meaning[1]

    @property
    def words(self) -> tuple[int, int]:
        """Return the words added and removed as pages and feeds count them (see ``counted``)."""
        return counted(self.meaning, (self.words_added, self.words_removed))


@dataclass(frozen=True, kw_only=True)
class Change(BriefChange):
    """One version of a document and what it changed against the previous version, in full."""

    diff: WordDiff | None = None
    edits: tuple[ProvisionEdit, ...] = ()

    def brief(self) -> BriefChange:
        """Return the change as lists show it: no diffs, no commit message."""
        held = {f.name: getattr(self, f.name) for f in fields(BriefChange)}
        return BriefChange(**held | {"version": replace(self.version, message="")})


@dataclass(frozen=True)
class BriefProvision:
    """A provision as pages across documents show it: its names, dates and topics, no text.

    ``Provision`` is the full form, with its text and history; a brief provision passed where
    the full one is needed is a type error.
    """

    id: str
    heading: str
    first_seen: str
    last_changed: str
    removed_in: str | None
    topics: tuple[str, ...]
    # How strongly a current provision is on each of its topics, with its best sentence.
    matches: tuple[Match, ...] = ()
    part: str = ""  # the heading it sits under, when its last version repeats its heading

    @property
    def label(self) -> str:
        """Return the heading as lists name it: under its part when another clause shares it."""
        return labelled(self.part, self.heading)

    def match(self, topic: str) -> Match | None:
        """Return how the provision matches a topic, if it is on it."""
        return next((m for m in self.matches if m.topic == topic), None)

    def score(self, topic: str) -> float:
        """Return how strongly the provision is on a topic (0 when it has no match on it)."""
        match = self.match(topic)
        return match.score if match else 0.0

    @property
    def current(self) -> bool:
        """Tell whether the provision is in the document's latest version."""
        return self.removed_in is None

    @property
    def strongest_topics(self) -> tuple[str, ...]:
        """Return its topics, the one it matches most strongly first (reading order on ties)."""
        return tuple(sorted(self.topics, key=lambda slug: -self.score(slug)))


@dataclass(frozen=True, kw_only=True)
class Provision(BriefProvision):
    """One provision of a document across its history: its text, each change to it, oldest first."""

    text: str
    history: tuple[tuple[Change, ProvisionEdit], ...]

    def brief(self) -> BriefProvision:
        """Return the provision as pages across documents show it: no text, no history."""
        return BriefProvision(**{f.name: getattr(self, f.name) for f in fields(BriefProvision)})


@dataclass(frozen=True)
class Analysis:
    """A document's changes, its provisions, and where each provision starts in its last text."""

    changes: tuple[Change, ...]
    provisions: tuple[Provision, ...]
    anchors: tuple[tuple[int, str], ...]

    @property
    def policies(self) -> list[str]:
        """Return the blobs of the versions that held a policy, oldest first: error pages left
        out (``readable``), deletions too; the last is the text the document shows."""
        return [c.version.blob for c in self.changes if c.readable and c.version.blob]


def normalise(text: str) -> str:
    """Return text without what a cosmetic change may alter: keep letters and digits, casefolded.

    Whitespace (non-breaking spaces included), punctuation, letter case, Markdown markup and
    link targets all disappear. Works line by line, so callers may cache lines.
    """
    return "".join(_normalise_line(line) for line in text.split("\n"))


@lru_cache(maxsize=65536)
def _normalise_line(line: str) -> str:
    line = LINK_DEFINITION.sub("", LINK_TARGET.sub("]", line))
    return NOT_LETTERS_OR_DIGITS.sub("", ENTITY.sub(" ", line).casefold())


def fingerprint(text: str) -> str:
    """Return a digest of the normalised text: equal for versions that differ only cosmetically."""
    return hashlib.sha1(normalise(text).encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class Walk:
    """A document's analysis and where the walk through its versions stopped, to go on later."""

    history: DocumentHistory
    analysis: Analysis
    ids: Ids
    seen: Mapping[str, str]  # each fingerprint met, to the last version that had it
    last: Placed  # each id's latest section, current or removed
    fingerprint: str | None  # the last version's; None when it deleted the document


def analyse(
    history: DocumentHistory, text: Callable[[str | None], str], tagger: Tagger | None = None
) -> Analysis:
    """Walk a document's versions oldest first: its changes, provisions and last anchors."""
    return walk(history, text, tagger).analysis


def walk(
    history: DocumentHistory,
    text: Callable[[str | None], str],
    tagger: Tagger | None = None,
    since: Walk | None = None,
) -> Walk:
    """Analyse a document, only its versions after ``since`` when its history extends that walk.

    The result equals a walk from the first version: a history that does not start with every
    version ``since`` walked (rewritten, or a commit backdated among them) is walked from the start.
    """
    if since is not None and since.history.key == history.key:  # the same versions
        return since
    if since is None or not extends(history, since.history):
        since = _nothing_walked(history)
    tag = tagger or Tagger(Taxonomy())
    walker = _Walker(text, tag, since)
    for version in history.versions[len(since.history.versions) :]:
        walker.step(version)
    walked = walker.walk(history)
    forget()
    tag.forget()
    return walked


def extends(history: DocumentHistory, earlier: DocumentHistory) -> bool:
    """Tell whether a document's history starts with every version of an earlier one."""
    count = len(earlier.versions)
    return history.path == earlier.path and history.versions[:count] == earlier.versions


def _nothing_walked(history: DocumentHistory) -> Walk:
    return Walk(replace(history, touches=()), Analysis((), (), ()), Ids(), {}, {}, None)


class _Walker:
    """A walk through a document's versions, one at a time, on from where a ``Walk`` stopped."""

    def __init__(self, text: Callable[[str | None], str], tag: Tagger, since: Walk) -> None:
        self.blobs = _Blobs(text)
        self.tag = tag
        self.tracker = IdTracker(since.ids)
        self.changes = list(since.analysis.changes)
        self.seen = dict(since.seen)
        self.last = dict(since.last)
        self.before = dict(since.ids.live)
        self.anchors = since.analysis.anchors
        self.fingerprint = since.fingerprint
        # The version before the next one: the last that held a policy, error pages passed by.
        self.previous = next((c.version for c in reversed(self.changes) if c.readable), None)
        self.passed = bool(self.changes) and not self.changes[-1].readable
        read = since.analysis.policies
        self.readable = read[-1] if read else None  # the blob of the last policy
        self.policies = set(read[1:])  # blobs measured against a policy (not measured again)
        self.days = Counter(c.version.id[:10] for c in self.changes)  # versions recorded a day
        self.dates = {c.version.id: c.version.date for c in self.changes}
        self.minutes = Counter(f"{date:%Y-%m-%d %H:%M}" for date in self.dates.values())

    def step(self, version: Version) -> None:
        """Analyse the next version against the last that held a policy (an error page passed).

        A version passed by is one of fewer than ``MIN_WORDS`` words where the last policy had
        at least twice as many, or (not recorded by the scraper) of less than half the policy's
        words, unless the version before it was passed by already: a text recorded twice in a
        row is the policy, however short. One holding a new line only an error page says is
        passed by whatever came before it (``unreadable``).
        """
        words = self._unreadable(version)
        if words:
            self._pass_by(version, *words)
            return
        sections, print_ = self.blobs.derive(version.blob)
        placed = self.tracker.place(sections)
        step = _Step(self.previous, version, print_, self.fingerprint)
        kind, reverts_to = _kind(step, self.seen, self.blobs.only_dates_differ)
        last = self.previous.blob if self.previous else None  # None after a deletion
        again = self.passed and print_ is not None and version.blob == last
        if again:  # the policy recorded again after an error page: the recording recovered
            kind, reverts_to = "technical", None
        pair = (self.before, placed)
        change = _change(
            version,
            self.previous,
            kind=kind,
            back=(reverts_to, self._named(reverts_to)) if reverts_to else None,
            pair=pair,
            tag=self.tag,
            texts=lambda: (self.blobs.text_of(last), self.blobs.text_of(version.blob)),
        )
        if again and self.previous is not None:  # named as a revert names what it brings back
            named = self._named(self.previous.id)
            change = replace(change, summary=POLICY_AGAIN, reverts_named=named)
        self._add(change)
        if print_ is not None:
            self.seen[print_] = version.id
            self.anchors = tuple((section.start, id_) for id_, section in placed.items())
        self.last.update(placed)
        self.previous, self.before, self.fingerprint = version, placed, print_
        self.passed = False
        if version.blob:
            if self.readable is not None:
                self.policies.add(version.blob)
            self.readable = version.blob

    def _add(self, change: Change) -> None:
        self.changes.append(change)
        self.days[change.id[:10]] += 1
        self.dates[change.id] = change.version.date
        self.minutes[f"{change.version.date:%Y-%m-%d %H:%M}"] += 1

    def _named(self, version: str) -> str:
        """Return an earlier version as words name it: its day, with its time when the day
        holds other versions, and its second when its minute does."""
        day = version[:10]
        if self.days[day] == 1:
            return day
        when = self.dates[version]
        minute = f"{when:%Y-%m-%d %H:%M}"
        second = "" if self.minutes[minute] == 1 else f":{when:%S}"
        return f"{minute}{second} UTC"

    def _unreadable(self, version: Version) -> tuple[int, int] | None:
        """Return the words of a version and of the last policy when the version holds none.

        Nor, when the scraper did not record it, is a text of less than half the policy's words
        (the scraper refuses it unless forced) or a shorter text holding a new line that only an
        error page says: a page in part an error page.
        """
        blob = version.blob
        if blob is None or self.readable is None or blob in self.policies:
            return None  # a text back again (a revert) was measured the first time
        text, before = self.blobs.text(blob), self.blobs.text(self.readable)
        return unreadable(text, before, elsewhere=not scraped_here(version), again=self.passed)

    def _pass_by(self, version: Version, words: int, was: int) -> None:
        """Record a version that holds no policy (an error page) without placing or diffing it.

        The provisions stay as the last policy left them, and the next version is compared
        with that policy, and classified against it: an error page between two versions reads
        neither as every clause removed nor, after it, as every clause added again.
        """
        before = self.before
        change = _change(
            version, self.previous, kind="technical", back=None, pair=(before, before), tag=self.tag
        )
        self._add(replace(change, summary=not_the_policy(words, was), readable=False))
        self.passed = True

    def walk(self, history: DocumentHistory) -> Walk:
        """Return the analysis so far and the state to resume it from."""
        changes = tuple(self.changes)
        provisions = _provisions(changes, self.last, self.before, self.tag)
        analysis = Analysis(changes, provisions, self.anchors)
        return Walk(history, analysis, self.tracker.state, self.seen, self.last, self.fingerprint)


class _Blobs:
    """What is derived from each blob, once per blob: its provisions and its fingerprint."""

    def __init__(self, read: Callable[[str | None], str]) -> None:
        self._read = read
        self._derived: dict[str, tuple[tuple[Section, ...], str]] = {}
        self._texts: dict[str, str] = {}  # the latest two read, to compare neighbours

    def derive(self, blob: str | None) -> tuple[tuple[Section, ...], str | None]:
        """Return a blob's sections and fingerprint."""
        if blob is None:
            return (), None
        found = self._derived.get(blob)
        if found is None:
            content = self.text(blob)
            found = self._derived[blob] = (split(content), fingerprint(content))
        return found

    def text_of(self, blob: str | None) -> str:
        """Return a blob's text, or nothing for no blob (a deletion)."""
        return self.text(blob) if blob else ""

    def text(self, blob: str) -> str:
        """Return a blob's text, read again unless it is one of the latest two read."""
        found = self._texts.get(blob)
        if found is None:
            found = self._texts[blob] = self._read(blob)
            while len(self._texts) > 2:
                del self._texts[next(iter(self._texts))]
        return found

    def only_dates_differ(self, old: str, new: str) -> bool:
        """Tell whether two blobs' texts differ only in their dates (or cosmetically)."""
        return only_dates_differ(self.text(old), self.text(new))


@dataclass(frozen=True)
class _Step:
    """A version to classify, the version before it, and both versions' fingerprints."""

    previous: Version | None
    version: Version
    print_: str | None
    previous_print: str | None


def _kind(
    step: _Step, seen: Mapping[str, str], only_dates: Callable[[str, str], bool]
) -> tuple[str, str | None]:
    """Classify a version: first, deleted, technical, cosmetic, dates, revert or substantive.

    A revert names the version whose text it brings back.
    """
    previous, version, print_ = step.previous, step.version, step.print_
    if print_ is None or version.blob is None:
        return "deleted", None
    if previous is None:
        return "first", None
    noise = _noise(step, previous, version.blob, only_dates)
    if noise:
        return noise, None
    if print_ in seen:
        return "revert", seen[print_]
    if previous.blob is None:
        return "first", None
    return "substantive", None


def _noise(
    step: _Step, previous: Version, blob: str, only_dates: Callable[[str, str], bool]
) -> str | None:
    """Return the noise a version is against the one before it: technical, cosmetic or dates."""
    if recording_changed(previous, step.version):
        return "technical"
    if step.print_ == step.previous_print:
        return "cosmetic"
    if previous.blob is not None and only_dates(previous.blob, blob):
        return "dates"
    return None


def _change(
    version: Version,
    previous: Version | None,
    *,
    kind: str,
    back: tuple[str, str] | None,
    pair: tuple[Placed, Placed],
    tag: Tagger,
    texts: Callable[[], tuple[str, str]] | None = None,
) -> Change:
    """Compare a version's provisions with the previous ones: what changed, counted and named.

    Its diff joins its provisions' diffs, unless words moved between provisions (a clause cut
    in two): then it diffs the whole ``texts``, where a moved sentence is no change.
    """
    before, after = pair
    edits = _edits(before, after, tag)
    if kind == "substantive":
        found = meaning_by_owner(_owned(before), _owned(after))
        edits = [_with_meaning(edit, found.get(edit.id), before, after, tag) for edit in edits]
    named = _named(kind, edits)
    if texts is not None and any(e.moved for e in edits):
        diff = word_diff(*texts())
    else:
        diff = _document_diff(_order(before, after), {e.id: e for e in edits}, before, after)
    return Change(
        version=version,
        previous=previous.id if previous else None,
        kind=kind,
        diff=diff,
        reverts_to=back[0] if back else None,
        reverts_named=back[1] if back else "",
        added=tuple(e.id for e in edits if e.status == "added"),
        removed=tuple(e.id for e in edits if e.status == "removed"),
        modified=tuple(e.id for e in edits if e.status == "modified"),
        renamed=tuple((e.id, e.renamed_to) for e in edits if e.renamed_to),
        topics=_union(tag, (_touched(kind, e) for e in edits)),
        edits=tuple(edits),
        meaning=(sum(e.meaning[0] for e in edits), sum(e.meaning[1] for e in edits)),
        summary=summary(kind, named, back[1] if back else None, _only_moved(edits)),
        lead=named[0].heading if named and kind not in ("first", "deleted") else "",
        words_added=diff.words_added,
        words_removed=diff.words_removed,
    )


def _with_meaning(
    edit: ProvisionEdit, found: MeaningDiff | None, before: Placed, after: Placed, tag: Tagger
) -> ProvisionEdit:
    """Give an edit the words its document's change altered in it outside dates and link
    targets, and their topics; or mark it moved when its own words changed but none of the
    document's did (a clause cut in two, joined with another)."""
    old, new = before.get(edit.id), after.get(edit.id)
    found = found or UNCHANGED
    moved = meaning_diff(_meant(old), _meant(new)).significance > 2 * found.significance
    if not found.significance:
        return replace(edit, moved=moved)
    section = new or old
    heading = section.heading if section is not None and section.titled else ""
    touched = tag("\n".join((heading, *found.sentences)))
    return replace(edit, meaning=(found.added, found.removed), touched=touched, moved=moved)


def _only_moved(edits: list[ProvisionEdit]) -> int:
    """Return how many edits only moved words between provisions, none changed in them."""
    return sum(e.moved and not e.significance for e in edits)


def _owned(placed: Placed) -> list[tuple[str, str]]:
    """Return what a version's provisions say, line by line in reading order, each with its id."""
    return [(id_, line) for id_, section in placed.items() for line in _meant(section).split("\n")]


def _meant(section: Section | None) -> str:
    """Return what a provision says: its heading (when it has one) and its body."""
    if section is None:
        return ""
    return f"{section.heading}\n{section.body}" if section.titled else section.body


def _touched(kind: str, edit: ProvisionEdit) -> tuple[str, ...]:
    """Return the topics an edit touched: its changed words' when substantive, all when first."""
    if kind == "first":
        return edit.topics
    return edit.touched if kind == "substantive" else ()


def _named(kind: str, edits: list[ProvisionEdit]) -> list[Named]:
    """Return the clauses a summary names, biggest first: those whose meaning changed, if any."""
    meant = [e for e in edits if e.significance] if kind == "substantive" else []
    named = [_named_edit(e) for e in (meant or edits)]
    unique = dict.fromkeys(named)  # a document holding a text twice changes it twice
    return sorted(unique, key=lambda n: -n.size)


def _named_edit(edit: ProvisionEdit) -> Named:
    """Return a clause as a summary names it, with its words ±."""
    added, removed = edit.words
    old = plain(edit.old_heading) if edit.renamed_to and edit.old_heading else None
    heading = labelled(_shortened(edit.part), _shortened(shown(plain(edit.heading))) or PREAMBLE)
    status = "modified" if _took_over(edit) else edit.status
    return Named(status, heading, added, removed, old_heading=old and _shortened(old))


def _took_over(edit: ProvisionEdit) -> bool:
    """Tell whether an added or removed provision holds words another held, or holds them now:
    split out of another, or rewritten in another's place (it is named as changed)."""
    return edit.moved or (edit.status in ("added", "removed") and all(edit.meaning))


def _shortened(heading: str) -> str:
    """Return a heading as a summary names it: cut at a word after ``NAMED_CHARS`` characters."""
    if len(heading) <= NAMED_CHARS:
        return heading
    return heading[:NAMED_CHARS].rsplit(" ", 1)[0] + "…"


def edit_summary(change: BriefChange, edit: ProvisionEdit) -> str:
    """Return what a change did to one provision, e.g. "Changed “Your rights” (+3 \u22121)"."""
    said = summary("substantive", [_named_edit(edit)])
    return f"{said}, {back_to(change.reverts_named)}" if change.reverts_to else said


def _edits(before: Placed, after: Placed, tag: Tagger) -> list[ProvisionEdit]:
    """Compare two versions' provisions: what was added, modified, renamed, then removed."""
    edits = []
    for id_, section in after.items():
        old = before.get(id_)
        if old is None:
            edits.append(_edit(id_, "added", section, _diff("", section.body), tag))
        elif old.body != section.body or old.heading != section.heading:
            edits.append(_edit_between(id_, old, section, tag))
    for id_, section in before.items():
        if id_ not in after:
            edits.append(_edit(id_, "removed", section, _diff(section.body, ""), tag))
    return edits


def _edit(id_: str, status: str, section: Section, diff: WordDiff, tag: Tagger) -> ProvisionEdit:
    topics = tag(_tagged_text(section))
    return ProvisionEdit(id_, status, section.heading, diff, topics, part=section.part)


def _edit_between(id_: str, old: Section, new: Section, tag: Tagger) -> ProvisionEdit:
    renamed = new.titled and old.titled and heading_key(old.heading) != heading_key(new.heading)
    retitled = new.titled and old.heading != new.heading
    return ProvisionEdit(
        id=id_,
        status="modified" if old.body != new.body or not renamed else "renamed",
        heading=new.heading,
        diff=_diff(old.body, new.body),
        topics=tag(_tagged_text(new)),
        old_heading=old.heading if retitled else None,
        renamed_to=heading_key(new.heading) if renamed else None,
        part=new.part,
    )


def _tagged_text(section: Section) -> str:
    return f"{section.heading}\n{section.body}"


def _union(tag: Tagger, groups: Iterable[tuple[str, ...]]) -> tuple[str, ...]:
    found = {slug for group in groups for slug in group}
    return tuple(t.slug for t in tag.taxonomy.topics if t.slug in found)


def _order(before: Placed, after: Placed) -> list[str]:
    """Return the ids of both versions in reading order: each removed one after its neighbour."""
    following: dict[str | None, list[str]] = {}
    neighbour: str | None = None
    for id_ in before:
        if id_ in after:
            neighbour = id_
        else:
            following.setdefault(neighbour, []).append(id_)
    order = list(following.get(None, []))
    for id_ in after:
        order.append(id_)
        order.extend(following.get(id_, []))
    return order


def _document_diff(
    order: list[str], edits: dict[str, ProvisionEdit], before: Placed, after: Placed
) -> WordDiff:
    """Join the provisions' diffs in reading order, folding unchanged provisions into skips."""
    blocks: list[Block] = []
    added = removed = 0
    for id_ in order:
        edit = edits.get(id_)
        if edit is None:
            _join(blocks, [Block("skip", "", after[id_].lines)] if after[id_].lines else [])
            continue
        section = after.get(id_) or before[id_]
        if section.titled:
            blocks.append(Block("heading", edit.heading_html))
        _join(blocks, edit.diff.blocks)
        heading_added, heading_removed = _heading_words(edit)
        added += edit.diff.words_added + heading_added
        removed += edit.diff.words_removed + heading_removed
    return WordDiff(tuple(blocks), added, removed)


def _join(blocks: list[Block], more: Iterable[Block]) -> None:
    """Add blocks to a diff, a skip next to a skip made one ("… 205 unchanged lines …")."""
    for block in more:
        if block.kind == "skip" and blocks and blocks[-1].kind == "skip":
            blocks[-1] = replace(blocks[-1], lines=blocks[-1].lines + block.lines)
        else:
            blocks.append(block)


def _heading_words(edit: ProvisionEdit) -> tuple[int, int]:
    if edit.old_heading is None:
        return 0, 0
    _html, added, removed = _heading_diff(edit.old_heading, edit.heading)
    return added, removed


@lru_cache(maxsize=16384)
def _diff(old: str, new: str) -> WordDiff:
    """Return the word diff of two provision texts, once per pair of texts."""
    return word_diff(old, new)


@lru_cache(maxsize=4096)
def _heading_diff(old: str, new: str) -> tuple[str, int, int]:
    """Return the word diff of two headings (plain text) as inline HTML, with its counts."""
    return text_diff(old, new)


def _inline_diff(old: str, new: str) -> str:
    return _heading_diff(old, new)[0]


def _provisions(
    changes: tuple[Change, ...], last: Placed, final: Placed, tag: Tagger
) -> tuple[Provision, ...]:
    """Summarise each provision's history; current ones first, in reading order, with matches."""
    history: dict[str, list[tuple[Change, ProvisionEdit]]] = {}
    for change in changes:
        for edit in change.edits:
            history.setdefault(edit.id, []).append((change, edit))
    ids = [*final, *(id_ for id_ in history if id_ not in final)]
    found = (_provision(id_, history[id_], last[id_]) for id_ in ids if id_ in history)
    return tuple(_with_matches(p, tag) if p.current and p.topics else p for p in found)


def _with_matches(provision: Provision, tag: Tagger) -> Provision:
    """Return a current provision with how strongly it is on each of its topics.

    A topic matched only in markup (a link's target) is dropped: a reader sees no word of it.
    Its sentences are read as plain text, a ``<br>`` as a space, as pages show them.
    """
    body = "\n".join(shown(plain(line)) for line in provision.text.split("\n"))
    matches = tag.matches(shown(plain(provision.heading)), body, provision.topics)
    return replace(provision, matches=matches, topics=tuple(m.topic for m in matches))


def _provision(
    id_: str, entries: list[tuple[Change, ProvisionEdit]], section: Section
) -> Provision:
    """Summarise one provision: its last edit saw its last text, so it holds its topics."""
    last_change, last_edit = entries[-1]
    return Provision(
        id=id_,
        heading=section.heading,
        text=section.body,
        first_seen=entries[0][0].id,
        last_changed=last_change.id,
        removed_in=last_change.id if last_edit.status == "removed" else None,
        topics=last_edit.topics,
        history=tuple(entries),
        part=section.part,
    )


def forget() -> None:
    """Drop what walks memoised of lines and texts, here and in the modules they use.

    The memos pay off across the versions of one document, which repeat most of their lines;
    kept across documents they held gigabytes in a worker by the end of a real archive.
    """
    for memo in (_normalise_line, _diff, _heading_diff):
        memo.cache_clear()
    diff_memos()
    meaning_memos()
    provision_memos()
