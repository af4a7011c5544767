"""Cache stage: keep what a build derived, keyed by content, so the next build redoes only changes.

Takes a folder (``--cache``, default ``.termline-cache``) and a salt naming everything the cached
values depend on beyond their key (termline's code, the templates, the topics); gives ``load`` and
``save`` of pickled values by kind and key, and a typed ``Shelf`` per kind. Each value is stored
as a zlib-compressed pickle (level 1: a seventh of the pickle's size on real archives, whose
analyses repeat their texts, at some 180 MB/s), so that the cache stays small; but a kind that
every build loads whole, the documents' summaries, is kept as a plain pickle (on
contrib-versions: 35 MB instead of 12 MB, loaded about 0.15 s sooner by each rebuild). Entries
made under another salt are deleted when the cache is opened, so a new termline, template or
taxonomy never reuses a stale value; entries of a kind that no current document reaches are
deleted at the end of a build (``Shelf.keep_only``), so the cache stays the size of the archive,
not of its past. A cache that cannot be read is treated as empty: it only ever saves time, never
changes the output.
"""

import hashlib
import os
import pickle
import shutil
import zlib
from collections.abc import Collection
from pathlib import Path
from typing import Any, Generic, TypeVar

T = TypeVar("T")

PACKAGE = Path(__file__).parent
LEVEL = 1  # zlib's fastest level: 7x smaller than the pickle; higher levels save little more
PICKLED = pickle.PROTO  # the first byte of a pickle (protocol 2 and later)


class Cache:
    """Pickled values by (kind, key) under ``folder/<salt>/``; a no-op when folder is None."""

    def __init__(self, folder: Path | None, salt: str) -> None:
        self.folder = folder / salt[:24] if folder else None
        if folder is not None and folder.is_dir():
            for stale in folder.iterdir():
                if stale.is_dir() and stale.name != salt[:24]:
                    shutil.rmtree(stale, ignore_errors=True)

    def load(self, kind: str, key: str) -> Any:
        """Return the value saved under key, or None."""
        if self.folder is None:
            return None
        try:
            return decode((self.folder / kind / f"{key}.pickle").read_bytes())
        except Exception:  # a garbled pickle raises almost anything (UnicodeDecodeError, ...)
            return None

    def has(self, kind: str, key: str) -> bool:
        """Tell whether a value is saved under key."""
        return self.folder is not None and (self.folder / kind / f"{key}.pickle").is_file()

    def delete(self, kind: str, key: str) -> None:
        """Forget the value saved under key, if any."""
        if self.folder is not None:
            (self.folder / kind / f"{key}.pickle").unlink(missing_ok=True)

    def save(self, kind: str, key: str, value: object, compressed: bool = True) -> None:
        """Save a value under key, atomically; compressed unless asked otherwise."""
        if self.folder is None:
            return
        path = self.folder / kind / f"{key}.pickle"
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_bytes(encode(value, compressed))
        temporary.replace(path)


class Shelf(Generic[T]):
    """One kind of cached value, typed: what is loaded is of that type, or None.

    A kind that every build loads whole (the documents' summaries) is best kept uncompressed:
    decompressing was a third of the time of loading it, for a third of the bytes on disk.
    """

    def __init__(self, cache: Cache, kind: str, type_: type[T], compressed: bool = True) -> None:
        self.cache, self.kind, self.type, self.compressed = cache, kind, type_, compressed

    def load(self, key: str) -> T | None:
        """Return the value saved under key if it is of this shelf's type, else None."""
        found = self.cache.load(self.kind, key)
        return found if isinstance(found, self.type) else None

    def save(self, key: str, value: T) -> None:
        """Save a value under key."""
        self.cache.save(self.kind, key, value, self.compressed)

    def delete(self, key: str) -> None:
        """Forget the value saved under key, if any."""
        self.cache.delete(self.kind, key)

    def keep_only(self, keys: Collection[str]) -> int:
        """Delete every value saved under another key, and stray temporary files; say how many."""
        folder = self.cache.folder / self.kind if self.cache.folder else None
        if folder is None or not folder.is_dir():
            return 0
        stale = [p for p in folder.iterdir() if p.suffix != ".pickle" or p.stem not in keys]
        for path in stale:
            path.unlink(missing_ok=True)
        return len(stale)


def encode(value: object, compressed: bool = True) -> bytes:
    """Return the bytes a value is stored as: its pickle, compressed unless asked otherwise."""
    pickled = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return zlib.compress(pickled, LEVEL) if compressed else pickled


def decode(data: bytes) -> Any:
    """Return the value stored as these bytes; raise on bytes that are not such a value."""
    raw = data[:1] == PICKLED  # a pickle's first byte is its protocol's opcode; zlib's is 0x78
    return pickle.loads(data if raw else zlib.decompress(data))


def digest(*parts: object) -> str:
    """Return a hex digest of the parts' representations."""
    return hashlib.sha256(repr(parts).encode("utf-8", "surrogatepass")).hexdigest()


def folder_digest(*folders: Path | None) -> str:
    """Return a digest of every file's path and bytes under the folders (or of a single file)."""
    hasher = hashlib.sha256()
    for folder in folders:
        if folder is None or not folder.exists():
            hasher.update(b"-")
            continue
        files = [folder] if folder.is_file() else sorted(_files(folder))
        for path in files:
            hasher.update(path.relative_to(folder).as_posix().encode() + b"\0")
            hasher.update(hashlib.sha256(path.read_bytes()).digest())
    return hasher.hexdigest()


def salt(templates: Path, topics: Path) -> str:
    """Return the salt of a build: termline's code, its templates and the topics file."""
    return folder_digest(PACKAGE, templates, topics)


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
