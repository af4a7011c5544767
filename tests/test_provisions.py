"""Provisions: the line-scanner splitter and ids that stay stable across a document's history."""

import pytest

from termline.analysis.provisions import RENAME_SIMILARITY, IdTracker, Section, similarity, split


def keys(text: str) -> list[str]:
    return [section.key for section in split(text)]


def test_preamble_then_the_deepest_heading_that_holds_text():
    text = (
        "Intro before any heading.\n\n# Terms\n\n## Accounts\n\nKeep it safe.\n\n"
        "## Content\n\n### Licence\n\nYou grant us a licence.\n\n### Ownership\n\nYou own it.\n"
    )
    sections = split(text)
    assert [s.key for s in sections] == ["preamble", "accounts", "licence", "ownership"]
    assert sections[0].body == "Intro before any heading."
    assert sections[0].heading == "Preamble" and not sections[0].titled
    assert sections[2].heading == "Licence" and sections[2].level == 3
    assert sections[2].body == "You grant us a licence."


def test_a_heading_with_text_and_subsections_is_a_provision_of_its_own_text():
    sections = split("# Terms\n\nThese terms apply.\n\n## Accounts\n\nKeep it safe.\n")
    assert [(s.key, s.body) for s in sections] == [
        ("terms", "These terms apply."),
        ("accounts", "Keep it safe."),
    ]


def test_setext_headings_count():
    text = (
        "Privacy Policy\n==============\n\nWe care.\n\nData we collect\n---------------\n\nA lot.\n"
    )
    sections = split(text)
    assert [(s.key, s.level, s.body) for s in sections] == [
        ("privacy-policy", 1, "We care."),
        ("data-we-collect", 2, "A lot."),
    ]
    assert sections[1].start == 5 and sections[1].lines == 5


def test_spaced_dashes_join_documents_and_are_not_a_heading():
    text = "# Terms\n\nFirst part.\n- - -\n\nSecond part.\n\nA paragraph\n---\n\nUnder it.\n"
    sections = split(text)
    assert [s.key for s in sections] == ["terms", "a-paragraph"]
    assert "- - -" in sections[0].body and "Second part." in sections[0].body


def test_dashes_after_a_blank_line_or_a_list_are_a_break_not_a_heading():
    assert keys("# T\n\nText.\n\n---\n\nMore.\n") == ["t"]
    assert keys("# T\n\n* item\n---\n\nMore.\n") == ["t"]


def test_hashes_in_fenced_code_are_not_headings():
    sections = split("# Code\n\n```\n# not a heading\n```\n\nAfter.\n")
    assert [s.key for s in sections] == ["code"]
    assert "# not a heading" in sections[0].body


def test_numbered_clauses_when_there_are_no_headings():
    text = (
        "These terms apply to you.\n\n1. Accounts. Keep your password safe.\n\n"
        "2. Content. You own it.\n\n2.1 Licence to us.\n\n(a) worldwide\n"
    )
    sections = split(text)
    assert [s.heading for s in sections] == [
        "Preamble",
        "1. Accounts. Keep your password safe.",
        "2. Content. You own it.",
        "2.1 Licence to us.",
        "(a) worldwide",
    ]
    assert [s.key for s in sections][:3] == [
        "preamble",
        "accounts-keep-your-password-safe",
        "content-you-own-it",
    ]
    assert not any(s.titled for s in sections)


def test_escaped_numbers_are_clauses_too():
    assert len(split("1\\. First clause.\n\n2\\. Second clause.\n")) == 2


def test_paragraphs_when_there_are_neither_headings_nor_clauses():
    text = (
        "OPENAI POLICY\n\nThis policy is for law enforcement only and says a great deal.\n\nLast.\n"
    )
    sections = split(text)
    assert [s.body for s in sections] == [
        "OPENAI POLICY",
        "This policy is for law enforcement only and says a great deal.",
        "Last.",
    ]
    assert sections[1].heading == "This policy is for law enforcement only and …"


def test_repeated_headings_are_qualified_by_their_parent_then_numbered():
    text = (
        "# Consumers\n\n## Overview\n\nA.\n\n# Business\n\n## Overview\n\nB.\n\n"
        "# Business\n\n## Overview\n\nC.\n"
    )
    assert keys(text) == ["overview", "business-overview", "business-overview-2"]


def test_leading_numbers_and_markup_are_not_part_of_the_key():
    sections = split("## 3. **Data** [retention](https://x.example)\n\nNinety days.\n")
    assert sections[0].heading == "3. Data retention"
    assert sections[0].key == "data-retention"


def test_a_version_that_is_only_a_heading_has_one_provision():
    assert keys("Terms of Service\n================") == ["terms-of-service"]


def test_long_headings_give_short_safe_keys():
    (section,) = split("# " + "A very long heading " * 10 + "\n\nText.\n")
    assert len(section.key) <= 60 and section.key.startswith("a-very-long-heading")


def test_empty_text_has_no_provisions():
    assert split("") == () and split("\n\n") == ()


def section(key: str, body: str, heading: str | None = None) -> Section:
    return Section(key, heading or key.replace("-", " ").capitalize(), 2, body, 0, 1)


WORDS = [
    "alpha",
    "bravo",
    "charlie",
    "delta",
    "echo",
    "foxtrot",
    "golf",
    "hotel",
    "india",
    "juliet",
]
OTHERS = ["kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango"]


def test_similarity_is_the_share_of_words_in_common():
    assert similarity("a b c d", "a b c d") == 1.0
    assert similarity("a b c d", "e f g h") == 0.0
    assert similarity("A b c d", "a b x y") == pytest.approx(0.5)


def ids_of(*versions: list[Section]) -> list[list[str]]:
    tracker = IdTracker()
    return [list(tracker.place(version)) for version in versions]


def test_the_same_heading_keeps_its_id_whatever_its_text():
    first = [section("retention", "ninety days"), section("children", "not for kids")]
    second = [section("retention", "three entirely different words")]
    assert ids_of(first, second) == [["retention", "children"], ["retention"]]


@pytest.mark.parametrize(("shared", "renamed"), [(6, True), (7, True), (5, False), (10, True)])
def test_a_renamed_heading_keeps_its_id_when_enough_words_stay(shared, renamed):
    old = " ".join(WORDS)
    new = " ".join(WORDS[:shared] + OTHERS[: 10 - shared])
    assert (similarity(old, new) >= RENAME_SIMILARITY) is renamed
    history = ids_of([section("sharing-with-partners", old)], [section("sharing-with-others", new)])
    assert history[1] == (["sharing-with-partners"] if renamed else ["sharing-with-others"])


def test_the_threshold_is_exactly_sixty_percent():
    old = " ".join(WORDS)
    assert similarity(old, " ".join(WORDS[:6] + OTHERS[:4])) == pytest.approx(0.6)
    assert RENAME_SIMILARITY == 0.6


def test_a_provision_removed_then_back_keeps_its_id():
    kept = section("children", "not for kids")
    history = ids_of(
        [section("location", "gps"), kept],
        [kept],
        [section("location", "a different location text"), kept],
    )
    assert history == [["location", "children"], ["children"], ["location", "children"]]


def test_a_new_section_under_a_renamed_provisions_old_heading_gets_a_new_id():
    text = " ".join(WORDS)
    history = ids_of(
        [section("partners", text)],
        [section("third-parties", text)],
        [section("partners", "brand new words here"), section("third-parties", text)],
    )
    assert history == [["partners"], ["partners"], ["partners-2", "partners"]]


def test_renumbered_clauses_without_headings_follow_their_text():
    first = split("Intro.\n\n1. We keep data for ninety days.\n\n2. We never sell it.\n")
    second = split(
        "Intro.\n\n1. New first clause about cookies.\n\n2. We keep data for ninety days.\n\n"
        "3. We never sell it.\n"
    )
    first_ids, second_ids = ids_of(list(first), list(second))
    assert second_ids[0] == first_ids[0] == "preamble"
    assert second_ids[2:] == first_ids[1:]
    assert second_ids[1] not in first_ids


def test_ids_are_a_pure_function_of_the_history():
    versions = [
        [section("a", " ".join(WORDS)), section("b", "bee")],
        [section("c", " ".join(WORDS)), section("b", "bee"), section("a", "new a")],
        [section("b", "bee")],
        [section("a", "back"), section("c", " ".join(WORDS))],
    ]
    assert ids_of(*versions) == ids_of(*versions)
    assert ids_of(*versions) == [["a", "b"], ["c", "b", "a"], ["b"], ["a", "c"]]


def test_a_paragraph_is_titled_by_its_first_words_not_its_markup():
    (table,) = split("|     |     |\n| --- | --- |\n| Legal language | Summary |\n")
    assert table.heading == "Legal language Summary"
    assert table.key == "legal-language-summary"
