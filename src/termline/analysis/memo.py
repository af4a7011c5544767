"""Memos of functions of texts, bounded by the length of the texts they hold, not their count.

A memo of ``lru_cache``'s kind holds a fixed number of results, whatever their size: fine for
lines, not for chunks and clauses, whose results grow with their text. One document of a real
archive (260 versions of a 300 KB text whose lists change a little in every version) filled a
memo of 65,536 chunks' parsed words with a gigabyte. These memos drop their least recently used
results once the texts they are keyed by pass a number of characters.
"""

from collections.abc import Callable
from functools import update_wrapper
from typing import Generic, TypeVar

R = TypeVar("R")


class TextMemo(Generic[R]):
    """A function of texts, each result kept until the texts of newer ones pass ``limit``."""

    def __init__(self, function: Callable[..., R], limit: int) -> None:
        self.function = function
        self.limit = limit
        self.found: dict[tuple[str, ...], R] = {}  # least recently used first
        self.size = 0  # the characters of the texts in found's keys
        update_wrapper(self, function)

    def __call__(self, *key: str) -> R:
        if key in self.found:
            result = self.found[key] = self.found.pop(key)
            return result
        result = self.found[key] = self.function(*key)
        self.size += sum(map(len, key))
        while self.size > self.limit and len(self.found) > 1:
            oldest = next(iter(self.found))
            del self.found[oldest]
            self.size -= sum(map(len, oldest))
        return result

    def cache_clear(self) -> None:
        """Drop every result."""
        self.found.clear()
        self.size = 0


def text_memo(limit: int) -> Callable[[Callable[..., R]], TextMemo[R]]:
    """Memoise a function of texts (positional ``str`` arguments), up to ``limit`` characters."""

    def memoise(function: Callable[..., R]) -> TextMemo[R]:
        return TextMemo(function, limit)

    return memoise
