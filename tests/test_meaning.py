"""Meaning: technical and date-only kinds, significance, summaries, topics of changed words.

Every history here is a real git repository made in a temporary folder.
"""

import itertools
import re
from pathlib import Path

import pytest

from termline.analysis.changes import Analysis, Change, analyse
from termline.analysis.history import BlobReader, read_history
from termline.analysis.meaning import dateless, meaning_diff, only_dates_differ
from termline.analysis.topics import Tagger, load_topics
from termline.archive import EXTRACTED_BY, IMPORTED_FROM, RECORDING_CHANGE, open_repo

ROOT = Path(__file__).resolve().parents[1]
PATH = "archive/acme/terms.md"
COUNT = itertools.count()

BASE = (
    "# Acme Terms\n\nLast updated: 8 July 2026\n\n"
    "## How we use data\n\nWe use your data to run the service. "
    "We keep it for 90 days after you leave.\n\n"
    "## Your rights\n\nYou may ask us for a copy of your data.\n\n"
    "## Disputes\n\nCourts of your home town decide. "
    "We do not train our models on your data.\n"
)


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return Tagger(load_topics(ROOT / "topics.toml"))


def history_of(make_repo, commits: list[tuple[str, str]], tagger: Tagger) -> Analysis:
    """Commit each (text, message) a day apart, then analyse the document."""
    repo = make_repo(f"repo-{next(COUNT)}")
    for day, (text, message) in enumerate(commits, start=1):
        repo.commit({PATH: text}, message, f"2024-01-{day:02d}T00:00:00Z")
    git_repo = open_repo(repo.path)
    (history,) = read_history(git_repo, "archive")
    return analyse(history, BlobReader(git_repo).text, tagger)


def second(make_repo, new: str, tagger: Tagger) -> Change:
    return history_of(make_repo, [(BASE, "Start"), (new, "Update")], tagger).changes[1]


@pytest.mark.parametrize(
    "new",
    [
        BASE.replace("8 July 2026", "July 8, 2026"),  # the same date written another way
        BASE.replace("8 July 2026", "8th of July 2026"),
        BASE.replace("8 July 2026", "2026-07-08"),
        BASE.replace("8 July 2026", "12 August 2026"),  # the stated date moving
        BASE.replace("8 July 2026", "22 days ago"),
        BASE.replace("8 July 2026", "[9 July 2026](https://acme.example/v2)"),
    ],
)
def test_a_change_confined_to_dates_is_dates_not_substantive(make_repo, tagger, new):
    change = second(make_repo, new, tagger)
    assert change.kind == "dates"
    assert change.significance == 0
    assert change.topics == ()
    assert change.summary == "Only dates changed, in “Acme Terms”"


def test_relative_times_ticking_are_dates_every_day(make_repo, tagger):
    texts = [BASE.replace("8 July 2026", f"{n} days ago") for n in (21, 22, 23)]
    analysis = history_of(make_repo, [(t, "Record") for t in texts], tagger)
    assert [c.kind for c in analysis.changes] == ["first", "dates", "dates"]


def test_a_date_beside_a_real_change_stays_substantive(make_repo, tagger):
    new = BASE.replace("8 July 2026", "9 July 2026").replace("90 days", "two years")
    change = second(make_repo, new, tagger)
    assert change.kind == "substantive"
    assert change.significance == 4  # "90 days" out, "two years" in: the date is not counted


def test_words_that_only_look_like_dates_are_words():
    assert dateless("Section 1 may apply") == "Section 1 may apply"
    assert dateless("see clause 10.1.10 and 30 days") == "see clause 10.1.10 and 30 days"
    assert "\x00" in dateless("Effective8 July 2026")
    assert not only_dates_differ("keep it 30 days", "keep it 60 days")


@pytest.mark.parametrize(
    ("first", "message"),
    [
        ("Start", "Apply technical or declaration upgrade on Acme Terms"),
        ("Start", f"Update Acme Terms\n\n{RECORDING_CHANGE}: selector changed\n"),
        (f"Start\n\n{EXTRACTED_BY}: termline 0.1.0; select=main\n",
         f"Update\n\n{EXTRACTED_BY}: termline 0.1.0; select=article\n"),
        (f"Start\n\n{EXTRACTED_BY}: termline 0.1.0; trafilatura 2.0.0\n",
         f"Update\n\n{EXTRACTED_BY}: termline 0.1.0; select=main\n"),
        (f"Import\n\n{IMPORTED_FROM}: OpenTermsArchive/x abc\n",
         f"Update\n\n{EXTRACTED_BY}: termline 0.2.0; select=main\n"),
    ],
)  # fmt: skip
def test_a_new_recording_is_technical(make_repo, tagger, first, message):
    new = BASE.replace("Courts of your home town decide.", "Menu Sign in Courts decide.")
    analysis = history_of(make_repo, [(BASE, first), (new, message)], tagger)
    change = analysis.changes[1]
    assert change.kind == "technical"
    assert change.topics == ()
    assert change.summary.startswith("The recording changed, not the policy")


def test_the_same_extractor_is_no_technical_change(make_repo, tagger):
    by = f"\n\n{EXTRACTED_BY}: termline 0.1.0; select=main\n"
    new = BASE.replace("90 days", "two years")
    analysis = history_of(make_repo, [(BASE, "Start" + by), (new, "Update" + by)], tagger)
    assert analysis.changes[1].kind == "substantive"


def test_a_new_release_of_the_extractor_alone_is_no_technical_change(make_repo, tagger):
    before = f"\n\n{EXTRACTED_BY}: termline 0.1.0; trafilatura 2.0.0; remove=nav\n"
    after = f"\n\n{EXTRACTED_BY}: termline 0.2.0; trafilatura 2.1.0; remove=nav\n"
    new = BASE.replace("90 days", "two years")
    analysis = history_of(make_repo, [(BASE, "Start" + before), (new, "Update" + after)], tagger)
    assert analysis.changes[1].kind == "substantive"


def test_summary_names_clauses_biggest_first_with_words(make_repo, tagger):
    new = (
        BASE.replace("for 90 days", "for two years, and longer when the law requires it")
        .replace("a copy of", "the deletion of")
        .replace(
            "## Disputes", "## Training our models\n\nWe train models on chats.\n\n## Disputes"
        )
    )
    change = second(make_repo, new, tagger)
    assert change.kind == "substantive"
    assert change.summary == (
        "Changed “How we use data” (+9 \u22122) and “Your rights” (+2 \u22122); "
        "added “Training our models” (+8)"
    )
    assert change.lead == "How we use data"
    assert change.significance == 23


def test_a_renamed_clause_is_named_with_both_headings(make_repo, tagger):
    change = second(make_repo, BASE.replace("## Your rights", "## Your choices"), tagger)
    assert change.summary == "Renamed “Your rights” to “Your choices” (+1 \u22121)"


def test_topics_come_from_the_changed_sentences_only(make_repo, tagger):
    new = BASE.replace("Courts of your home town", "Courts of your region")
    change = second(make_repo, new, tagger)
    assert change.kind == "substantive"
    assert "ai-training" not in change.topics  # its clause mentions training, in another sentence
    new = BASE.replace("We do not train our models", "We train our models")
    assert "ai-training" in second(make_repo, new, tagger).topics


def test_meaning_diff_leaves_link_targets_and_dates_out():
    old = "See [our terms](https://a.example/1) from 8 July 2026. We keep data."
    new = "See [our terms](https://a.example/2) from July 9, 2026. We sell data."
    found = meaning_diff(old, new)
    assert (found.added, found.removed) == (1, 1)
    assert [s.replace("\x00", "") for s in found.sentences] == ["We keep data.", "We sell data."]


@pytest.mark.parametrize(
    ("old", "new"), [("a\nb\n", "a\n"), ("a\n", "a\nb\n"), ("a\nb c", "a\nbc")]
)
def test_only_dates_differ_sees_a_line_added_or_removed_at_the_end(old, new):
    assert only_dates_differ(old, new) == (old.replace(" ", "") == new.replace(" ", ""))


def test_two_clauses_named_alike_are_told_apart(make_repo, tagger):
    # Le Chat's terms page held its text twice on 2025-12-15: its summary changed "3. Using
    # Mistral AI Products" (+1053 -533), then added "3. Using Mistral AI Products" (+1232),
    # as if one clause were changed and added at once.
    new = BASE.replace("for 90 days", "for two years") + "\n" + BASE
    change = second(make_repo, new, tagger)
    names = re.findall(r"(another )?“([^”]+)”", change.summary)
    assert ("another ", "Acme Terms \u203a How we use data") in names
    firsts = [name for another, name in names if not another]
    assert len(firsts) == len(set(firsts))  # each name said plainly once
