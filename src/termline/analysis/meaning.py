"""Meaning: what a change says about a policy once the noise of its recording is set aside.

Takes the texts of two versions (or of a provision in two versions) and their commit messages;
gives what the changes stage needs to tell a platform's changes from noise: a fingerprint of a
text with every date and relative time made alike (``dateless_print``), whether a version was
recorded differently from the one before (``recording_changed``), and the words a change altered
outside dates and link targets (``meaning_diff``), counted and kept for the topics and the
summary in words (``summary``).

Dates are found in English as real policies write them ("8 July 2026", "July 8, 2026",
"2026-07-08", "08/07/2026", "July 2026"), with relative times ("Updated 22 days ago",
"yesterday") and copyright years; each becomes the same placeholder word, so a date moving or
written another way is no change of meaning.
"""

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

from termline.analysis.diff import NOT_LETTERS_OR_DIGITS, opcodes_of
from termline.analysis.history import Version
from termline.analysis.memo import text_memo
from termline.archive import (
    EXTRACTED_BY,
    FOREIGN_TECHNICAL_PREFIXES,
    IMPORTED_FROM,
    RECORDING_CHANGE,
    trailer,
)
from termline.readable import MIN_WORDS

# "may" is a month only beside a year: "section 1 may apply" holds no date.
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:1[89]|2\d)\d\d"
_UNIT = r"(?:second|minute|hour|day|week|month|year)s?"
DATE = re.compile(
    "|".join(
        (
            rf"(?<![\d.]){_DAY}\s+(?:of\s+)?{_MONTH}(?:,?\s+{_YEAR})?(?!\w)",
            rf"(?<![\d.]){_DAY}\s+(?:of\s+)?may,?\s+{_YEAR}(?!\w)",
            rf"(?<![a-z]){_MONTH}\s+{_DAY}(?:,?\s+{_YEAR})?(?!\w)",
            rf"(?<![a-z])may\s+{_DAY},?\s+{_YEAR}(?!\w)",
            rf"(?<![a-z])(?:{_MONTH}|may),?\s+{_YEAR}(?!\d)",
            r"(?<![\d.])\d{4}-\d\d-\d\d(?:T[\d:.]+Z?)?(?!\d)",
            r"(?<![\d./])\d{1,2}/\d{1,2}/(?:\d{4}|\d\d)(?![\d/])",
            r"(?<![\d.])\d{1,2}\.\d{1,2}\.\d{4}(?![\d.])",
            rf"(?<![a-z])(?:\d+|an?|one|a\s+few|several)\s+{_UNIT}\s+ago(?!\w)",
            r"(?<![a-z])(?:yesterday|just\s+now)(?!\w)",
            rf"(?:©|\(c\)|copyright)\s*(?:{_YEAR}\s*[-\u2013]\s*)?{_YEAR}(?!\d)",
        )
    ),
    re.IGNORECASE,
)
# Every date holds a digit or one of these words: DATE runs only around them (it is slow on a
# whole paragraph), within REACH characters on either side.
ANCHOR = re.compile(r"\d+|(?<![a-z])(?:ago|yesterday|just\s+now)(?![a-z])", re.IGNORECASE)
REACH = 30
ANCHOR_WORDS = 5  # unchanged words on each side that place a removal in the provision holding them
CLAUSE_MEMO = 2_000_000  # characters of clause pairs whose meaning diffs are kept
PLACEHOLDER = " \x00date\x00"  # what every date becomes: one word no policy contains
SENTENCE_END = re.compile('[.!?;:][)\\]*_"\u201d\u2019]*$')
LINK_TARGET = re.compile(r"\]\((?:[^()]|\([^()]*\))*\)")
LINK_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:.*$")
SUMMARY_CLAUSES = 3  # clauses a summary names; the rest are counted
NOISE = {
    "dates": "Only dates changed",
    "cosmetic": "Only punctuation, markup or link targets changed",
    "technical": "The recording changed, not the policy",
}
POLICY_AGAIN = "The policy again after an error page, unchanged"
VERBS = {"modified": "changed", "added": "added", "removed": "removed", "renamed": "renamed"}


@dataclass(frozen=True)
class MeaningDiff:
    """The words one text changed against another, dates and link targets set aside."""

    added: int
    removed: int
    sentences: tuple[str, ...]  # each sentence holding a changed word, as removed or as added

    @property
    def significance(self) -> int:
        """Return how many words changed: added plus removed."""
        return self.added + self.removed


UNCHANGED = MeaningDiff(0, 0, ())


@dataclass(frozen=True)
class Named:
    """A clause as a summary names it: what happened to it, its heading, its words ±."""

    status: str
    heading: str
    added: int
    removed: int
    old_heading: str | None = None

    @property
    def size(self) -> int:
        """Return how many words changed in the clause."""
        return self.added + self.removed


@lru_cache(maxsize=65536)
def dateless(line: str) -> str:
    """Return a line of Markdown with its link targets dropped and every date made alike."""
    line = LINK_DEFINITION.sub("", LINK_TARGET.sub("]", line))
    parts: list[str] = []
    done = 0
    for start, end in _windows(line):
        for found in DATE.finditer(line, max(start, done), end):
            parts.extend((line[done : found.start()], PLACEHOLDER))
            done = found.end()
    return "".join(parts) + line[done:] if parts else line


def _windows(line: str) -> list[tuple[int, int]]:
    """Return the stretches of a line where a date may be: around its digits and time words."""
    spans: list[tuple[int, int]] = []
    for found in ANCHOR.finditer(line):
        start, end = max(0, found.start() - REACH), found.end() + REACH
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


@lru_cache(maxsize=65536)
def _keys(line: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Return a line's words (dates alike) and their comparison keys, punctuation-only ones left."""
    pairs = [(w, NOT_LETTERS_OR_DIGITS.sub("", w)) for w in dateless(line).split()]
    kept = [(word, key.casefold()) for word, key in pairs if key]
    return tuple(w for w, _ in kept), tuple(k for _, k in kept)


def dateless_key(text: str) -> str:
    """Return the letters and digits of a text, casefolded, with dates and link targets alike.

    Two versions with the same key differ only in dates, relative times, link targets, letter
    case, punctuation, whitespace or markup.
    """
    return _joined_key(text.split("\n"))


def only_dates_differ(old: str, new: str) -> bool:
    """Tell whether two texts differ only in dates, link targets, case, punctuation or markup."""
    old_lines, new_lines = _middles(old.split("\n"), new.split("\n"))
    return _same_keys(map(_line_key, old_lines), map(_line_key, new_lines))


def _same_keys(old: Iterator[str], new: Iterator[str]) -> bool:
    """Tell whether two streams of line keys join to the same text, reading no more than needed."""
    a = b = ""
    while True:
        shared = min(len(a), len(b))
        if a[:shared] != b[:shared]:
            return False
        a, b = a[shared:], b[shared:]
        if not a:
            following = next(old, None)
            if following is None:
                return not b and not any(new)
            a = following
        elif not b:
            following = next(new, None)
            if following is None:
                return not a and not any(old)
            b = following


def _middles(old: list[str], new: list[str]) -> tuple[list[str], list[str]]:
    """Return the lines of two texts between their common first and last lines."""
    head, tail = _ends(old, new)
    return old[head : len(old) - tail], new[head : len(new) - tail]


def _ends(old: Sequence[str], new: Sequence[str]) -> tuple[int, int]:
    """Return how many first lines and how many last lines two texts share."""
    head, limit = 0, min(len(old), len(new))
    while head < limit and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < limit - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    return head, tail


def _joined_key(lines: Iterable[str]) -> str:
    return "".join(_line_key(line) for line in lines)


@lru_cache(maxsize=65536)
def _line_key(line: str) -> str:
    return NOT_LETTERS_OR_DIGITS.sub("", dateless(line).casefold())


@text_memo(CLAUSE_MEMO)
def meaning_diff(old: str, new: str) -> MeaningDiff:
    """Return the words new changed against old: lines matched first, then words inside."""
    found = meaning_by_owner(
        [("", line) for line in old.split("\n")], [("", line) for line in new.split("\n")]
    )
    return found.get("", UNCHANGED)


Owned = Sequence[tuple[str, str]]  # a document's lines in reading order, each with its owner


def meaning_by_owner(old: Owned, new: Owned) -> dict[str, MeaningDiff]:
    """Return the words a document's change altered outside dates and link targets, by owner
    (the provision holding them): a removed word is its old owner's, an added one its new's.

    The document is compared whole, so words that moved from one provision to another, as
    when a clause is cut in two or a paragraph break splits one, are no owner's change.
    """
    head, tail = _ends([line for _, line in old], [line for _, line in new])
    old, new = old[head : len(old) - tail], new[head : len(new) - tail]
    found: dict[str, list[int]] = {}  # owner: [added, removed]
    sentences: dict[str, list[str]] = {}
    old_keys = [_keys(line)[1] for _, line in old]
    new_keys = [_keys(line)[1] for _, line in new]
    for tag, i1, i2, j1, j2 in opcodes_of(old_keys, new_keys):
        if tag != "equal":
            before, after = _owned_words(old[i1:i2]), _owned_words(new[j1:j2])
            _attribute(before, after, found, sentences)
    return {
        owner: MeaningDiff(added, removed, tuple(sentences.get(owner, ())))
        for owner, (added, removed) in found.items()
    }


def _owned_words(lines: Owned) -> list[tuple[str, str, str]]:
    """Return the (word, key, owner) of lines, dates alike."""
    return [(w, k, owner) for owner, line in lines for w, k in zip(*_keys(line), strict=True)]


def _attribute(
    before: list[tuple[str, str, str]],
    after: list[tuple[str, str, str]],
    found: dict[str, list[int]],
    sentences: dict[str, list[str]],
) -> None:
    """Count the words changed between two runs of owned words by owner, and their sentences.

    An added word is its new owner's. A removed one is its old owner's, unless the unchanged
    words on both sides of it were that owner's and are another's now: then it is theirs, since
    a sentence cut from a clause since split is the change of the clause holding its context.
    """
    old: dict[int, str] = {}  # the index of an old word marked, and the owner it counts for
    new: dict[int, str] = {}
    ops = opcodes_of([k for _, k, _ in before], [k for _, k, _ in after])
    for index, (tag, i1, i2, j1, j2) in enumerate(ops):
        if tag == "equal":
            continue
        beside = [ops[k] for k in (index - 1, index + 1) if 0 <= k < len(ops)]
        now = _owners_now(before, after, beside)
        for i in range(i1, i2):
            old[i] = now.get(before[i][2], before[i][2])
            found.setdefault(old[i], [0, 0])[1] += 1
        for j in range(j1, j2):
            new[j] = after[j][2]
            found.setdefault(new[j], [0, 0])[0] += 1
        if i1 == i2 and i1 < len(before):  # an insertion changes the sentence it lands in
            old[i1] = after[j1][2]
    _sentences_by_owner(before, old, sentences)
    _sentences_by_owner(after, new, sentences)


def _owners_now(
    before: list[tuple[str, str, str]],
    after: list[tuple[str, str, str]],
    beside: Sequence[tuple[str, int, int, int, int]],
) -> dict[str, str]:
    """Return the owner now of the unchanged words on both sides of a change, by their owner
    then, when both sides are runs of ``ANCHOR_WORDS`` or more and they agree (not a few
    common words two unrelated texts happen to share)."""
    if len(beside) < 2 or any(t != "equal" or i2 - i1 < ANCHOR_WORDS for t, i1, i2, _, _ in beside):
        return {}
    (_, _, i2, _, j2), (_, i1, _, j1, _) = beside
    pairs = {(before[i2 - 1][2], after[j2 - 1][2]), (before[i1][2], after[j1][2])}
    return dict(pairs) if len(pairs) == 1 else {}


def _sentences_by_owner(
    words: list[tuple[str, str, str]], marked: dict[int, str], sentences: dict[str, list[str]]
) -> None:
    """Add to each owner the sentences holding the words marked for it."""
    for _owner, start, end in _runs(words):
        held = [w for w, _, _ in words[start:end]]
        for owner in {marked[i] for i in range(start, end) if i in marked}:
            mine = {i - start for i in range(start, end) if marked.get(i) == owner}
            sentences.setdefault(owner, []).extend(_sentences(held, mine))


def _runs(words: list[tuple[str, str, str]]) -> Iterator[tuple[str, int, int]]:
    """Return the runs of words of one owner: (owner, start, end)."""
    start = 0
    for index in range(1, len(words) + 1):
        if index == len(words) or words[index][2] != words[start][2]:
            yield words[start][2], start, index
            start = index


def _sentences(words: list[str], marked: set[int]) -> list[str]:
    """Return the sentences of a run of words that hold a marked word."""
    found: list[str] = []
    start = 0
    for index, word in enumerate(words):
        if SENTENCE_END.search(word) or index == len(words) - 1:
            if marked.intersection(range(start, index + 1)):
                found.append(" ".join(words[start : index + 1]).replace("\x00", ""))
            start = index + 1
    return found


def recording_changed(previous: Version | None, version: Version) -> bool:
    """Tell whether a version was recorded differently from the one before it.

    So it is when its commit says so (an Open Terms Archive technical upgrade, a
    ``Recording-Change`` trailer), when what extracted it (``Extracted-By``) differs from what
    extracted the version before, or when it is the first scraped after imported versions.
    """
    if version.title.startswith(FOREIGN_TECHNICAL_PREFIXES):
        return True
    if trailer(version.message, RECORDING_CHANGE) is not None:
        return True
    extracted = trailer(version.message, EXTRACTED_BY)
    if previous is None or extracted is None:
        return False
    if trailer(previous.message, IMPORTED_FROM) is not None:
        return trailer(version.message, IMPORTED_FROM) is None
    earlier = trailer(previous.message, EXTRACTED_BY)
    return earlier is not None and declared(earlier) != declared(extracted)


def scraped_here(version: Version) -> bool:
    """Tell whether termline's scraper recorded a version (not an import): it refuses a page
    that shrank to less than half unless told to take it, so such a page it recorded is one."""
    extracted = trailer(version.message, EXTRACTED_BY) is not None
    return extracted and trailer(version.message, IMPORTED_FROM) is None


SOFTWARE_VERSION = re.compile(r"^(termline|trafilatura) \S+$")


def declared(extracted: str) -> str:
    """Return what a declaration chose in an ``Extracted-By`` value, software versions left out.

    A new termline or trafilatura release is recorded in the trailer but is no sign of a new
    recording: the scraper commits nothing when a new release extracts the same text, so the
    next version carrying the new release may well be a real change of the policy, which must
    not be hidden as technical. Selectors, filters and the choice of extractor do count.
    """
    parts = extracted.split("; ")
    return "; ".join(p.split(" ", 1)[0] if SOFTWARE_VERSION.match(p) else p for p in parts)


def summary(kind: str, named: Sequence[Named], back: str | None = None, moved: int = 0) -> str:
    """Return what a change did in words: its clauses by heading, biggest first, with words ±;
    a revert's, the version it went back to (``back``, in words); how many clauses were only
    split or joined (``moved``: their words moved between clauses, none changed).

    E.g. "Changed “How we use data” (+48 \u221212) and “Your rights” (+3); added “AI
    training” (+120)". Noise says what sort of noise it is, and where.
    """
    if kind == "first":
        return f"First recorded: {_count(len(named), 'clause')}"
    if kind == "deleted":
        return "No longer tracked"
    if kind == "revert":
        return _capital(back_to(back)) if back else "Back to an earlier text"
    if kind in NOISE:
        return _noise(NOISE[kind], named)
    said = _clauses(named) or "Words changed outside any clause"
    return f"{said}; {_count(moved, 'other clause')} only split or joined" if moved else said


def not_the_policy(words: int, was: int) -> str:
    """Return what a version that recorded no policy holds (an error page), in words."""
    if words < MIN_WORDS:
        return f"Not the policy: an error or blocked page of {words} words (the policy had {was})"
    return f"Not the policy: {words} words where the policy had {was}, in part an error page"


def back_to(version: str) -> str:
    """Return where a revert went in words, given the version it brought back in words."""
    return f"back to the text of {version}"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _noise(what: str, named: Sequence[Named]) -> str:
    where = sorted(named, key=lambda n: -n.size)
    if not where:
        return what
    more = len(where) - 1
    rest = f" and {_count(more, 'other clause')}" if more else ""
    return f"{what}, in “{where[0].heading}”{rest}"


def _clauses(named: Sequence[Named]) -> str:
    """Name the biggest clauses, grouped by what happened to them in order of their biggest."""
    ranked = sorted(named, key=lambda n: -n.size)
    shown = ranked[:SUMMARY_CLAUSES]
    groups: dict[str, list[Named]] = {}
    for clause in shown:
        groups.setdefault(clause.status, []).append(clause)
    said: set[str] = set()  # two clauses named alike (a page holding its text twice)
    parts = [
        f"{VERBS[status]} {_and([_clause(c, said) for c in group])}"
        for status, group in groups.items()
    ]
    more = len(ranked) - len(shown)
    text = "; ".join(parts) + (f"; and {_count(more, 'more clause')}" if more else "")
    return _capital(text)


def _clause(clause: Named, said: set[str]) -> str:
    """Name a clause with its words ±: "another" when a clause of its name was named before."""
    another = "another " if clause.heading in said else ""
    said.add(clause.heading)
    words = " ".join(
        part
        for part, n in (
            (f"+{clause.added}", clause.added),
            (f"\u2212{clause.removed}", clause.removed),
        )
        if n
    )
    count = f" ({words})" if words else ""
    if clause.status == "renamed" and clause.old_heading:
        return f"{another}“{clause.old_heading}” to “{clause.heading}”{count}"
    return f"{another}“{clause.heading}”{count}"


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _count(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def forget() -> None:
    """Drop the memos of lines and texts seen (they serve the versions of one document)."""
    dateless.cache_clear()
    _keys.cache_clear()
    _line_key.cache_clear()
    meaning_diff.cache_clear()
