"""What a recorded text needs to be a policy rather than what a server said instead: words.

Shared by the scraper, which refuses a page of fewer than ``MIN_WORDS`` words, and the analysis,
which tells such a page in an imported archive's history (an error page recorded between two
versions of the policy) from a change to the policy.
"""

import re

# The shortest policy worth recording, in words (link targets and Markdown markers not counted).
# A real terms page runs to thousands of words; a cookie wall or an error page to a few dozen.
MIN_WORDS = 100
# A line that is all an error page says, as a heading or a sentence (Meta's "This page isn't
# available" in place of one of the pages Llama API's privacy policy is assembled from).
ERROR_LINE = re.compile(
    r"^[#*_ ]*(?:this page isn[\u2019']t available|an unexpected error has occurred"
    r"|something went wrong|page not found|service unavailable)\b[^\n]{0,80}$",
    re.IGNORECASE | re.MULTILINE,
)
MARKUP = re.compile(r"\]\([^)]*\)|<https?://[^>]*>|[#*_>|`\[\]-]")


def count_words(markdown: str) -> int:
    """Return the number of words of a Markdown text, not counting link targets or markers."""
    return len(MARKUP.sub(" ", markdown).split())


def unreadable(
    text: str, before: str, *, elsewhere: bool = False, again: bool = False
) -> tuple[int, int] | None:
    """Return the words of a text and of the one before it when the text is no policy.

    That is a text of fewer than ``MIN_WORDS`` words where the text before it had at least twice
    as many, and ``MIN_WORDS`` or more: an error page ("This page isn't available at the
    moment"), a gate or a truncated page, which the scraper refuses and an imported archive may
    hold. A policy that was always short is not one. A text recorded ``elsewhere`` (not by
    termline's scraper) is none either when it holds less than half the words before it, which
    the scraper refuses unless forced, or when it is shorter and holds a line that only an error
    page says and the text before did not: a page assembled from several, one an error page.
    A text recorded ``again`` after one that was no policy is judged by that line alone: a short
    text recorded twice in a row is the policy, however short.
    """
    if len(text) >= len(before):
        return None  # an error page, whole or in part, leaves a shorter text
    partly = elsewhere and _error_line(text, before)
    if again and not partly:
        return None
    if len(text) * 4 >= len(before) * 3 and not partly:  # most: not shrunk by a quarter
        return None
    words = count_words(text)
    if words >= MIN_WORDS and not elsewhere:
        return None
    was = count_words(before)
    if partly:
        return words, was
    return (words, was) if words * 2 < was and was >= MIN_WORDS else None


def _error_line(text: str, before: str) -> bool:
    """Tell whether a text holds a line only an error page says that the text before lacks."""
    return any(found.group(0) not in before for found in ERROR_LINE.finditer(text))
