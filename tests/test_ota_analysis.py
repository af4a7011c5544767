"""Changes and provisions on the two real Open Terms Archive histories in ../shared/data."""

import re

import cydifflib as difflib  # difflib's algorithm compiled: the same opcodes
import pytest

from conftest import clone_bundle
from termline.analysis.changes import KINDS, NAMED_CHARS, Analysis, analyse
from termline.analysis.history import BlobReader, DocumentHistory, read_history
from termline.analysis.provisions import labelled, plain, split
from termline.analysis.topics import Tagger, default_topics, load_topics
from termline.archive import open_repo


@pytest.fixture(scope="module")
def clones(tmp_path_factory):
    return tmp_path_factory.mktemp("ota-analysis")


def analysed(bundle: str, clones) -> list[tuple[DocumentHistory, Analysis, BlobReader]]:
    repo = open_repo(clone_bundle(bundle, clones))
    reader = BlobReader(repo)
    return [(h, analyse(h, reader.text), reader) for h in read_history(repo, ".")]


@pytest.fixture(scope="module")
def genai(clones):
    return analysed("ota-genai-eu-versions.bundle", clones)


@pytest.fixture(scope="module")
def demo(clones):
    return analysed("ota-demo-versions.bundle", clones)


def plain_letters(text: str) -> str:
    """An independent, blunt normaliser for the test: letters and digits, link targets dropped."""
    return "".join(ch for ch in re.sub(r"\]\([^)]*\)", "]", text).lower() if ch.isalnum())


@pytest.mark.data
@pytest.mark.parametrize("name", ["genai", "demo"])
def test_every_version_gets_a_kind(name, request):
    for history, analysis, _ in request.getfixturevalue(name):
        assert len(analysis.changes) == len(history.versions)
        assert all(change.kind in KINDS for change in analysis.changes), history.path
        assert analysis.changes[0].kind == "first"
        for change in analysis.changes:
            assert (change.kind == "deleted") == (change.version.blob is None)


@pytest.mark.data
def test_the_nbsp_only_commit_is_cosmetic(demo):
    found = [
        change
        for _, analysis, _ in demo
        for change in analysis.changes
        if change.version.sha.startswith("868c3b2")
    ]
    assert [change.kind for change in found] == ["cosmetic"]
    assert found[0].words_added == found[0].words_removed == 0


@pytest.mark.data
def test_reverts_are_found_with_the_right_version(genai):
    expected_reverts = reverts = preempted = 0
    for history, analysis, reader in genai:
        seen: dict[str, int] = {}
        for index, (version, change) in enumerate(
            zip(history.versions, analysis.changes, strict=True)
        ):
            if version.blob is None:
                continue
            earlier = seen.get(version.blob)
            if earlier is not None and earlier < index - 1:
                expected_reverts += 1
                preempted += change.kind in ("cosmetic", "dates", "technical")  # noise first
                assert change.kind in {"revert", "cosmetic", "dates", "technical"}, (
                    history.path,
                    version.id,
                )
            if change.kind == "revert":
                reverts += 1
                ids = [v.id for v in history.versions]
                target = ids.index(change.reverts_to)
                assert target < index - 1
                if earlier is not None:
                    assert target >= earlier
                before = history.versions[target]
                assert plain_letters(reader.text(before.blob)) == plain_letters(
                    reader.text(version.blob)
                )
            seen[version.blob] = index
    assert expected_reverts > 200
    assert reverts >= (expected_reverts - preempted) * 0.9


@pytest.mark.data
@pytest.mark.parametrize("name", ["genai", "demo"])
def test_provision_ids_do_not_churn(name, request):
    for history, analysis, reader in request.getfixturevalue(name):
        keys: set[str] = set()
        largest = 0
        for blob in {v.blob for v in history.versions if v.blob}:
            sections = split(reader.text(blob))
            keys |= {section.key for section in sections}
            largest = max(largest, len(sections))
        ids = [provision.id for provision in analysis.provisions]
        assert len(ids) == len(set(ids)), history.path
        assert len(ids) <= len(keys), history.path
        assert len(ids) <= 2 * largest + 5, (history.path, len(ids), largest)


@pytest.mark.data
def test_changes_name_only_known_provisions(genai):
    for history, analysis, _ in genai:
        known = {p.id for p in analysis.provisions}
        for change in analysis.changes:
            renamed = [pair[0] for pair in change.renamed]
            for id_ in (*change.added, *change.removed, *change.modified, *renamed):
                assert id_ in known, (history.path, id_)


STRUCTURE = re.compile(r"^ {0,3}(?:#{1,6}\s|\*\*|__|\d{1,3}\\?\.\s|[=-]{3,}\s*$)", re.MULTILINE)
HASHED = re.compile(r"(?:^x-|-(?=[0-9a-f]*\d)[0-9a-f]{6}$)")
ERROR_PAGE = re.compile(
    r"(?:^|-)(?:isnt-available|not-found|error|access-denied|just-a-moment)(?:-|$)"
)


def current_texts(archive) -> list[tuple[DocumentHistory, Analysis, str]]:
    return [
        (history, analysis, reader.text(history.versions[-1].blob))
        for history, analysis, reader in archive
        if history.versions[-1].blob is not None
    ]


@pytest.mark.data
@pytest.mark.parametrize("name", ["genai", "demo"])
def test_long_documents_with_structure_have_at_least_three_provisions(name, request):
    """Every current document over 1,500 words with bold, numbered or heading lines: 3 or more."""
    checked = 0
    for history, analysis, text in current_texts(request.getfixturevalue(name)):
        if len(text.split()) > 1500 and len(STRUCTURE.findall(text)) >= 3:
            checked += 1
            current = [p for p in analysis.provisions if p.current]
            assert len(current) >= 3, (history.path, len(current))
    assert checked >= (40 if name == "genai" else 10)


@pytest.mark.data
def test_the_documents_that_were_one_provision_are_split_into_their_clauses(genai):
    counts = {
        str(history.path): sum(p.current for p in analysis.provisions)
        for history, analysis, _ in genai
    }
    assert counts["Perplexity/Privacy Policy.md"] >= 12  # bold paragraphs as headings
    assert counts["Perplexity/Developer Terms.md"] >= 10  # "**2\. USE OF PLATFORM**."
    assert counts["Grok/Commercial Terms.md"] >= 10  # "1.  **SPACEXAI PRODUCTS AND SERVICES**"
    assert counts["Llama API/Terms of Service.md"] >= 5  # the parts of a combined document
    assert counts["Meta AI/Terms of Service.md"] >= 10  # "*   **Your Commitments**"


@pytest.mark.data
@pytest.mark.parametrize("name", ["genai", "demo"])
def test_no_provision_id_is_a_hash_or_named_by_an_error_page(name, request):
    for history, analysis, _ in request.getfixturevalue(name):
        for provision in analysis.provisions:
            assert not HASHED.search(provision.id), (history.path, provision.id)
            if provision.current:
                assert not ERROR_PAGE.search(provision.id), (history.path, provision.id)


@pytest.mark.data
def test_current_sections_keep_the_ids_of_their_headings(genai):
    """Ids are stable: most current provisions' ids are their own heading's key."""
    own = total = 0
    for history, analysis, reader in genai:
        last = history.versions[-1]
        if last.blob is None:
            continue
        keys = {section.key for section in split(reader.text(last.blob))}
        current = [p.id for p in analysis.provisions if p.current]
        own += sum(id_ in keys for id_ in current)
        total += len(current)
    assert own >= 0.9 * total, (own, total)


BLUNT_DATE = re.compile(
    r"\d+|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b|\bago\b|\bdays?\b"
    r"|\bweeks?\b|\bmonths?\b|\byears?\b|\bhours?\b|\bminutes?\b|\byesterday\b",
    re.IGNORECASE,
)


def blunt_words(text: str) -> list[str]:
    """Words of a text as the test sees them: link targets, digits and date words dropped."""
    text = BLUNT_DATE.sub(" ", re.sub(r"\]\([^)]*\)", "]", text))
    words = ("".join(ch for ch in word.lower() if ch.isalnum()) for word in text.split())
    return [word for word in words if word]


def blunt_changed(old: str, new: str) -> int:
    matcher = difflib.SequenceMatcher(None, blunt_words(old), blunt_words(new), autojunk=False)
    return sum(
        max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"
    )


def pairs(genai):
    """Yield each change with the texts it was classified between: its own and its previous
    version's (the last policy, when an error page was recorded in between)."""
    for history, analysis, reader in genai:
        blobs = {version.id: version.blob for version in history.versions}
        for change in analysis.changes[1:]:
            old, new = blobs.get(change.previous or ""), change.version.blob
            if old and new:
                yield history, change, reader.text(old), reader.text(new)


@pytest.mark.data
def test_every_technical_upgrade_is_technical(genai):
    upgrades = [
        change
        for _, analysis, _ in genai
        for change in analysis.changes
        if change.version.title.startswith("Apply technical or declaration upgrade")
    ]
    assert len(upgrades) == 37
    assert {change.kind for change in upgrades} == {"technical"}


@pytest.mark.data
def test_no_change_of_dates_alone_is_substantive(genai):
    dates = 0
    for history, change, old, new in pairs(genai):
        if change.kind == "substantive":  # (blunt_words drops every number: see those too)
            numbers = re.findall(r"\d+", old) != re.findall(r"\d+", new)
            assert numbers or blunt_words(old) != blunt_words(new), (history.path, change.id)
        dates += change.kind == "dates"
    assert dates >= 90  # 66 of them the ChatGPT Acceptable Use Policy's "Updated N days ago"


@pytest.mark.data
def test_ten_words_changed_outside_dates_and_links_stay_news(genai):
    checked = 0
    for history, change, old, new in pairs(genai):
        if change.kind in ("cosmetic", "dates"):
            assert blunt_changed(old, new) < 10, (history.path, change.id, change.kind)
            checked += 1
    assert checked > 400


@pytest.mark.data
def test_the_relative_dates_and_rewritten_dates_are_dates(genai):
    by_sha = {c.version.sha[:7]: c for _, a, _ in genai for c in a.changes}
    assert by_sha["912d7ac"].kind == "dates"  # Claude: "Effective8 July 2026" → "July 8, 2026"
    for sha in ("3163f2b", "0984316", "31a808c"):  # ChatGPT AUP: "Updated 22 days ago" → 23
        assert by_sha[sha].kind == "dates"
        assert by_sha[sha].summary.startswith("Only dates changed")


@pytest.mark.data
def test_every_substantive_summary_names_a_changed_clause(genai):
    count = 0
    for history, analysis, _ in genai:
        for change in analysis.changes:
            if change.kind != "substantive":
                continue
            count += 1
            edits = [edit for edit in change.edits if edit.diff.changed or edit.significance]
            headings = {labelled(edit.part, plain(edit.heading)) for edit in edits}
            named = {h if len(h) <= NAMED_CHARS else h[: NAMED_CHARS // 2] for h in headings}
            assert any(f"“{h}" in change.summary for h in named), (history.path, change.id)
            assert change.significance > 0 or not change.edits
    assert count > 150


@pytest.fixture(scope="module")
def tagged(clones):
    repo = open_repo(clone_bundle("ota-genai-eu-versions.bundle", clones))
    reader = BlobReader(repo)
    tagger = Tagger(load_topics(default_topics()))
    return tagger, [analyse(h, reader.text, tagger) for h in read_history(repo, ".")]


@pytest.mark.data
def test_every_topic_excerpt_holds_a_match_of_its_topic(tagged):
    tagger, analyses = tagged
    patterns = {t.slug: re.compile("|".join(t.patterns), re.I) for t in tagger.taxonomy.topics}
    count = 0
    for analysis in analyses:
        for provision in analysis.provisions:
            if not provision.current:
                continue
            assert [m.topic for m in provision.matches] == list(provision.topics), provision.id
            for match in provision.matches:
                marked = [text for text, is_match in match.excerpt if is_match]
                assert marked, (provision.id, match.topic)
                assert all(patterns[match.topic].search(text) for text in marked)
                count += 1
    assert count > 1000
