"""Sources stage: read ``sources.toml``, the declarations of what to track.

Takes the path of a TOML file; gives a ``Config`` with the site settings and one ``Source`` per
declared document. Keys are slugs; anything malformed (bad TOML, a missing or non-http(s) url, a
bad slug, a value of the wrong type, a bad CSS selector or ``ignore`` regular expression, an
unknown key, the same page declared twice, an ``import`` that is not ``<Service>/<Terms type>``
or is claimed twice) is a ``TermlineError`` naming the file and the key. A declared document type
outside the terms-types vocabulary is allowed and only warned about; without one, the type is the
document's name.
"""

import logging
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from cssselect import GenericTranslator, SelectorError

from termline.errors import TermlineError
from termline.slugs import is_slug

log = logging.getLogger(__name__)

# The usual names of policy documents (Open Terms Archive's terms types, plus AI policies).
TERMS_TYPES = frozenset(
    {
        "Acceptable Use Policy",
        "Brand Guidelines",
        "Business Privacy Policy",
        "Commercial Terms",
        "Community Guidelines",
        "Copyright Claims Policy",
        "Data Controller Agreement",
        "Data Processor Agreement",
        "Deceased Users",
        "Developer Terms",
        "Generative AI Policy",
        "Human Rights Policy",
        "Imprint",
        "In-App Purchases Policy",
        "Law Enforcement Guidelines",
        "Parental Controls",
        "Privacy Policy",
        "Restricted Use Policy",
        "Review Guidelines",
        "Seller Warranty",
        "Service Level Agreement",
        "Terms of Service",
        "Trackers Policy",
        "User Consent Policy",
        "Vulnerability Disclosure Policy",
    }
)
SITE_KEYS = frozenset({"title", "base_url", "repo_url", "author", "data_licence"})
AUTHOR = re.compile(r"^([^<>]+?)\s*<([^<>\s]+@[^<>\s]+)>$")
PLATFORM_KEYS = frozenset({"name", "documents"})
DOCUMENT_KEYS = frozenset(
    {
        "name",
        "type",
        "url",
        "select",
        "remove",
        "import",
        "ignore",
        "min_words",
        "keep_relative_times",
    }
)
TOP_KEYS = frozenset({"site", "platforms"})


@dataclass(frozen=True)
class Source:
    """One declared document: where it lives on the web and how to extract it."""

    platform: str
    platform_name: str
    document: str
    name: str
    type: str
    url: str
    select: str | None = None
    remove: tuple[str, ...] = ()
    # Open Terms Archive documents ("<Service>/<Terms type>") whose versions `termline import`
    # replays into this document, in date order.
    imports: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()  # regular expressions of text left out of the archive
    min_words: int | None = None  # this document's own floor, for legitimately short pages
    keep_relative_times: bool = False  # keep "Updated 3 days ago" (dropped by default)


@dataclass(frozen=True)
class Config:
    """The site settings and every declared source."""

    title: str = "termline"
    base_url: str | None = None
    repo_url: str | None = None
    sources: tuple[Source, ...] = ()
    author: tuple[str, str] | None = None  # name and email of the scraper's commits
    data_licence: str | None = None  # the licence of the archive's data, named on every page

    @property
    def imported(self) -> bool:
        """Tell whether any document's history was imported from Open Terms Archive."""
        return any(source.imports for source in self.sources)

    def find(self, platform: str, document: str) -> Source | None:
        """Return the source declared for a platform and document slug, if any."""
        for source in self.sources:
            if (source.platform, source.document) == (platform, document):
                return source
        return None


class _Table:
    """One TOML table and where it sits, so every error can name the file and the key."""

    def __init__(self, path: Path, key: str, data: object) -> None:
        if not isinstance(data, Mapping):
            raise TermlineError(f"{path}: {key}: expected a table")
        self.path, self.key, self.data = path, key, data

    def fail(self, name: str, problem: str) -> TermlineError:
        return TermlineError(f"{self.path}: {self.key}.{name}: {problem}")

    def check_keys(self, allowed: frozenset[str]) -> None:
        for name in self.data:
            if name not in allowed:
                raise self.fail(name, f"unknown key (expected one of {', '.join(sorted(allowed))})")

    def text(self, name: str, default: str | None = None) -> str | None:
        value = self.data.get(name, default)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise self.fail(name, "expected a non-empty string")
        return value

    def texts(self, name: str) -> tuple[str, ...]:
        value = self.data.get(name, [])
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list) or not all(isinstance(v, str) and v for v in values):
            raise self.fail(name, "expected a string or a list of non-empty strings")
        return tuple(values)

    def selectors(self, name: str) -> tuple[str, ...]:
        values = self.texts(name)
        for value in values:
            try:
                GenericTranslator().css_to_xpath(value)
            except SelectorError as error:
                raise self.fail(name, f"'{value}' is not a CSS selector: {error}") from error
        return values

    def upstream_documents(self, name: str) -> tuple[str, ...]:
        values = self.texts(name)
        for value in values:
            service, _, terms_type = value.partition("/")
            names = (service.strip(), terms_type.strip())
            if not all(names) or "/" in terms_type or any(n.startswith(".") for n in names):
                raise self.fail(name, f"'{value}' is not '<Service>/<Terms type>'")
        return values

    def patterns(self, name: str) -> tuple[str, ...]:
        values = self.texts(name)
        for value in values:
            try:
                re.compile(value)
            except re.error as error:
                raise self.fail(name, f"{value!r} is not a regular expression: {error}") from error
        return values

    def positive(self, name: str) -> int | None:
        value = self.data.get(name)
        if value is not None and (type(value) is not int or value < 1):
            raise self.fail(name, f"expected a whole number of at least 1, not {value!r}")
        return value

    def flag(self, name: str) -> bool:
        value = self.data.get(name, False)
        if not isinstance(value, bool):
            raise self.fail(name, f"expected true or false, not {value!r}")
        return value

    def author(self, name: str) -> tuple[str, str] | None:
        value = self.text(name)
        if value is None:
            return None
        match = AUTHOR.match(value)
        if not match:
            raise self.fail(name, f"'{value}' is not 'Name <email>'")
        return match.group(1), match.group(2)

    def url(self, name: str, required: bool) -> str | None:
        value = self.text(name)
        if value is None:
            if required:
                raise self.fail(name, "missing (every document needs the URL to fetch)")
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise self.fail(name, f"'{value}' is not an http(s) URL")
        return value

    def tables(self, name: str) -> dict[str, "_Table"]:
        value = self.data.get(name, {})
        if not isinstance(value, Mapping):
            raise self.fail(name, "expected a table")
        tables = {}
        for slug, entry in value.items():
            key = f"{self.key}.{name}.{slug}" if self.key else f"{name}.{slug}"
            if not is_slug(slug):
                raise TermlineError(
                    f"{self.path}: {key}: '{slug}' is not a slug (lowercase ASCII letters, "
                    "digits and '-')"
                )
            tables[slug] = _Table(self.path, key, entry)
        return tables


def load_config(path: Path) -> Config:
    """Read sources.toml; a missing file is an empty configuration."""
    if not path.exists():
        return Config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise TermlineError(f"{path}: not valid TOML: {error}") from error
    top = _Table(path, "", data)
    for name in data:
        if name not in TOP_KEYS:
            raise TermlineError(f"{path}: {name}: unknown key (expected site or platforms)")
    site = _Table(path, "site", data.get("site", {}))
    site.check_keys(SITE_KEYS)
    sources = [
        _source(platform_slug, platform, document_slug, document)
        for platform_slug, platform in top.tables("platforms").items()
        for document_slug, document in _documents(platform).items()
    ]
    _check_duplicates(path, sources)
    return Config(
        title=site.text("title", "termline") or "termline",
        base_url=site.url("base_url", required=False),
        repo_url=site.url("repo_url", required=False),
        sources=tuple(sources),
        author=site.author("author"),
        data_licence=site.text("data_licence"),
    )


def _documents(platform: _Table) -> dict[str, _Table]:
    platform.check_keys(PLATFORM_KEYS)
    platform.text("name")
    return platform.tables("documents")


def _source(platform_slug: str, platform: _Table, document_slug: str, document: _Table) -> Source:
    document.check_keys(DOCUMENT_KEYS)
    name = document.text("name", document_slug) or document_slug
    kind = document.text("type", name) or name
    if "type" in document.data and kind not in TERMS_TYPES:
        log.warning(
            "%s: %s.type: '%s' is not a known terms type", platform.path, document.key, kind
        )
    select = document.selectors("select")
    return Source(
        platform=platform_slug,
        platform_name=platform.text("name", platform_slug) or platform_slug,
        document=document_slug,
        name=name,
        type=kind,
        url=document.url("url", required=True) or "",
        select=", ".join(select) if select else None,
        remove=document.selectors("remove"),
        imports=document.upstream_documents("import"),
        ignore=document.patterns("ignore"),
        min_words=document.positive("min_words"),
        keep_relative_times=document.flag("keep_relative_times"),
    )


def _check_duplicates(path: Path, sources: list[Source]) -> None:
    seen: dict[tuple[str, str | None, tuple[str, ...]], Source] = {}
    for source in sources:
        key = (source.url, source.select, source.remove)
        if key in seen:
            first = seen[key]
            raise TermlineError(
                f"{path}: platforms.{source.platform}.documents.{source.document}: declares the "
                f"same url and selectors as platforms.{first.platform}.documents.{first.document}"
            )
        seen[key] = source
    claimed: dict[str, Source] = {}
    for source in sources:
        for upstream in source.imports:
            if upstream in claimed:
                first = claimed[upstream]
                raise TermlineError(
                    f"{path}: platforms.{source.platform}.documents.{source.document}.import: "
                    f"'{upstream}' is already imported by "
                    f"platforms.{first.platform}.documents.{first.document}"
                )
            claimed[upstream] = source


def select_sources(sources: Sequence[Source], only: Sequence[str]) -> list[Source]:
    """Return the sources that ``--only`` selectors name (``platform`` or ``platform/document``)."""
    if not only:
        return list(sources)
    for selector in only:
        if not any(_matches(source, selector) for source in sources):
            raise TermlineError(f"--only {selector}: no declared document matches it")
    return [s for s in sources if any(_matches(s, selector) for selector in only)]


def _matches(source: Source, selector: str) -> bool:
    platform, _, document = selector.partition("/")
    return source.platform == platform and document in ("", source.document)
