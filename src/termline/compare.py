"""Compare stage: the texts behind the page that compares any two versions of a document.

Takes the platforms and a blob reader; gives ``platforms/<p>/<d>/texts/<blob>.txt.gz``, one file
per distinct text of each document (a revert reuses its file), gzipped reproducibly (policies
shrink about fivefold). The compare page's small script fetches two of them, unzips them with the
browser's DecompressionStream and diffs them, so any pair of 2,000 versions works without 2,000²
pages. Files are named by blob, so one already written is never read from git again.
"""

import gzip
from collections.abc import Callable

from termline.catalogue import Document, Platform
from termline.output import Output
from termline.render import document_url


def write_texts(platforms: tuple[Platform, ...], text: Callable[[str], str], out: Output) -> int:
    """Write each distinct text of every document; return how many were read."""
    return sum(
        write_document_texts(platform, document, text, out)
        for platform in platforms
        for document in platform.documents
    )


def write_document_texts(
    platform: Platform, document: Document, text: Callable[[str], str], out: Output
) -> int:
    """Write each distinct text of a document not already in the site; return how many were read."""
    group = document_url(platform, document)
    read = 0
    for blob in sorted({c.version.blob for c in document.changes if c.version.blob}):
        path = f"{group}texts/{blob}.txt.gz"
        if out.keep(path, group):
            continue
        out.write(path, gzip.compress(text(blob).encode("utf-8"), compresslevel=6, mtime=0), group)
        read += 1
    return read
