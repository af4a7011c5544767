"""Shards: split the declared documents into parts that CI scrapes in parallel.

Takes the sources of a ``Config``, the most documents a shard may hold and optional ``--only``
selectors; gives shards, each a tuple of ``--only`` selectors (``platform`` or
``platform/document``). Platforms are taken in slug order and packed whole into a shard until it
is full; a platform larger than a shard, or only partly selected, is named document by
document. Every document is in exactly one shard, and the same sources always give the same
shards. ``matrix`` turns the plan into the GitHub Actions matrix the scrape workflow runs.
"""

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import groupby

from termline.errors import TermlineError
from termline.sources import Source, select_sources

MAX_SHARDS = 256  # GitHub Actions refuses a matrix of more jobs than this


@dataclass(frozen=True)
class Shard:
    """One part of a scrape: its name, its ``--only`` selectors and how many documents they name."""

    name: str
    selectors: tuple[str, ...]
    documents: int


@dataclass(frozen=True)
class _Piece:
    selectors: tuple[str, ...]
    documents: int


def plan_shards(
    sources: Sequence[Source], max_documents: int, only: Sequence[str] = ()
) -> list[Shard]:
    """Split the sources that only selects into shards of at most max_documents, by platform."""
    if max_documents < 1:
        raise TermlineError(f"--max-documents {max_documents}: must be at least 1")
    declared = Counter(s.platform for s in sources)
    groups: list[list[_Piece]] = [[]]
    for piece in _pieces(select_sources(sources, only), max_documents, declared):
        if sum(p.documents for p in groups[-1]) + piece.documents > max_documents:
            groups.append([])
        groups[-1].append(piece)
    shards = [_shard(number, group) for number, group in enumerate(groups, 1) if group]
    if len(shards) > MAX_SHARDS:
        raise TermlineError(
            f"--max-documents {max_documents}: gives {len(shards)} shards, "
            f"more than the {MAX_SHARDS} jobs GitHub runs in one matrix"
        )
    return shards


def _pieces(sources: Iterable[Source], max_documents: int, declared: Counter[str]) -> list[_Piece]:
    ordered = sorted(sources, key=lambda s: (s.platform, s.document))
    pieces = []
    for platform, group in groupby(ordered, key=lambda s: s.platform):
        documents = sorted({s.document for s in group})
        if len(documents) == declared[platform] <= max_documents:
            pieces.append(_Piece((platform,), len(documents)))
            continue
        for start in range(0, len(documents), max_documents):
            chunk = documents[start : start + max_documents]
            pieces.append(_Piece(tuple(f"{platform}/{d}" for d in chunk), len(chunk)))
    return pieces


def _shard(number: int, pieces: list[_Piece]) -> Shard:
    selectors = tuple(s for piece in pieces for s in piece.selectors)
    return Shard(f"{number:03d}", selectors, sum(p.documents for p in pieces))


def matrix(shards: Sequence[Shard]) -> dict[str, list[dict[str, str | int]]]:
    """Return the GitHub Actions matrix that runs one job per shard."""
    return {
        "include": [
            {"name": s.name, "only": " ".join(s.selectors), "documents": s.documents}
            for s in shards
        ]
    }
