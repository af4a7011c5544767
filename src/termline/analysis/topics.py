"""Topics stage: which subjects people care about each provision touches.

Takes ``topics.toml`` (a small, editable taxonomy: per topic a name, a one-line description
and regular expressions); gives a ``Taxonomy`` of ``Topic`` records and a ``Tagger`` that
returns the topics a provision's heading and text match. Patterns are matched line by line (a
line of archived Markdown is a paragraph), case-insensitively with ASCII word boundaries, and
each distinct line is matched once: real archives repeat most lines version after version. A
topic's patterns are searched only in lines holding one of the strings they require
(``required``: "train" for ``\\btrain(?:s|ed)?\\b[^.]{0,120}\\bmodels?\\b``), which most lines
do not hold, and a test of substrings costs far less than a search (contrib-versions' distinct
lines are tagged in about half the time one search of every pattern took).

``Tagger.matches`` says how strongly a provision is on each of its topics (a heading that
matches weighs more than a passing word; the density of matches in the text counts) and gives
the sentence that matches best, its matches marked, for excerpts.
"""

import importlib
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from termline.analysis.diff import NOT_LETTERS_OR_DIGITS
from termline.errors import TermlineError
from termline.slugs import is_slug

try:  # the parser re compiles with: private, the same since Python 3.11
    sre: Any = importlib.import_module("re._constants")
    sre_parse: Any = importlib.import_module("re._parser")
except ImportError:  # a Python whose re has moved: no pattern requires a string, all searched
    sre = sre_parse = None

PACKAGE_TOPICS = Path(__file__).parents[1] / "topics.toml"
SOURCE_TOPICS = Path(__file__).parents[3] / "topics.toml"
FIELDS = {"name", "description", "patterns"}
HEADING_WEIGHT = 10.0  # a heading on the topic outweighs any density of passing mentions
DENSITY_WORDS = 100  # matches are counted per this many words (a shorter text counts as this)
SENTENCE = re.compile(r"(?<=[.!?;])\s+")
EXCERPT_AROUND = 20  # words kept on each side of the first match in a long sentence
FLAGS = re.IGNORECASE | re.ASCII


@dataclass(frozen=True)
class Topic:
    """A subject of policies, with the patterns that find it in a provision."""

    slug: str
    name: str
    description: str
    patterns: tuple[str, ...]


@dataclass(frozen=True)
class Taxonomy:
    """Every topic, in the order of the file."""

    topics: tuple[Topic, ...] = ()

    def find(self, slug: str) -> Topic | None:
        """Return the topic with this slug, if any."""
        return next((t for t in self.topics if t.slug == slug), None)


def default_topics() -> Path:
    """Return the topics.toml shipped with termline (installed package, or source tree)."""
    return PACKAGE_TOPICS if PACKAGE_TOPICS.is_file() else SOURCE_TOPICS


def load_topics(path: Path) -> Taxonomy:
    """Read a topics.toml, or raise a TermlineError naming the file and the bad key."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise TermlineError(f"{path}: no such file") from error
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise TermlineError(f"{path}: {error}") from error
    unknown = sorted(set(data) - {"topics"})
    if unknown:
        raise TermlineError(f"{path}: unknown key {unknown[0]!r} (expected [topics.<slug>])")
    table = data.get("topics", {})
    if not isinstance(table, dict):
        raise TermlineError(f"{path}: topics: expected tables [topics.<slug>]")
    return Taxonomy(tuple(_topic(path, slug, value) for slug, value in table.items()))


def _topic(path: Path, slug: str, value: Any) -> Topic:
    where = f"{path}: topics.{slug}"
    if not is_slug(slug):
        raise TermlineError(f"{where}: not a slug (lowercase ASCII letters, digits and -)")
    if not isinstance(value, dict):
        raise TermlineError(f"{where}: expected a table with name, description and patterns")
    unknown = sorted(set(value) - FIELDS)
    if unknown:
        raise TermlineError(f"{where}.{unknown[0]}: unknown key (expected {sorted(FIELDS)})")
    for field in ("name", "description"):
        if not isinstance(value.get(field), str) or not value[field].strip():
            raise TermlineError(f"{where}.{field}: expected a non-empty string")
    patterns = value.get("patterns")
    if not isinstance(patterns, list) or not patterns:
        raise TermlineError(f"{where}.patterns: expected a non-empty list of regular expressions")
    for index, pattern in enumerate(patterns):
        _check_pattern(f"{where}.patterns[{index}]", pattern)
    _check_pattern(f"{where}.patterns", _combined(patterns))
    return Topic(slug, value["name"].strip(), value["description"].strip(), tuple(patterns))


def _combined(patterns: list[str] | tuple[str, ...]) -> str:
    return "|".join(f"(?:{pattern})" for pattern in patterns)


def _check_pattern(where: str, pattern: object) -> None:
    if not isinstance(pattern, str) or not pattern:
        raise TermlineError(f"{where}: expected a non-empty string")
    try:
        re.compile(pattern, FLAGS)
    except re.error as error:
        raise TermlineError(f"{where}: bad regular expression: {error}") from error


@dataclass(frozen=True)
class Match:
    """How strongly a provision is on a topic, and its best sentence in pieces: (text, matched)."""

    topic: str
    score: float
    excerpt: tuple[tuple[str, bool], ...]

    @property
    def text(self) -> str:
        """Return the excerpt as plain text."""
        return "".join(piece for piece, _ in self.excerpt)

    def repeats(self, heading: str) -> bool:
        """Tell whether the excerpt says no more than a heading (a match in the heading only)."""
        return _bare(self.text) in _bare(heading)


class Tagger:
    """Tell which topics a text matches, matching each distinct line only once."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        self._matchers = [
            (topic.slug, re.compile(_combined(topic.patterns), FLAGS)) for topic in taxonomy.topics
        ]
        self._gates, self._always = _gates(taxonomy)
        self._lines: dict[str, frozenset[str]] = {}

    def __call__(self, text: str) -> tuple[str, ...]:
        """Return the slugs of the topics text matches, in taxonomy order."""
        found: set[str] = set()
        for line in text.split("\n"):
            found |= self._line(line)
        return tuple(slug for slug, _ in self._matchers if slug in found)

    def matches(self, heading: str, body: str, slugs: tuple[str, ...]) -> tuple[Match, ...]:
        """Return how strongly a provision (plain heading and plain body text) is on each topic."""
        sentences = [s for s in SENTENCE.split(" ".join(body.split())) if s]
        words = max(len(body.split()), DENSITY_WORDS)
        found = []
        for slug, matcher in self._matchers:
            if slug not in slugs:
                continue
            hits = [len(matcher.findall(sentence)) for sentence in sentences]
            in_heading = bool(matcher.search(heading))
            score = HEADING_WEIGHT * in_heading + sum(hits) * DENSITY_WORDS / words
            best = _best(sentences, hits, heading)
            shown = heading if best is None else sentences[best]
            if in_heading or best is not None:
                found.append(Match(slug, round(score, 3), _marked(matcher, shown)))
        return tuple(found)

    def forget(self) -> None:
        """Drop the topics of the lines seen so far (a memo for the versions of one document)."""
        self._lines.clear()

    def _line(self, line: str) -> frozenset[str]:
        found = self._lines.get(line)
        if found is None:
            folded = line.casefold()  # how required strings are kept: case-insensitive, exact
            maybe = {slug for needed, slug in self._gates if needed in folded} | self._always
            found = frozenset(
                slug for slug, matcher in self._matchers if slug in maybe and matcher.search(line)
            )
            self._lines[line] = found
        return found


def _best(sentences: list[str], hits: list[int], heading: str) -> int | None:
    """Return the index of the sentence with the most matches, one that repeats the heading
    (a numbered paragraph's "2.3.3 Model Training.") only when no other matches."""
    said = [i for i, n in enumerate(hits) if n and _bare(sentences[i]) not in _bare(heading)]
    found = said or [i for i, n in enumerate(hits) if n]
    return max(found, key=hits.__getitem__) if found else None


def _bare(text: str) -> str:
    """Return the letters and digits of a text, casefolded: "Model training." is "modeltraining"."""
    return NOT_LETTERS_OR_DIGITS.sub("", text.casefold())


def _marked(matcher: re.Pattern[str], sentence: str) -> tuple[tuple[str, bool], ...]:
    """Cut a sentence into pieces, its matches marked; elide a long one around its first match."""
    first = matcher.search(sentence)
    if first is not None:
        before = sentence[: first.start()].split()
        if len(before) > EXCERPT_AROUND:
            sentence = "… " + " ".join(before[-EXCERPT_AROUND:]) + " " + sentence[first.start() :]
        after = sentence.split()
        if len(after) > 3 * EXCERPT_AROUND:
            sentence = " ".join(after[: 3 * EXCERPT_AROUND]) + " …"
    pieces: list[tuple[str, bool]] = []
    done = 0
    for found in matcher.finditer(sentence):
        if found.end() > found.start():
            pieces += [(sentence[done : found.start()], False), (found.group(), True)]
            done = found.end()
    pieces.append((sentence[done:], False))
    return tuple(piece for piece in pieces if piece[0])


def _gates(taxonomy: Taxonomy) -> tuple[tuple[tuple[str, str], ...], frozenset[str]]:
    """Return (required string, topic) pairs, and the topics whose patterns require none."""
    gates: list[tuple[str, str]] = []
    always: set[str] = set()
    for topic in taxonomy.topics:
        needed = [required(pattern) for pattern in topic.patterns]
        if any(strings is None for strings in needed):
            always.add(topic.slug)
        else:
            gates += [(string, topic.slug) for strings in needed for string in strings or ()]
    return tuple(dict.fromkeys(gates)), frozenset(always)


def required(pattern: str) -> frozenset[str] | None:
    """Return strings (casefolded) one of which is in any text the pattern matches, or None.

    Matching is case-insensitive in ASCII, so a text the pattern matches holds one of them once
    casefolded. The longest choice wins: ``\\b(?:models?|AI)\\b.*\\btrain`` requires "train".
    """
    try:  # the parser is private: any surprise in its output means no requirement
        return _longest(_required_runs(sre_parse.parse(pattern, FLAGS)))
    except Exception:
        return None


def _required_runs(ops: Iterable[tuple[Any, Any]]) -> list[frozenset[str]]:
    """Return the sets of strings a match of this sequence of parsed ops holds one of each."""
    found: list[frozenset[str] | None] = []
    run: list[str] = []
    for op, value in ops:
        if op is sre.LITERAL:
            run.append(chr(value))
            continue
        found.append(frozenset({"".join(run).casefold()}) if run else None)
        run = []
        found.append(_required_op(op, value))
    found.append(frozenset({"".join(run).casefold()}) if run else None)
    return [strings for strings in found if strings]


def _required_op(op: Any, value: Any) -> frozenset[str] | None:
    if op is sre.SUBPATTERN and not value[1] and not value[2]:  # a group that sets no flags
        return _longest(_required_runs(value[3]))
    if op is sre.ATOMIC_GROUP:
        return _longest(_required_runs(value))
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT) and value[0] >= 1:
        return _longest(_required_runs(value[2]))
    if op is sre.BRANCH:
        choices = [_longest(_required_runs(choice)) for choice in value[1]]
        return None if None in choices else frozenset().union(*choices)  # type: ignore[arg-type]
    return None  # anything else (a class, an assertion, an optional part) requires nothing


def _longest(choices: list[frozenset[str]]) -> frozenset[str] | None:
    """Return the choice whose shortest string is longest (the rarest to find), if any."""
    return max(choices, key=lambda c: (min(map(len, c)), -len(c)), default=None)
