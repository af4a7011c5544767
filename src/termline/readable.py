"""What a recorded text needs to be a policy rather than what a server said instead: words.

Shared by the scraper, which refuses a page of fewer than ``MIN_WORDS`` words, and the analysis,
which tells such a page in an imported archive's history (an error page recorded between two
versions of the policy) from a change to the policy.
"""

import re

# The shortest policy worth recording, in words (link targets and Markdown markers not counted).
# A real terms page runs to thousands of words; a cookie wall or an error page to a few dozen.
MIN_WORDS = 100
MARKUP = re.compile(r"\]\([^)]*\)|<https?://[^>]*>|[#*_>|`\[\]-]")


def count_words(markdown: str) -> int:
    """Return the number of words of a Markdown text, not counting link targets or markers."""
    return len(MARKUP.sub(" ", markdown).split())


def unreadable(text: str, before: str, *, halved: bool = False) -> tuple[int, int] | None:
    """Return the words of a text and of the one before it when the text is no policy.

    That is a text of fewer than ``MIN_WORDS`` words where the text before it had at least twice
    as many, and ``MIN_WORDS`` or more: an error page ("This page isn't available at the
    moment"), a gate or a truncated page, which the scraper refuses and an imported archive may
    hold. A policy that was always short is not one. With ``halved``, so is any text of less
    than half the words before it, which the scraper refuses unless forced: a page assembled
    from several, one of them an error page.
    """
    if len(text) * 4 >= len(before) * 3:  # most texts: not shrunk by a quarter in characters
        return None
    words = count_words(text)
    if words >= MIN_WORDS and not halved:
        return None
    was = count_words(before)
    return (words, was) if words * 2 < was and was >= MIN_WORDS else None
