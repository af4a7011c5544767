"""Sources stage: read ``sources.toml``, the declarations of what to track.

Takes the path of a TOML file; gives a ``Config`` with the site settings and one ``Source`` per
declared document. Keys are slugs; anything malformed is a ``TermlineError`` naming the file and
the key.
"""

import tomllib
from dataclasses import dataclass
from pathlib import Path

from termline.errors import TermlineError
from termline.slugs import is_slug


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


@dataclass(frozen=True)
class Config:
    """The site settings and every declared source."""

    title: str = "termline"
    base_url: str | None = None
    repo_url: str | None = None
    sources: tuple[Source, ...] = ()

    def find(self, platform: str, document: str) -> Source | None:
        """Return the source declared for a platform and document slug, if any."""
        for source in self.sources:
            if (source.platform, source.document) == (platform, document):
                return source
        return None


def load_config(path: Path) -> Config:
    """Read sources.toml; a missing file is an empty configuration."""
    if not path.exists():
        return Config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise TermlineError(f"{path}: not valid TOML: {error}") from error
    site = data.get("site", {})
    return Config(
        title=str(site.get("title", "termline")),
        base_url=site.get("base_url"),
        repo_url=site.get("repo_url"),
        sources=tuple(_sources(path, data.get("platforms", {}))),
    )


def _sources(path: Path, platforms: dict[str, dict[str, object]]) -> list[Source]:
    sources = []
    for platform, entry in platforms.items():
        _check_slug(path, f"platforms.{platform}", platform)
        documents = entry.get("documents", {})
        assert isinstance(documents, dict)
        for document, spec in documents.items():
            key = f"platforms.{platform}.documents.{document}"
            _check_slug(path, key, document)
            if "url" not in spec:
                raise TermlineError(f"{path}: {key}: missing 'url'")
            sources.append(
                Source(
                    platform=platform,
                    platform_name=str(entry.get("name", platform)),
                    document=document,
                    name=str(spec.get("name", document)),
                    type=str(spec.get("type", spec.get("name", document))),
                    url=str(spec["url"]),
                    select=spec.get("select"),
                    remove=tuple(spec.get("remove", ())),
                )
            )
    return sources


def _check_slug(path: Path, key: str, slug: str) -> None:
    if not is_slug(slug):
        raise TermlineError(
            f"{path}: {key}: '{slug}' is not a slug (lowercase ASCII letters, digits and '-')"
        )
