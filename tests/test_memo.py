"""Memos bounded by the characters of the texts they hold: the least recently used go first."""

from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from termline.analysis import diff, meaning
from termline.analysis.memo import text_memo


def test_a_memo_computes_a_text_once_and_drops_the_least_recently_used_past_its_limit():
    calls: list[str] = []

    @text_memo(10)
    def shout(text: str) -> str:
        calls.append(text)
        return text.upper()

    assert shout("abcd") == "ABCD"
    assert shout("efgh") == "EFGH"
    assert shout("abcd") == "ABCD"  # remembered, and now the most recently used
    assert calls == ["abcd", "efgh"]
    assert shout("ijkl") == "IJKL"  # 12 characters: efgh, the least recently used, goes
    assert list(shout.found) == [("abcd",), ("ijkl",)]
    assert shout.size == 8
    assert shout("efgh") == "EFGH"
    assert calls == ["abcd", "efgh", "ijkl", "efgh"]
    assert shout("x" * 50) == "X" * 50  # longer than the limit: kept alone, until the next
    assert list(shout.found) == [("x" * 50,)]
    shout.cache_clear()
    assert (shout.found, shout.size) == ({}, 0)


@given(st.lists(st.tuples(st.sampled_from("abcdef"), st.integers(0, 6)), max_size=60))
def test_a_memo_holds_the_most_recent_texts_that_fit_its_limit(calls):
    @text_memo(12)
    def pair(first: str, second: str) -> tuple[str, str]:
        return second, first

    used: list[tuple[str, str]] = []  # most recent last, each once
    for letter, length in calls:
        texts = (letter * length, letter)
        assert pair(*texts) == (texts[1], texts[0])
        used = [*(t for t in used if t != texts), texts]
    kept: list[tuple[str, str]] = []
    for texts in reversed(used):  # the newest that fit, and always the newest one
        if not kept or sum(map(len, texts)) + sum(len(t) for k in kept for t in k) <= 12:
            kept.insert(0, texts)
        else:
            break
    assert list(pair.found) == kept
    assert pair.size == sum(len(t) for k in kept for t in k)


def test_the_walks_memos_of_chunks_and_clauses_are_bounded_by_characters():
    big = "\n\n".join(f"Paragraph {n} " + "word " * 2_000 for n in range(400))  # 4 MB
    diff.forget()
    assert diff.units(big)  # every chunk parsed, more characters than the memo keeps
    assert 0 < diff._chunk_units.size <= diff.CHUNK_MEMO
    clauses = [f"Clause {n}: " + "term " * 100_000 for n in range(10)]  # 500 KB each
    meaning.forget()
    for old, new in pairwise(clauses):
        assert meaning.meaning_diff(old, new).added == 1
    assert 0 < meaning.meaning_diff.size <= meaning.CLAUSE_MEMO
    assert len(meaning.meaning_diff.found) < 9
