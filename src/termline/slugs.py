"""Short, safe URL slugs from any display name, unique within their parent."""

import hashlib
import re
import unicodedata
from collections.abc import Iterable

MAX_LENGTH = 60
HASH_LENGTH = 6
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def short_hash(text: str) -> str:
    """Return a short, stable hex digest of text."""
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:HASH_LENGTH]


def slugify(name: str, max_length: int = MAX_LENGTH) -> str:
    """Return a lowercase ASCII slug of name, capped with a hash suffix when cut or empty."""
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if not slug:
        return f"x-{short_hash(name)}"
    if len(slug) > max_length:
        cut = slug[: max_length - HASH_LENGTH - 1].rstrip("-")
        return f"{cut}-{short_hash(name)}"
    return slug


def is_slug(text: str) -> bool:
    """Tell whether text is already a valid slug."""
    return bool(SLUG_PATTERN.match(text)) and len(text) <= MAX_LENGTH


def unique_slugs(names: Iterable[str], taken: Iterable[str] = ()) -> dict[str, str]:
    """Map each name to a unique slug; the first in sorted order keeps the plain one."""
    used = set(taken)
    result: dict[str, str] = {}
    for name in sorted(set(names)):
        slug = slugify(name)
        if slug in used:
            slug = f"{slug[: MAX_LENGTH - HASH_LENGTH - 1].rstrip('-')}-{short_hash(name)}"
        while slug in used:  # a hash collision on top of a slug collision: vanishingly rare
            slug = f"{slug}-{short_hash(slug)}"
        used.add(slug)
        result[name] = slug
    return result
