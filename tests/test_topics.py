"""Topics: the shipped taxonomy, tagging, the strings patterns require, one-line errors."""

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from termline.analysis.topics import FLAGS, Tagger, default_topics, load_topics, required
from termline.cli import main
from termline.errors import TermlineError

ROOT = Path(__file__).resolve().parents[1]
# The words of the shipped patterns, some capitalised, and words on no topic: lines of them.
_WORDS = sorted(set(re.findall(r"[A-Za-z][A-Za-z-]*", (ROOT / "topics.toml").read_text())))
SHIPPED_WORDS = [*_WORDS, *(w.upper() for w in _WORDS[::7]), "the", "of", "a", ".", "stuff"]


def test_the_shipped_taxonomy_has_the_topics_people_care_about():
    taxonomy = load_topics(ROOT / "topics.toml")
    assert default_topics().samefile(ROOT / "topics.toml")
    slugs = {topic.slug for topic in taxonomy.topics}
    assert len(slugs) >= 12
    assert {
        "ai-training",
        "data-retention",
        "data-sharing",
        "arbitration",
        "account-termination",
        "content-licence",
        "children",
        "law-enforcement",
        "location",
        "governing-law",
        "liability",
        "pricing-renewal",
        "opt-out",
    } <= slugs
    for topic in taxonomy.topics:
        assert topic.name and topic.description and "\n" not in topic.description
        assert topic.patterns


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We may use your conversations to train our AI models.", {"ai-training"}),
        ("We do not use your content to train our AI models.", {"ai-training"}),
        ("We keep your personal data for 90 days, then delete it.", {"data-retention"}),
        ("We do not sell your personal data.", {"data-sharing"}),
        (
            "Disputes go to binding individual arbitration; you waive any class action.",
            {"arbitration"},
        ),
        (
            "You grant us a worldwide, royalty-free licence to host your content.",
            {"content-licence"},
        ),
        ("You must be at least 16 years old.", {"children"}),
        (
            "We disclose data to law enforcement when a court order requires it.",
            {"law-enforcement"},
        ),
        (
            "With your permission we collect your precise location.",
            {
                "location",
            },
        ),
        ("These terms are governed by the laws of Ireland.", {"governing-law"}),
        ("Our total liability to you is limited to what you paid.", {"liability"}),
        ("Paid plans renew automatically each month until you cancel.", {"pricing-renewal"}),
        ("You can opt out in your settings.", {"opt-out"}),
        ("Keep your password secret.", set()),
    ],
)
def test_patterns_find_their_topic(text, expected):
    tagger = Tagger(load_topics(ROOT / "topics.toml"))
    assert expected <= set(tagger(text)), tagger(text)
    if not expected:
        assert tagger(text) == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Human reviewers may read some of your chats to improve Gemini.", True),
        ("Some audio is reviewed by human reviewers.", True),
        # Your duties, not the platform's reading of your chats (genai-eu's topic page):
        ("Do not circumvent, disable, or evade human review, monitoring, or moderation.", False),
        ("You will conduct careful human review of each item of the Output.", False),
        ("Check Outputs where human review is appropriate, before using Outputs.", False),
        ("Agents must not act in ways that evade human oversight or accountability.", False),
    ],
)
def test_human_review_is_the_platform_reading_your_content(text, expected):
    tagger = Tagger(load_topics(ROOT / "topics.toml"))
    assert ("human-review" in tagger(text)) == expected, tagger(text)


def test_tags_come_in_taxonomy_order_and_patterns_match_line_by_line(tmp_path):
    path = tmp_path / "topics.toml"
    path.write_text(
        "[topics.second]\nname = 'B'\ndescription = 'b'\npatterns = ['beta']\n"
        "[topics.first]\nname = 'A'\ndescription = 'a'\npatterns = ['alpha\\s+gamma', 'ALPHA$']\n"
    )
    tagger = Tagger(load_topics(path))
    assert tagger("Beta then alpha") == ("second", "first")
    assert tagger("alpha gamma") == ("first",)
    assert tagger("alpha\ngamma") == ("first",)  # 'ALPHA$' on the first line, case-insensitively
    assert tagger("alphas\ngamma") == ()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "[topics.x]\nname = 'X'\ndescription = 'x'\npatterns = ['(unclosed']\n",
            "topics.x.patterns[0]: bad regular expression",
        ),
        (
            "[topics.Bad_Slug]\nname = 'X'\ndescription = 'x'\npatterns = ['x']\n",
            "topics.Bad_Slug: not a slug",
        ),
        (
            "[topics.x]\nname = 'X'\ndescription = 'x'\npatterns = ['x']\ncolour = 'red'\n",
            "topics.x.colour: unknown key",
        ),
        (
            "[topics.x]\ndescription = 'x'\npatterns = ['x']\n",
            "topics.x.name: expected a non-empty string",
        ),
        (
            "[topics.x]\nname = 'X'\ndescription = 'x'\npatterns = []\n",
            "topics.x.patterns: expected a non-empty list",
        ),
        (
            "[topics.x]\nname = 'X'\ndescription = 'x'\npatterns = ['(?i)a', '(?i)b']\n",
            "topics.x.patterns: bad regular expression",
        ),
        ("[topic.x]\nname = 'X'\n", "unknown key 'topic'"),
        ("[topics.x\n", "topics.toml: "),
    ],
)
def test_a_bad_topics_file_is_a_clear_error_naming_file_and_key(tmp_path, content, message):
    path = tmp_path / "topics.toml"
    path.write_text(content)
    with pytest.raises(TermlineError) as error:
        load_topics(path)
    assert str(error.value).startswith(f"{path}: ")
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_the_cli_reports_a_bad_topics_file_in_one_line(demo_repo, tmp_path, capsys):
    bad = tmp_path / "topics.toml"
    bad.write_text("[topics.x]\nname = 'X'\ndescription = 'x'\npatterns = ['[']\n")
    code = main(
        ["build", "--repo", str(demo_repo), "--out", str(tmp_path / "s"), "--topics", str(bad)]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "topics.x.patterns[0]" in err and str(bad) in err
    assert not (tmp_path / "s").exists()


def test_a_missing_topics_file_is_named(tmp_path):
    with pytest.raises(TermlineError, match="no such file"):
        load_topics(tmp_path / "nope.toml")


def test_topics_whose_patterns_clash_together_still_tag(tmp_path):
    path = tmp_path / "topics.toml"
    path.write_text(
        "[topics.a]\nname = 'A'\ndescription = 'a'\npatterns = ['(?P<w>alpha)']\n"
        "[topics.b]\nname = 'B'\ndescription = 'b'\npatterns = ['(?P<w>beta)']\n"
    )
    tagger = Tagger(load_topics(path))
    assert tagger("alpha and beta") == ("a", "b")
    assert tagger("gamma") == ()


def test_a_heading_on_the_topic_outweighs_passing_mentions():
    tagger = Tagger(load_topics(ROOT / "topics.toml"))
    slugs = ("ai-training",)
    headed = tagger.matches("Training our AI models", "We describe our practices here.", slugs)
    long = " ".join(["Words about other things."] * 200 + ["We train our models on chats."])
    passing = tagger.matches("Your account", long, slugs)
    dense = tagger.matches("Your account", "We train our models on chats. That is all.", slugs)
    assert headed[0].score > dense[0].score > passing[0].score > 0
    assert passing[0].text == "We train our models on chats."
    assert headed[0].excerpt == (("Training our AI models", True),)  # no sentence matches: heading


def test_an_excerpt_is_not_the_heading_a_numbered_paragraph_repeats():
    # Perplexity's "2.3.3 **Model Training.** Perplexity shall not use …": its excerpt on
    # provision pages of other platforms was "2.3.3 Model Training.", its heading again.
    tagger = Tagger(load_topics(ROOT / "topics.toml"))
    body = (
        "2.3.3 Model Training. Perplexity shall not use Customer Content to train, retrain or "
        "fine-tune any AI models."
    )
    (match,) = tagger.matches("2.3.3 Model Training.", body, ("ai-training",))
    assert match.text.startswith("Perplexity shall not use")
    bolded = "1. Model training. We do not train our AI models on your content."
    (match,) = tagger.matches("1. Model training", bolded, ("ai-training",))  # "1. **…**."
    assert match.text == "We do not train our AI models on your content."
    (alone,) = tagger.matches("Model training", "Model training.", ("ai-training",))
    assert alone.text == "Model training."  # the only sentence that matches: still shown
    # ... but a comparison shows no excerpt that says no more than the heading beside it
    assert alone.repeats("Model training") and not match.repeats("1. Model training")


def test_an_excerpt_marks_its_matches_and_keeps_scraped_text_as_text():
    tagger = Tagger(load_topics(ROOT / "topics.toml"))
    body = "Intro. <b>Note</b>: we train our models on your chats; nothing else."
    (match,) = tagger.matches("Other", body, ("ai-training",))
    assert match.excerpt == (
        ("<b>Note</b>: we ", False),
        ("train our models", True),
        (" on your chats;", False),
    )
    assert [text for text, marked in match.excerpt if marked] == ["train our models"]
    assert match.text == "<b>Note</b>: we train our models on your chats;"


# Patterns built from what topics.toml uses (literals, groups, choices, repeats, word boundaries,
# classes, lookarounds, flag groups) over a few letters, and texts over the same letters, so
# that patterns often match and the strings a pattern requires are tried on texts that hold
# them in either case.
LETTERS = st.sampled_from(["a", "b", "B", "ab", "ß", " ", "."])
PATTERNS = st.recursive(
    LETTERS.map(re.escape) | st.sampled_from([r"\b", "[ab]", "[^.]", r"\w", "."]),
    lambda inner: st.one_of(
        st.lists(inner, min_size=2, max_size=4).map("".join),
        st.lists(inner, min_size=2, max_size=3).map(lambda c: "(?:" + "|".join(c) + ")"),
        st.tuples(inner, st.sampled_from(["?", "*", "+", "{2}", "{0,2}", "+?"])).map("".join),
        st.tuples(st.sampled_from(["(", "(?>", "(?=", "(?!", "(?-i:", "(?s:"]), inner).map(
            lambda t: t[0] + t[1] + ")"
        ),
    ),
    max_leaves=8,
)


@settings(max_examples=2000, deadline=None)
@given(PATTERNS, st.lists(LETTERS, max_size=12).map("".join))
def test_a_text_a_pattern_matches_holds_a_string_the_pattern_requires(pattern, text):
    needed = required(pattern)
    if needed is not None and re.search(pattern, text, re.IGNORECASE | re.ASCII):
        assert any(string in text.casefold() for string in needed), (pattern, text, needed)


def test_every_shipped_pattern_requires_a_string_and_a_pattern_requiring_none_is_searched(tmp_path):
    taxonomy = load_topics(ROOT / "topics.toml")
    assert all(required(p) for topic in taxonomy.topics for p in topic.patterns)
    assert required(r"\btrain(?:s|ed)?\b[^.]{0,120}\b(?:models?|AI)\b") == {"train"}
    assert required(r"\b(?:models?|AI)\b.{0,80}\b(?:train|fine-tun\w*)") == {"train", "fine-tun"}
    assert required(r"(?:opt(?:s|ed)?[- ]?out|\w+)") is None
    path = tmp_path / "topics.toml"
    path.write_text("[topics.a]\nname = 'A'\ndescription = 'a'\npatterns = ['\\w{12}']\n")
    assert Tagger(load_topics(path))("nothing here\ninternational") == ("a",)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(SHIPPED_WORDS), max_size=30).map(" ".join))
def test_the_shipped_topics_are_found_as_a_search_of_every_pattern_finds_them(line):
    taxonomy = load_topics(ROOT / "topics.toml")
    searched = [
        t.slug for t in taxonomy.topics if any(re.search(p, line, FLAGS) for p in t.patterns)
    ]
    assert Tagger(taxonomy)(line) == tuple(searched)
