"""Provisions: the line-scanner splitter and ids that stay stable across a document's history."""

import re

import pytest

from termline.analysis.provisions import (
    RENAME_SIMILARITY,
    IdTracker,
    Section,
    labelled,
    similarity,
    split,
)


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


def test_spaced_dashes_join_documents_and_are_not_a_heading_but_start_a_part():
    text = "# Terms\n\nFirst part.\n- - -\n\nSecond part.\n\nA paragraph\n---\n\nUnder it.\n"
    sections = split(text)
    assert [s.key for s in sections] == ["terms", "second-part", "a-paragraph"]
    assert sections[0].body == "First part.\n- - -"
    assert sections[1].body == "Second part." and not sections[1].titled


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
    text = "OpenAI's policy\n\nThis policy is for law enforcement only and says a lot.\n\nLast.\n"
    sections = split(text)
    assert [s.body for s in sections] == [
        "OpenAI's policy",
        "This policy is for law enforcement only and says a lot.",
        "Last.",
    ]
    assert sections[1].heading == "This policy is for law enforcement only and …"


def test_repeated_headings_are_qualified_by_their_parent_then_numbered():
    text = (
        "# Consumers\n\n## Overview\n\nA.\n\n# Business\n\n## Overview\n\nB.\n\n"
        "# Business\n\n## Overview\n\nC.\n"
    )
    assert keys(text) == ["overview", "business-overview", "business-overview-2"]


def test_a_repeated_heading_keeps_the_heading_it_sits_under_as_its_part():
    # Gemini's privacy hub has a "How to control & manage your data" under each of its features:
    # lists named them all alike.
    text = (
        "# Canvas\n\n## How to control your data\n\nA.\n\n## Pricing\n\nFree.\n\n"
        "# **Shopping** [cart](https://x.example)\n\n## How to control your data\n\nB.\n"
    )
    parts = [(section.key, section.part) for section in split(text)]
    assert parts == [
        ("how-to-control-your-data", "Canvas"),
        ("pricing", ""),  # its heading is its own: no part
        ("shopping-cart-how-to-control-your-data", "Shopping cart"),  # plain text
    ]


def test_a_heading_shared_now_and_then_keeps_its_ids():
    # A second "Disclose" under "Users" coming and going gave it a new id each time it came
    # back (disclose-2, disclose-3…): its key, "disclose", was the other copy's meanwhile.
    users, visitors = (
        "# Users\n\n## Disclose\n\nTo processors.\n\n",
        "# Visitors\n\n## Disclose\n\nNo.\n",
    )
    tracker, ids = IdTracker(), set()
    for text in [visitors, users + visitors] * 3:
        placed = tracker.place(split(text))
        ids |= {(id_, section.parent) for id_, section in placed.items()}
    assert ids == {("disclose", "Visitors"), ("disclose-2", "Users")}  # two ids, for good


def test_a_page_that_holds_its_text_twice_keeps_its_ids_when_it_flips():
    # Telegram's terms page, recorded with each of its parts twice, flipped 60 times between
    # its terms and its FAQ: each copy of a heading came back under the last copy's id, and
    # the other copy took a new one each time (advance-notice-2-2 … -65): 8,353 provisions.
    terms = "# Terms\n\n## Payment\n\nPay.\n\n## Refunds\n\nNone.\n\n"
    faq = "# FAQ\n\n## Login\n\nA code.\n\n"
    tracker, ids = IdTracker(), set()
    for text in [terms * 2, faq * 2] * 3:
        placed = tracker.place(split(text))
        ids |= {(id_, section.body) for id_, section in placed.items()}
    assert sorted(ids) == [  # two ids a clause, for good (was login-2-2, login-2-3…)
        ("login", "A code."),
        ("login-2", "A code."),
        ("payment", "Pay."),
        ("payment-2", "Pay."),
        ("refunds", "None."),
        ("refunds-2", "None."),
    ]


def test_an_untitled_paragraph_led_by_a_heading_s_words_keeps_its_id():
    # Cdiscount's subscription terms hold "**2.1 Livraison offerte des Produits Eligibles**"
    # twice under "ARTICLE 2": once alone (a heading), once leading a paragraph (untitled). The
    # heading took the paragraph's id each version and the paragraph a new one: 300 ids.
    text = (
        "# Article 2\n\n**2.1 Free delivery** \n\n  \nEligible products are marked.\n\n"
        "# Article 2\n\n**2.1 Free delivery** (mainland only)   \n  \nUnder thirty kilos.\n"
    )
    tracker = IdTracker()
    placed = [list(tracker.place(split(text))) for _ in range(3)]
    assert placed == [["free-delivery", "free-delivery-2"]] * 3


def test_a_part_reads_html_line_breaks_as_spaces():
    sections = split("# Logo<br>Google\n\n## How\n\nA.\n\n# X\n\n## How\n\nB.\n")
    assert [s.part for s in sections] == ["Logo Google", "X"]


def test_a_label_reads_html_line_breaks_as_spaces_under_its_part():
    # Google's Cloud terms had a heading "Logo for Google Cloud Platform<br><br>Google Cloud…".
    assert labelled("", "Logo<br><br>Google <BR/>Cloud") == "Logo Google Cloud"
    assert labelled("Canvas", "Your data") == "Canvas \u203a Your data"


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


def test_a_paragraph_is_titled_by_the_text_of_a_link_around_an_image():
    # Le Chat's terms had a clause "Mistral AI Logo White](https://mistral.ai/)".
    (logo,) = split("[![Mistral AI Logo White](https://x.example/logo.svg)](https://mistral.ai/)\n")
    assert logo.heading == "Mistral AI Logo White"


def test_a_paragraph_is_titled_without_the_bullet_typed_before_its_first_word():
    # Llama API's acceptable use policy types its bullets: "*   •Violate the law …" read
    # "“•Violate the law or others' rights, …”" in every summary naming it.
    (rule,) = split("*   •Violate the law or others\u2019 rights, including to:\n")
    assert rule.heading == "Violate the law or others\u2019 rights, including to:"
    assert rule.key == "violate-the-law-or-others-rights-including-to"
    (dot,) = split("• Engage in harassment\n")
    assert dot.heading == "Engage in harassment"


# What real policies use as headings (issue 15, item 2).

LONG = " ".join(WORDS)


def headings(text: str) -> list[str]:
    return [section.heading for section in split(text)]


def test_a_paragraph_that_is_only_bold_text_is_a_heading():
    text = (
        f"Title\n=====\n\nIntro.\n\n**Data We Collect**\n\n{LONG}\n\n__How We Use Data__\n\nUse.\n"
    )
    sections = split(text)
    assert [s.key for s in sections] == ["title", "data-we-collect", "how-we-use-data"]
    assert sections[1].body == LONG and sections[1].titled and sections[1].level > 6


def test_bold_inside_text_a_long_bold_sentence_and_a_date_are_no_headings():
    text = (
        "**Last updated:** July 8, 2026\n\n**Last Updated: August 13, 2026**\n\n"
        "Some **bold** words in a sentence.\n\n"
        "**By using the services you agree to every one of these terms and to our privacy "
        "policy too.**\n\n[**We updated our notice.**](https://example.com/notice)\n"
    )
    assert all(not section.titled for section in split(text))


def test_a_clause_number_and_a_title_on_its_own_line_is_a_heading():
    text = (
        "Intro.\n\n1. Information we collect\n\nNames.\n\nSection 4 \u2013\n\nPayment is due.\n\n"
        "ARTICLE 2\n\nArticles.\n\nIV. Your rights\n\nAccess.\n"
    )
    assert headings(text) == [
        "Preamble",
        "1. Information we collect",
        "Section 4",
        "ARTICLE 2",
        "IV. Your rights",
    ]
    assert keys(text) == [
        "preamble",
        "information-we-collect",
        "section-4",
        "article-2",
        "your-rights",
    ]


def test_a_numbered_list_of_sentences_is_no_heading():
    text = "# Rules\n\n1. Do not share your password.\n\n2. We may end your account.\n"
    assert keys(text) == ["rules"]


def test_a_bold_clause_title_that_opens_its_clause_starts_a_provision():
    text = (
        "DPA\n===\n\nThis addendum applies.\n\n"
        "**1\\. Definitions.** For this DPA, words mean things.\n\n"
        "a. “Data” means data.\n\n**2\\. Roles of the Parties**. Customer is the controller.\n\n"
        "2.1 **Instructions.** We follow them.\n"
    )
    sections = split(text)
    assert [(s.key, s.heading) for s in sections] == [
        ("dpa", "DPA"),
        ("definitions", "1. Definitions."),
        ("roles-of-the-parties", "2. Roles of the Parties"),
        ("instructions", "2.1 Instructions."),
    ]
    assert sections[1].body.startswith("**1\\. Definitions.**") and "“Data”" in sections[1].body
    assert not sections[1].titled  # the title is part of the clause's text


def test_a_short_line_in_capitals_is_a_heading_but_not_a_code():
    text = "OPENAI GOVERNMENT\n\nUSER DATA REQUEST POLICY\n\nFor law enforcement.\n\n"
    text += "I. SERVICE OF PROCESS\n\nWhere to send it.\n\nAddress\n\nT23AT2P\n\nIreland\n"
    sections = split(text)
    assert [s.key for s in sections] == ["user-data-request-policy", "service-of-process"]
    assert "T23AT2P" in sections[1].body


def test_a_bold_bullet_standing_alone_is_a_heading_a_list_of_bold_terms_is_not():
    text = (
        "Intro.\n\n*   **Your Commitments**\n    \n    *   Eligibility\n        \n"
        "        Be 13.\n\n"
        "*   **Meta's Rights**\n    \n    We may act.\n\n"
        "Cookies we use:\n\n*   **Cloudflare**\n    *   Security.\n"
        "*   **Intercom**\n    *   Chat.\n"
    )
    assert keys(text) == ["preamble", "your-commitments", "meta-s-rights"]


def test_a_table_of_contents_is_no_clause():
    entries = "".join(f"**{n}. {t}**\n\n" for n, t in ((1, "Scope"), (2, "Data"), (3, "Rights")))
    clauses = "".join(f"**{n}. {t}**\n\n{t} text.\n\n" for n, t in ((1, "Scope"), (2, "Data")))
    text = f"Privacy Policy\n\nThis policy covers:\n\n{entries}{clauses}"
    sections = split(text)
    assert [s.key for s in sections] == ["preamble", "scope", "data"]
    assert "**3. Rights**" in sections[0].body


def test_a_heading_whose_text_is_links_into_the_page_is_a_contents():
    links = "".join(
        f"*   [{t}](https://x.example/p#{t.lower()})\n" for t in ("Data", "Use", "Rights")
    )
    text = f"# Policy\n\nIntro.\n\n## Contents\n\n{links}\n## Data\n\nWe collect.\n"
    sections = split(text)
    assert [s.key for s in sections] == ["policy", "data"]
    assert "## Contents" in sections[0].body


def test_a_bold_line_that_repeats_a_later_heading_is_a_label_not_a_clause():
    text = "# Agent\n\nIntro.\n\n1\\. Misleading\n\n*   [1\\. Misleading](#m)\n\n"
    text += "## 1\\. Misleading\n\nNo.\n"
    assert keys(text) == ["agent", "misleading"]


def test_an_empty_label_heads_the_shaped_heading_under_it():
    text = "ARTICLE 1\n\nPAYMENT\n\nPay.\n\nARTICLE 2\n\nPAYMENT\n\nPay again.\n"
    sections = split(text)
    assert [s.heading for s in sections] == ["PAYMENT", "PAYMENT"]
    assert [s.key for s in sections] == ["payment", "article-2-payment"]


def test_repeated_headings_under_the_same_parent_take_an_ordinal_never_a_hash():
    copy = "## Accessing the products\n\nText.\n\n## Your data\n\nMore.\n\n"
    title = "# Terms of Service for consumers in the European Economic Area\n\n"
    assert keys(title + copy + copy) == [
        "accessing-the-products",
        "your-data",
        "accessing-the-products-2",
        "your-data-2",
    ]


def test_long_qualified_ids_are_cut_at_a_word_without_hash():
    parent = "Terms of Service for consumers in the European Union and elsewhere"
    child = "What happens to my data after the application is discontinued"
    text = f"# A\n\n## {child}\n\nOne.\n\n# {parent}\n\n## {child}\n\nTwo.\n"
    first, second = (s.key for s in split(text))
    assert first == "what-happens-to-my-data-after-the-application-is"
    assert second.startswith("terms-of-service-") and "-what-happens-to-my-data" in second
    assert len(second) <= 60 and not re.search(r"[0-9a-f]{6}$", second)


def test_each_part_of_a_combined_document_is_a_provision():
    text = (
        "This page isn\u2019t available\n---\n\nAn unexpected error.\n\n- - -\n\n"
        "Data Security Terms\n\nThese terms apply.\n\n- - -\n\n**Last Updated:** March 20, 2026\n\n"
        "**General Terms**\n\nGeneral.\n"
    )
    sections = split(text)
    assert [(s.key, s.heading) for s in sections] == [
        ("this-page-isnt-available", "This page isn\u2019t available"),
        ("data-security-terms", "Data Security Terms"),
        ("general-terms", "General Terms"),
    ]
    assert "March 20, 2026" in sections[1].body  # a part with only a date is no provision


def test_an_error_page_recorded_once_names_no_provision_for_good():
    body = " ".join(WORDS * 30)
    error = "This page isn\u2019t available\n---\n\nAn unexpected error has occurred.\n\n- - -\n\n"
    part = f"Data Security Terms\n\n{LONG} security.\n"
    real = f"Llama API Terms of Service\n===\n\n{body}\n\n- - -\n\n{part}"
    renamed = real.replace("Llama API", "Meta Model API")
    history = ids_of(*(list(split(t)) for t in (error + part, real, error + part, real, renamed)))
    assert history[0] == ["this-page-isnt-available", "data-security-terms"]
    assert history[1] == history[3] == ["llama-api-terms-of-service", "data-security-terms"]
    assert history[4] == history[1]  # the real title's rename keeps the real id


def test_an_edited_paragraph_keeps_its_id_without_headings():
    first = ["Intro to this policy.", LONG, "We keep your data for 90 days after you go.", "Bye."]
    second = [first[0], LONG, "We keep data for thirty days, then delete it.", first[3]]
    assert 0.3 < similarity(first[2], second[2]) < RENAME_SIMILARITY  # only its place tells
    third = [first[0], LONG.replace("alpha bravo", "zulu yankee"), second[2], first[3]]
    texts = ["\n\n".join(paragraphs) for paragraphs in (first, second, third)]
    history = ids_of(*(list(split(text)) for text in texts))
    assert history[0] == history[1] == history[2]
    assert len(history[0]) == 4


def test_a_paragraph_replaced_by_unrelated_text_gets_a_new_id():
    first = ["Intro to this policy.", "We keep data for ninety days.", "Contact us."]
    second = [first[0], "Cookies are small files placed on devices.", first[2]]
    old, new = ids_of(*(list(split("\n\n".join(p))) for p in (first, second)))
    assert old[0] == new[0] and old[2] == new[2] and old[1] != new[1]


@pytest.mark.parametrize(
    "stamp", ["## Last updated: April 9, 2026", "Effective 8 July 2026\n---------------------"]
)
def test_a_heading_that_only_dates_the_text_is_no_clause(stamp):
    """Its id and name would change with every new date: an added and a removed clause each time."""
    text = f"# Terms\n\n{stamp}\n\nThese terms apply.\n\n## Changes to these terms\n\nWe may.\n"
    assert [s.heading for s in split(text)] == ["Terms", "Changes to these terms"]
    assert "These terms apply." in split(text)[0].body
