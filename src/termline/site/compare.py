"""Compare stage: the texts behind the page that compares any two versions of a document.

Takes a document, a blob reader and the build cache; gives
``platforms/<p>/<d>/texts.json.gz``: every distinct text of the document, its lines stored once.
Versions of a policy repeat most of each other's lines, so the file holds a table of the
distinct lines, in the order they first appear, and each text as runs
``[start, count, start, count, …]`` into it: the 44 versions of a 40 KB document
weigh about what two of its texts would. It is gzipped reproducibly (fixed mtime). The compare
page's small script fetches it once, unzips it with the browser's ``DecompressionStream``,
rebuilds the two texts and diffs them, so any pair of 2,000 versions works without 2,000² pages.
"""

import gzip
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from termline.analysis.catalogue import Document, Platform, Tracked
from termline.cache import Cache, Shelf
from termline.site.library import path_key
from termline.site.output import Output
from termline.site.render import document_url

TEXTS = "texts.json.gz"
TEXTS_KIND = "texts"  # the cache kind of each document's texts file, by path


@dataclass(frozen=True)
class Texts:
    """A document's texts file as the build cache keeps it: the blobs it holds, and its bytes."""

    blobs: tuple[str, ...]
    data: bytes


def write_document_texts(
    platform: Platform[Tracked],
    document: Document,
    text: Callable[[str], str],
    out: Output,
    store: Cache,
) -> None:
    """Write a document's texts file (in its folder's group), reading only the texts it lacks.

    The cache keeps the file each build made: when the document only gained versions, the new
    file is the old one with the new texts added (a line keeps its place in the table).
    """
    blobs = tuple(dict.fromkeys(c.version.blob for c in document.changes if c.version.blob))
    folder = document_url(platform, document)
    out.page(
        f"{folder}{TEXTS}", document.key, lambda: _texts(document.path, blobs, text, store), folder
    )


def _texts(path: str, blobs: tuple[str, ...], text: Callable[[str], str], store: Cache) -> bytes:
    shelf, key = Shelf(store, TEXTS_KIND, Texts), path_key(path)
    data = texts_file(blobs, text, shelf.load(key))
    shelf.save(key, Texts(blobs, data))
    return data


def texts_file(
    blobs: Sequence[str], text: Callable[[str], str], earlier: Texts | None = None
) -> bytes:
    """Return the gzipped JSON of some texts, each line stored once.

    ``earlier``, a file made for the first of these texts, is extended (else ignored).
    """
    table: dict[str, int] = {}
    texts: dict[str, list[int]] = {}
    if earlier is not None and tuple(blobs[: len(earlier.blobs)]) == earlier.blobs:
        content = json.loads(gzip.decompress(earlier.data))
        table = {line: index for index, line in enumerate(content["lines"])}
        texts = content["texts"]
    for blob in blobs[len(texts) :]:
        indexes = [table.setdefault(line, len(table)) for line in text(blob).split("\n")]
        texts[blob] = runs(indexes)
    content = {"lines": list(table), "texts": texts}
    data = json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return gzip.compress(data, compresslevel=9, mtime=0)


def runs(indexes: list[int]) -> list[int]:
    """Return indexes as runs of consecutive numbers: ``[start, count, start, count, …]``."""
    found: list[int] = []
    for index in indexes:
        if found and found[-2] + found[-1] == index:
            found[-1] += 1
        else:
            found += [index, 1]
    return found
