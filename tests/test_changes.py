"""Changes: kinds, reverts, provisions added/removed/modified/renamed, word diffs, topics.

Every history here is a real git repository made in a temporary folder.
"""

import itertools
from pathlib import Path

import pytest

from termline.analysis.changes import KINDS, NAMED_CHARS, Analysis, analyse, fingerprint, normalise
from termline.analysis.history import BlobReader, read_history
from termline.analysis.meaning import POLICY_AGAIN
from termline.analysis.topics import Tagger, load_topics
from termline.archive import open_repo

ROOT = Path(__file__).resolve().parents[1]
PATH = "archive/acme/terms.md"

BASE = (
    "# Acme Terms\n\nThese terms apply to Acme.\n\n"
    "## Data retention\n\nWe keep your data for 90 days after you leave.\n\n"
    "## Sharing with partners\n\nWe share personal data with service providers. "
    "We never sell it to anyone at all.\n\n"
    "## Disputes\n\nCourts of your home town decide.\n"
)


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return Tagger(load_topics(ROOT / "topics.toml"))


def history_of(make_repo, texts: list[str | None], tagger: Tagger) -> Analysis:
    """Commit each text (None deletes the file) a day apart, then analyse the document."""
    repo = make_repo()
    for day, text in enumerate(texts, start=1):
        date = f"2024-01-{day:02d}T00:00:00Z"
        if text is None:
            repo.git("rm", "-q", PATH)
            repo.git("commit", "-q", "-m", "Delete", date=date)
        else:
            repo.commit({PATH: text}, f"Version {day}", date)
    git_repo = open_repo(repo.path)
    (history,) = read_history(git_repo, "archive")
    return analyse(history, BlobReader(git_repo).text, tagger)


def kinds(analysis: Analysis) -> list[str]:
    return [change.kind for change in analysis.changes]


@pytest.mark.parametrize(
    ("name", "edit"),
    [
        ("whitespace", lambda t: t.replace("We keep your", "We  keep\nyour")),
        ("nbsp", lambda t: t.replace("90 days", "90\u00a0days")),
        ("punctuation", lambda t: t.replace("Acme.", "Acme;")),
        ("case", lambda t: t.replace("Courts of", "COURTS of")),
        ("markup", lambda t: t.replace("## Disputes", "### **Disputes**")),
        ("link target", lambda t: t.replace("Acme.", "[Acme](https://acme.example).")),
        ("setext", lambda t: t.replace("# Acme Terms", "Acme Terms\n==========")),
    ],
)
def test_cosmetic_changes(make_repo, tagger, name, edit):
    analysis = history_of(make_repo, [BASE, edit(BASE)], tagger)
    assert kinds(analysis) == ["first", "cosmetic"], name


def test_a_changed_word_is_substantive_with_a_word_diff(make_repo, tagger):
    analysis = history_of(make_repo, [BASE, BASE.replace("90 days", "three years")], tagger)
    first, change = analysis.changes
    assert first.kind == "first" and first.previous is None
    assert change.kind == "substantive" and change.reverts_to is None
    assert change.modified == ("data-retention",)
    assert change.added == change.removed == change.renamed == ()
    assert change.words_added == 2 and change.words_removed == 2
    (edit,) = change.edits
    assert edit.status == "modified"
    html = "".join(block.html for block in edit.diff.blocks)
    assert "<del>90 days</del>" in html and "<ins>three years</ins>" in html
    assert change.topics == ("data-retention",)
    assert any(
        block.kind == "heading" and "Data retention" in block.html for block in change.diff.blocks
    )
    assert any(block.kind == "skip" for block in change.diff.blocks)


def test_revert_names_the_latest_earlier_version_with_that_text(make_repo, tagger):
    longer = BASE.replace("90 days", "180 days")
    shorter = BASE.replace("90 days", "30 days")
    analysis = history_of(make_repo, [BASE, longer, shorter, longer, BASE], tagger)
    ids = [change.id for change in analysis.changes]
    assert kinds(analysis) == ["first", "substantive", "substantive", "revert", "revert"]
    assert analysis.changes[3].reverts_to == ids[1]
    assert analysis.changes[4].reverts_to == ids[0]
    back_to = analysis.changes[1].version.date.strftime("%Y-%m-%d")
    assert analysis.changes[3].summary == f"Back to the text of {back_to}"  # a date, not an id


def test_a_revert_names_the_time_of_its_version_when_its_day_holds_several(make_repo, tagger):
    # Llama API's terms: "Back to the text of 2026-04-12" when three versions bore that date.
    longer = BASE.replace("90 days", "180 days")
    repo = make_repo()
    dates = ["2024-01-01T08:00:00Z", "2024-01-02T09:30:00Z", "2024-01-02T17:45:00Z"]
    for n, (text, date) in enumerate(
        zip([BASE, longer, BASE, longer], [*dates, "2024-01-03T10:00:00Z"], strict=True)
    ):
        repo.commit({PATH: text}, f"Version {n}", date)
    git_repo = open_repo(repo.path)
    (history,) = read_history(git_repo, "archive")
    changes = analyse(history, BlobReader(git_repo).text, tagger).changes
    assert [c.kind for c in changes] == ["first", "substantive", "revert", "revert"]
    assert changes[2].summary == "Back to the text of 2024-01-01"  # alone on its day
    assert changes[3].summary == "Back to the text of 2024-01-02 09:30 UTC"
    assert changes[3].reverts_to == changes[1].id


def test_a_summary_names_headings_without_invisible_characters_and_cut_short(make_repo, tagger):
    # Stack Exchange's headings carry thousands of zero-width characters (a watermark), and a
    # scraped menu bar can be a heading of 150 characters: summaries quoted them whole.
    watermark = "\u200b\u200c\u200d\ufeff\u00ad" * 400
    menu = " ".join(f"Menu{i}" for i in range(24))
    start = BASE.replace("## Data retention", f"## Data retention{watermark}")
    start = start.replace("## Disputes", f"## {menu}")
    changed = start.replace("90 days", "three years").replace("home town", "capital city")
    analysis = history_of(make_repo, [start, changed], tagger)
    summary = analysis.changes[1].summary
    assert "“Data retention” (+2 \u22122)" in summary
    shown = summary[summary.index("“Menu0") + 1 : summary.index("\u2026”")]
    assert menu.startswith(shown) and len(shown) <= NAMED_CHARS < len(menu)


def test_a_summary_names_a_shared_heading_under_the_heading_it_sits_in(make_repo, tagger):
    # Claude.ai's privacy policy holds a "7. How We Disclose Personal Data" in each of its two
    # parts (for users, for non-users): summaries and lists named both alike.
    part = "## How we disclose data\n\nTo {}.\n\n## Contact\n\nWrite.\n\n"
    start = f"# Users\n\n{part.format('processors')}# Visitors\n\n{part.format('nobody')}"
    start += "# Cookies\n\nNone at all.\n"
    changed = start.replace("To nobody", "To our partners and advertisers")
    changed = changed.replace("None at all", "Many")
    analysis = history_of(make_repo, [start, changed], tagger)
    assert analysis.changes[1].summary == (
        "Changed “Visitors \u203a How we disclose data” (+4 \u22121) and “Cookies” (+1 \u22123)"
    )
    labels = [(p.id, p.label) for p in analysis.provisions]
    assert labels == [
        ("how-we-disclose-data", "Users \u203a How we disclose data"),
        ("contact", "Users \u203a Contact"),
        ("visitors-how-we-disclose-data", "Visitors \u203a How we disclose data"),
        ("visitors-contact", "Visitors \u203a Contact"),
        ("cookies", "Cookies"),  # a heading of its own is named alone
    ]


SPLIT = (
    "## 6. Ownership\n\n**6.1 Services.** We own the services and every page of them. "
    "**6.2 Contact.** Write to us at the address below or phone us any day and we will answer "
    "within a week.\n"
)


def test_a_clause_split_in_two_names_only_the_words_that_changed(make_repo, tagger):
    # Perplexity's terms, 2026-08-20: paragraph breaks split 3 long clauses into 16, and one
    # phone number went. The summary read "Changed “6.1 Ownership of the Services.” (\u2212956)
    # and “11.1 SMS Messaging and Phone Calls.” (\u2212892); added “6.4 Your Content” (+747) …".
    split = SPLIT.replace(" **6.2", "\n\n**6.2").replace("or phone us any day ", "")
    analysis = history_of(make_repo, [SPLIT, split], tagger)
    change = analysis.changes[1]
    assert change.kind == "substantive" and change.added == ("contact",)
    assert change.summary == "Changed “6.2 Contact.” (\u22125); 1 other clause only split or joined"
    assert change.words == (0, 5) and change.significance == 5
    services, contact = change.edits
    assert (services.id, services.moved, services.words) == ("services", True, (0, 0))
    assert (contact.status, contact.meaning) == ("added", (0, 5))


def test_a_heading_no_longer_shared_keeps_its_id_under_its_parent(make_repo, tagger):
    # When Claude.ai's privacy policy dropped its users' "7. How We Disclose Personal Data", the
    # non-users' one, alone with that heading, took the plain key and the dropped one's id: the
    # version read "changed" the one (+179 \u2212358) and "removed" the other.
    part = "## How we disclose data\n\nTo {}.\n\n"
    start = f"# Users\n\n{part.format('processors')}# Visitors\n\n{part.format('nobody')}"
    dropped = start.replace("## How we disclose data\n\nTo processors.\n\n", "Hello.\n\n")
    analysis = history_of(make_repo, [start, dropped], tagger)
    change = analysis.changes[1]
    assert change.summary.startswith("Removed “Users \u203a How we disclose data”"), change.summary
    assert (change.removed, change.modified) == (("how-we-disclose-data",), ())
    (kept,) = [p for p in analysis.provisions if p.current and "disclose" in p.id]
    assert (kept.id, kept.label) == ("visitors-how-we-disclose-data", "How we disclose data")


# A policy of some 200 words in three clauses, and the error page Meta served in its place.
POLICY = "".join(
    f"## Clause {n}\n\n" + " ".join(f"word{n}x{i}" for i in range(70)) + "\n\n" for n in range(3)
)
ERROR_PAGE = (
    "This page isn't available at the moment\n\nThis may be because of a technical error that "
    "we're working to fix. Please try reloading this page.\n"
)


def test_an_error_page_between_two_policies_is_passed_by(make_repo, tagger):
    # Llama API's data processor agreement: Meta's error page recorded four times, each read
    # as every clause removed (a "notable" change), then as every clause added back.
    edited = POLICY.replace("word1x5 ", "changed ")
    analysis = history_of(make_repo, [POLICY, ERROR_PAGE, POLICY, ERROR_PAGE, edited], tagger)
    error, back, _, after = analysis.changes[1:]
    assert kinds(analysis) == ["first", "technical", "technical", "technical", "substantive"]
    assert (error.readable, back.readable, after.readable) == (False, True, True)
    assert (
        error.summary == "Not the policy: an error or blocked page of 25 words (the policy had 216)"
    )
    assert not error.edits and not error.topics and error.significance == 0
    # The policy back, unchanged: the recording recovered, nothing was reverted.
    assert back.summary == "The policy again after an error page, unchanged"
    assert not back.edits and back.reverts_to is None
    # The version after an error page is compared with the policy: one clause, one word.
    assert [(e.id, e.status) for e in after.edits] == [("clause-1", "modified")]
    assert (after.words_added, after.words_removed) == (1, 1)
    assert all(p.current for p in analysis.provisions) and len(analysis.provisions) == 3


def test_a_page_in_part_an_error_page_is_passed_by_unless_the_scraper_recorded_it(
    make_repo, tagger
):
    # Llama API's terms, assembled from four pages, one of them Meta's error page 81 times:
    # "Removed “Llama API Terms of Service” (\u22125956)", then the policy back as a revert.
    policy = POLICY + POLICY.replace("Clause", "Part")
    partial = POLICY.split("## Clause 2")[0] + "## Clause 2\n\n" + ERROR_PAGE

    def changes(name: str, trailer: str) -> list:
        repo = make_repo(name)
        for day, text in enumerate([policy, partial, policy], start=1):
            repo.commit({PATH: text}, f"Version {day}{trailer}", f"2024-01-0{day}T00:00:00Z")
        git_repo = open_repo(repo.path)
        (history,) = read_history(git_repo, "archive")
        return list(analyse(history, BlobReader(git_repo).text, tagger).changes)

    # Recorded elsewhere: fewer than half the words, not the policy; the policy again after it.
    _, error, back = changes("imported", "")
    assert (
        error.summary == "Not the policy: 171 words where the policy had 432, in part an error page"
    )
    assert (error.readable, back.kind, back.summary) == (False, "technical", POLICY_AGAIN)
    # Recorded by the scraper, which refuses such a page unless told to take it: a change.
    scraped = changes("scraped", "\n\nExtracted-By: termline 0.1.0; select=main")
    assert [c.kind for c in scraped] == ["first", "substantive", "revert"]


def test_a_part_of_a_page_become_an_error_page_is_passed_by(make_repo, tagger):
    # Llama API's privacy policy, assembled from two pages: when its data commitments page
    # failed, "Removed “Llama API Data Commitments” (\u2212804); added “This page isn't
    # available” (+14)" was a substantive change, four times, each in the feeds.
    policy = POLICY + POLICY.replace("Clause", "Part") + POLICY.replace("Clause", "Section")
    partial = POLICY + POLICY.replace("Clause", "Part") + ERROR_PAGE.replace("'", "\u2019")
    analysis = history_of(make_repo, [policy, partial, policy], tagger)
    _, error, back = analysis.changes
    assert kinds(analysis) == ["first", "technical", "technical"]
    assert error.summary == (
        "Not the policy: 457 words where the policy had 648, in part an error page"
    )
    assert not error.readable and back.summary == POLICY_AGAIN
    assert all(p.current for p in analysis.provisions) and len(analysis.provisions) == 9


def test_a_policy_that_explains_its_own_error_messages_is_the_policy(make_repo, tagger):
    # A line an error page says, already in the policy, is no sign of one; nor is a longer text.
    help_page = f"## Something went wrong\n\nWrite to us.\n\n{POLICY}"
    shorter = help_page.replace("word0x1 ", "")
    longer = POLICY + ERROR_PAGE
    analysis = history_of(make_repo, [help_page, shorter, POLICY, longer], tagger)
    assert all(c.readable for c in analysis.changes)


def test_a_policy_that_stays_short_is_the_policy_from_its_second_version(make_repo, tagger):
    # Once a policy fell under 100 words, every later version was passed by as an error page.
    short = "## Cookies\n\nWe use " + "small files to remember you, " * 8 + "nothing else.\n"
    edited = short.replace("nothing else", "nothing more") + "\n## New\n\nA new clause.\n"
    analysis = history_of(make_repo, [POLICY, short, edited], tagger)
    assert kinds(analysis) == ["first", "technical", "substantive"]
    assert [p.id for p in analysis.provisions if p.current] == ["cookies", "new"]


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        # classified against the policy, not the error page: a date moved, a space, nothing
        (["dated", ERROR_PAGE, "redated"], ["first", "technical", "dates"]),
        (["dated", ERROR_PAGE, "spaced"], ["first", "technical", "cosmetic"]),
        (["dated", ERROR_PAGE, "dated"], ["first", "technical", "technical"]),
        # an older text back after an error page is a revert of the policy
        (["dated", "edited", ERROR_PAGE, "dated"], ["first", "substantive", "technical", "revert"]),
        # the policy back after a deletion and an error page: a revert, not the recording
        (["dated", None, ERROR_PAGE, "dated"], ["first", "deleted", "technical", "revert"]),
        # an error page recorded first is measured when it comes back
        ([ERROR_PAGE, "dated", ERROR_PAGE], ["first", "substantive", "technical"]),
    ],
)
def test_the_version_after_an_error_page_is_classified_against_the_policy(
    make_repo, tagger, texts, expected
):
    dated = f"Last updated: May 1, 2024.\n\n{POLICY}"
    shapes = {
        "dated": dated,
        "redated": dated.replace("May 1", "June 2"),
        "spaced": dated.replace("word0x1 ", "word0x1  "),
        "edited": dated.replace("word1x5 ", "changed "),
    }
    analysis = history_of(make_repo, [shapes.get(t, t) for t in texts], tagger)
    assert kinds(analysis) == expected
    assert sum(not c.readable for c in analysis.changes) == 1


def test_a_short_policy_that_gets_shorter_is_not_an_error_page(make_repo, tagger):
    short = "## Cookies\n\nWe use " + "small files to remember you, " * 8 + "nothing else.\n"
    shorter = "## Cookies\n\nWe use no cookies at all.\n"  # 6 words where there were 45
    analysis = history_of(make_repo, [short, shorter], tagger)
    assert kinds(analysis) == ["first", "substantive"] and analysis.changes[1].readable


def test_a_topic_sentence_reads_a_line_break_as_a_space(make_repo, tagger):
    # A topic page quoted Claude.ai's legal bases as "applicable)<br><br>- Compliance…".
    row = "| We train our AI models<br>on it | All<br>of it |\n"
    text = f"## Training\n\n| Use | Data |\n|---|---|\n{row}"
    (provision,) = history_of(make_repo, [text], tagger).provisions
    (match,) = [m for m in provision.matches if m.topic == "ai-training"]
    assert "<br>" not in match.text and "We train our AI models on it" in match.text


def test_unchanged_lines_between_changes_are_one_skip(make_repo, tagger):
    # Veepee's terms showed "… 15 unchanged lines …" then "… 190 unchanged lines …": the end of
    # one changed provision, then the provisions left unchanged after it.
    long = "".join(f"Line {n} of the rules.\n\n" for n in range(12))
    start = f"# Terms\n\n## Fees\n\nTen euros.\n\n{long}## Other\n\n{long}## Law\n\nFrench law.\n"
    changed = start.replace("Ten euros", "Twenty euros").replace("French law", "Irish law")
    analysis = history_of(make_repo, [start, changed], tagger)
    blocks = analysis.changes[1].diff.blocks
    kinds_ = [block.kind for block in blocks]
    assert not any(a == b == "skip" for a, b in itertools.pairwise(kinds_)), kinds_
    skipped = sum(block.lines for block in blocks if block.kind == "skip")
    assert skipped >= 1.5 * len(long.splitlines())  # both runs of unchanged lines counted


def test_a_revert_to_a_cosmetic_variant_is_a_revert(make_repo, tagger):
    variant = BASE.replace("90 days", "90\u00a0days")
    changed = BASE.replace("90 days", "one year")
    analysis = history_of(make_repo, [BASE, variant, changed, BASE], tagger)
    assert kinds(analysis) == ["first", "cosmetic", "substantive", "revert"]
    assert analysis.changes[3].reverts_to == analysis.changes[1].id


def test_deleted_then_tracked_again(make_repo, tagger):
    other = BASE.replace("Courts of your home town decide.", "Arbitration decides.")
    analysis = history_of(make_repo, [BASE, None, other, None, BASE], tagger)
    assert kinds(analysis) == ["first", "deleted", "first", "deleted", "revert"]
    deleted = analysis.changes[1]
    assert set(deleted.removed) == {
        "acme-terms",
        "data-retention",
        "sharing-with-partners",
        "disputes",
    }
    assert deleted.words_added == 0 and deleted.words_removed > 20
    assert all(p.removed_in is None for p in analysis.provisions)


def test_provisions_added_removed_and_renamed_with_the_same_text(make_repo, tagger):
    added = BASE + "\n## Training of AI models\n\nWe train our AI models on your posts.\n"
    renamed = added.replace("## Sharing with partners", "## Sharing with third parties")
    removed = renamed.replace("## Disputes\n\nCourts of your home town decide.\n", "")
    analysis = history_of(make_repo, [BASE, added, renamed, removed], tagger)
    _, add, rename, remove = analysis.changes
    assert add.added == ("training-of-ai-models",) and add.topics == ("ai-training",)
    assert rename.renamed == (("sharing-with-partners", "sharing-with-third-parties"),)
    assert rename.modified == () and rename.edits[0].status == "renamed"
    assert rename.edits[0].old_heading == "Sharing with partners"
    assert "<ins>third parties</ins>" in rename.edits[0].heading_html
    assert rename.topics == ("data-sharing",)
    assert rename.kind == "substantive"
    assert remove.removed == ("disputes",) and remove.words_removed == 6
    by_id = {p.id: p for p in analysis.provisions}
    assert by_id["sharing-with-partners"].heading == "Sharing with third parties"
    assert by_id["disputes"].removed_in == remove.id
    assert by_id["disputes"].text == "Courts of your home town decide."
    assert by_id["training-of-ai-models"].first_seen == add.id
    assert by_id["data-retention"].last_changed == analysis.changes[0].id
    assert [p.id for p in analysis.provisions][-1] == "disputes"
    assert [len(p.history) for p in analysis.provisions] == [1, 1, 2, 1, 2]


def test_anchors_point_at_the_last_texts_provision_lines(make_repo, tagger):
    analysis = history_of(make_repo, [BASE], tagger)
    lines = BASE.split("\n")
    assert [(lines[line], id_) for line, id_ in analysis.anchors] == [
        ("# Acme Terms", "acme-terms"),
        ("## Data retention", "data-retention"),
        ("## Sharing with partners", "sharing-with-partners"),
        ("## Disputes", "disputes"),
    ]


def test_every_kind_is_known(make_repo, tagger):
    analysis = history_of(make_repo, [BASE, BASE.upper(), BASE + "\nMore.\n", BASE, None], tagger)
    assert kinds(analysis) == ["first", "cosmetic", "substantive", "revert", "deleted"]
    assert set(kinds(analysis)) | {"technical", "dates"} == set(KINDS)  # see test_meaning.py


def test_normalisation_keeps_letters_and_digits_only():
    assert normalise(
        "# Héllo,\u00a0[World](https://x.example) **1.5**!"
    ) == "héllo world15".replace(" ", "")
    assert fingerprint("a  b") == fingerprint("A\u00a0b") != fingerprint("a c")


def test_a_renumbered_heading_is_modified_not_renamed(make_repo, tagger):
    numbered = BASE.replace("## Disputes", "## 4. Disputes")
    analysis = history_of(
        make_repo, [numbered, numbered.replace("4. Disputes", "5. Disputes")], tagger
    )
    change = analysis.changes[1]
    assert change.kind == "substantive"
    assert change.modified == ("disputes",) and change.renamed == ()
    assert change.edits[0].old_heading == "4. Disputes"
    assert "<del>4.</del>" in change.edits[0].heading_html


def test_a_topic_named_only_in_a_link_target_is_not_a_provisions_topic(make_repo, tagger):
    """A reader sees the link's words, not its URL: the topic would have no sentence to show."""
    text = BASE + (
        "\n## Arbitration\n\nDisputes go to arbitration.\n"
        "\n## Help\n\nSee [our help pages](https://acme.example/arbitration-faq).\n"
    )
    analysis = history_of(make_repo, [text], tagger)
    by_id = {p.id: p for p in analysis.provisions}
    assert "arbitration" in by_id["arbitration"].topics
    assert by_id["arbitration"].match("arbitration") is not None
    assert "arbitration" not in by_id["help"].topics and by_id["help"].matches == ()
