"""Timelines stage: where each version's mark goes on a page's inline SVG picture.

Takes changes (of one document, of a platform's documents, or of the whole site); gives frozen
geometry records that ``_timeline.html`` and ``_months.html`` draw as inline SVG, without
script: a mark per version at its date (horizontal positions in percent, so the picture fits any
width while marks stay round), coloured by kind, substantive ones larger, each linked to its
version page; and, for the home page, a bar per month of changes across platforms.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from termline.analysis.changes import QUIET_KINDS, BriefChange
from termline.analysis.history import day

LANE = 34  # height of one lane, in pixels: a label line and a line of marks
AXIS = 20  # height of the year axis under the lanes
LABELLED, BARE = 28, 10  # where the first lane's line goes, with labels over lanes and without
LEFT, SPAN = 1.5, 97.0  # where the marks may go, in percent of the width (room for a mark's radius)
BIG, SMALL = 6.5, 4  # radius of a substantive (or first, or deletion) mark, and of a quiet one
BARS = 60  # height of the tallest bar of the months chart, in pixels
QUIET = QUIET_KINDS  # kinds drawn small and counted apart: noise, not news
# Kinds the months chart leaves out: a document first recorded or dropped is no change to a
# policy, and the month an archive starts would dwarf every other (genai-eu: 69 of 102).
UNCHANGED = ("first", "deleted")


@dataclass(frozen=True)
class Mark:
    """One version on a lane: where, how big, its kind, its link and its title."""

    x: float  # percent of the width
    r: float
    kind: str
    href: str
    title: str


@dataclass(frozen=True)
class Lane:
    """One document's versions on one line of the picture."""

    label: str
    href: str
    y: int  # the line's height from the top, in pixels
    marks: tuple[Mark, ...]


@dataclass(frozen=True)
class Tick:
    """A year on the axis."""

    x: float
    label: str


@dataclass(frozen=True)
class Timeline:
    """A picture of versions: one lane per document, the years under them, counts by kind."""

    lanes: tuple[Lane, ...]
    ticks: tuple[Tick, ...]
    height: int
    start: datetime
    end: datetime
    counts: tuple[tuple[str, int], ...]  # kinds in reading order, with how many versions

    @property
    def versions(self) -> int:
        """Return how many versions the picture shows."""
        return sum(count for _kind, count in self.counts)


# A lane: its label, its link, its changes and each change's link.
Track = tuple[str, str, Sequence[BriefChange], Callable[[BriefChange], str]]
KINDS = ("first", "substantive", "cosmetic", "technical", "dates", "revert", "deleted")


def timeline(tracks: Sequence[Track], labels: Callable[[str], str]) -> Timeline | None:
    """Return the picture of some documents' versions, one lane each; None without versions.

    ``labels`` names a kind in a mark's title.
    """
    dates = [c.version.date for _l, _h, changes, _u in tracks for c in changes]
    if not dates:
        return None
    start, end = min(dates), max(dates)
    place = _scale(start, end)
    top = LABELLED if any(label for label, *_rest in tracks) else BARE
    lanes = tuple(
        Lane(label, href, top + index * LANE, _marks(changes, place, url, labels))
        for index, (label, href, changes, url) in enumerate(tracks)
    )
    found = [c.kind for _l, _h, changes, _u in tracks for c in changes]
    counts = tuple((kind, found.count(kind)) for kind in KINDS if kind in found)
    height = top + (len(tracks) - 1) * LANE + BARE + AXIS
    return Timeline(lanes, _ticks(start, end, place), height, start, end, counts)


def _scale(start: datetime, end: datetime) -> Callable[[datetime], float]:
    """Return where a date goes, in percent of the width; a single date goes in the middle."""
    span = (end - start).total_seconds()
    if span <= 0:
        return lambda _moment: LEFT + SPAN / 2
    return lambda moment: round(LEFT + SPAN * (moment - start).total_seconds() / span, 2)


def _marks(
    changes: Sequence[BriefChange],
    place: Callable[[datetime], float],
    url: Callable[[BriefChange], str],
    labels: Callable[[str], str],
) -> tuple[Mark, ...]:
    """Return a lane's marks, small ones first so that the big ones are drawn over them."""
    marks = (
        Mark(
            place(c.version.date),
            SMALL if c.kind in QUIET else BIG,
            c.kind,
            url(c),
            f"{day(c.version.date)}: {labels(c.kind)}",
        )
        for c in changes
    )
    return tuple(sorted(marks, key=lambda mark: mark.r))


def _ticks(start: datetime, end: datetime, place: Callable[[datetime], float]) -> tuple[Tick, ...]:
    """Return a tick at each new year between two dates; at most about eight, evenly skipped."""
    years = list(range(start.year + 1, end.year + 1))
    step = max(1, -(-len(years) // 8))
    return tuple(
        Tick(place(start.replace(year=y, month=1, day=1, hour=0, minute=0, second=0)), str(y))
        for y in years[::step]
    )


@dataclass(frozen=True)
class Bar:
    """One month of the site's changes: its news and its quiet changes, stacked."""

    x: float  # percent of the width
    width: float
    month: str  # YYYY-MM
    label: str  # e.g. "June 2026"
    news: int
    quiet: int
    news_height: float
    quiet_height: float


@dataclass(frozen=True)
class Months:
    """The site's changes per month, as bars, with the year ticks under them."""

    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]
    most: int
    base: int = BARS  # where the bars stand, in pixels from the top
    height: int = BARS + AXIS + 4


def month_counts(changes: Sequence[BriefChange]) -> tuple[tuple[str, int, int], ...]:
    """Return each month from the first change to the last with its news and quiet changes
    (documents first recorded or dropped not counted)."""
    counts: dict[tuple[int, int], list[int]] = {}  # each (year, month)'s [news, quiet]
    for change in changes:  # 40,000 of them: no strftime per change
        if change.kind in UNCHANGED:
            continue
        date = change.version.date
        counts.setdefault((date.year, date.month), [0, 0])[change.kind in QUIET] += 1
    if not counts:
        return ()
    (year, month), last = min(counts), max(counts)
    months: list[tuple[str, int, int]] = []
    while (year, month) <= last:
        news, quiet = counts.get((year, month), (0, 0))
        months.append((f"{year:04d}-{month:02d}", news, quiet))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return tuple(months)


def months_chart(counts: Sequence[tuple[str, int, int]]) -> Months | None:
    """Return the bars of a months chart from ``month_counts``; None without changes."""
    if not counts:
        return None
    most = max(news + quiet for _key, news, quiet in counts) or 1
    width = SPAN / len(counts)
    bars = tuple(
        Bar(
            x=round(LEFT + index * width, 3),
            width=round(width * 0.8, 3),
            month=key,
            label=f"{datetime.strptime(key, '%Y-%m'):%B %Y}",
            news=news,
            quiet=quiet,
            news_height=round(BARS * news / most, 1),
            quiet_height=round(BARS * quiet / most, 1),
        )
        for index, (key, news, quiet) in enumerate(counts)
    )
    ticks = tuple(Tick(bar.x, bar.month[:4]) for bar in bars if bar.month.endswith("-01"))
    step = max(1, -(-len(ticks) // 8))
    return Months(bars, ticks[::step], most)
