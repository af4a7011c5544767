"""Changes stage: what each version changed against the one before it.

Takes a document's history and its texts; gives one ``Change`` per version, with its kind and
a word diff.
"""

from collections.abc import Callable
from dataclasses import dataclass

from termline.diff import WordDiff, word_diff
from termline.history import DocumentHistory, Version

KINDS = ("first", "change", "deleted")


@dataclass(frozen=True)
class Change:
    """One version of a document and what it changed against the previous version."""

    version: Version
    previous: str | None
    kind: str
    diff: WordDiff | None = None
    reverts_to: str | None = None
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    modified: tuple[str, ...] = ()
    renamed: tuple[tuple[str, str], ...] = ()
    topics: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        """Return the id of the version this change made."""
        return self.version.id

    @property
    def words_added(self) -> int:
        """Return how many words this change added."""
        return self.diff.words_added if self.diff else 0

    @property
    def words_removed(self) -> int:
        """Return how many words this change removed."""
        return self.diff.words_removed if self.diff else 0


def document_changes(history: DocumentHistory, text: Callable[[str | None], str]) -> list[Change]:
    """Return one change per version of a document, oldest first."""
    changes: list[Change] = []
    previous: Version | None = None
    previous_text = ""
    for version in history.versions:
        current_text = text(version.blob)
        if version.blob is None:
            kind = "deleted"
        elif previous is None or previous.blob is None:
            kind = "first"
        else:
            kind = "change"
        diff = word_diff(previous_text, current_text)
        changes.append(Change(version, previous.id if previous else None, kind, diff))
        previous, previous_text = version, current_text
    return changes
