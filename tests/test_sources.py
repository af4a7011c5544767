"""Declarations: sources.toml read into sources, and every malformation a one-line error."""

import logging
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from termline.cli import main
from termline.errors import TermlineError
from termline.sources import TERMS_TYPES, load_config

ROOT = Path(__file__).resolve().parents[1]

GOOD = """\
[site]
title = "Policies"
repo_url = "https://github.com/owner/repo"

[platforms.acme]
name = "Acme"

[platforms.acme.documents.terms]
name = "Terms of Service"
type = "Terms of Service"
url = "https://acme.example/terms"
select = ["main", "#annex"]
remove = [".cookie-banner", "nav"]

[platforms.acme.documents.privacy]
url = "https://acme.example/privacy"
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_file_gives_every_source(tmp_path):
    config = load_config(_write(tmp_path, GOOD))
    assert (config.title, config.repo_url, config.base_url) == (
        "Policies",
        "https://github.com/owner/repo",
        None,
    )
    terms, privacy = config.sources
    assert (terms.platform, terms.platform_name, terms.document, terms.name) == (
        "acme",
        "Acme",
        "terms",
        "Terms of Service",
    )
    assert terms.select == "main, #annex"
    assert terms.remove == (".cookie-banner", "nav")
    assert (privacy.name, privacy.type, privacy.select, privacy.remove) == (
        "privacy",
        "privacy",
        None,
        (),
    )
    assert config.find("acme", "privacy") == privacy
    assert (privacy.ignore, privacy.min_words, privacy.keep_relative_times) == ((), None, False)


def test_a_document_declares_ignore_patterns_a_word_floor_and_relative_times(tmp_path):
    text = GOOD.replace(
        'url = "https://acme.example/privacy"\n',
        'url = "https://acme.example/privacy"\n'
        'ignore = ["^Last updated: .*$", "(?i)session \\\\w+"]\n'
        "min_words = 40\nkeep_relative_times = true\n",
    )
    privacy = load_config(_write(tmp_path, text)).sources[1]
    assert privacy.ignore == ("^Last updated: .*$", "(?i)session \\w+")
    assert (privacy.min_words, privacy.keep_relative_times) == (40, True)


MALFORMED = {
    "bad toml": ("[platforms.acme\n", "not valid TOML"),
    "missing url": (
        GOOD.replace('url = "https://acme.example/privacy"\n', 'name = "Privacy"\n'),
        "platforms.acme.documents.privacy.url: missing",
    ),
    "bad platform slug": (
        GOOD.replace("platforms.acme", "platforms.Acme"),
        "platforms.Acme: 'Acme'",
    ),
    "bad document slug": (
        GOOD.replace("documents.terms]", "documents.terms_of_service]"),
        "platforms.acme.documents.terms_of_service: 'terms_of_service' is not a slug",
    ),
    "non-http url": (
        GOOD.replace("https://acme.example/terms", "ftp://acme.example/terms"),
        "platforms.acme.documents.terms.url: 'ftp://acme.example/terms' is not an http(s) URL",
    ),
    "url without host": (
        GOOD.replace("https://acme.example/terms", "https:///terms"),
        "is not an http(s) URL",
    ),
    "duplicate table": (
        GOOD + '\n[platforms.acme.documents.terms]\nurl = "https://acme.example/t"\n',
        "not valid TOML",
    ),
    "same page twice": (
        GOOD.replace("https://acme.example/privacy", "https://acme.example/terms").replace(
            'select = ["main", "#annex"]\nremove = [".cookie-banner", "nav"]\n', ""
        ),
        "platforms.acme.documents.privacy: declares the same url and selectors as "
        "platforms.acme.documents.terms",
    ),
    "unknown key": (
        GOOD.replace('select = ["main"', 'selector = ["main"'),
        "platforms.acme.documents.terms.selector: unknown key",
    ),
    "bad selector": (
        GOOD.replace('"#annex"', '"main >> p"'),
        "platforms.acme.documents.terms.select: 'main >> p' is not a CSS selector",
    ),
    "wrong type": (GOOD.replace('name = "Acme"', "name = 3"), "platforms.acme.name: expected"),
    "remove not a list of strings": (
        GOOD.replace('remove = [".cookie-banner", "nav"]', "remove = [1, 2]"),
        "platforms.acme.documents.terms.remove: expected a string or a list",
    ),
    "platform not a table": ('[platforms]\nacme = "Acme"\n', "platforms.acme: expected a table"),
    "bad author": (
        GOOD.replace('title = "Policies"', 'title = "Policies"\nauthor = "bot@example.org"'),
        "site.author: 'bot@example.org' is not 'Name <email>'",
    ),
    "unknown top-level key": ('[sites]\ntitle = "x"\n', "sites: unknown key"),
    "bad ignore pattern": (
        GOOD.replace('remove = [".cookie-banner", "nav"]', 'ignore = ["Updated (\\\\d+"]'),
        "platforms.acme.documents.terms.ignore: 'Updated (\\\\d+' is not a regular expression: "
        "missing ), unterminated subpattern at position 8",
    ),
    "ignore not a list of strings": (
        GOOD.replace('remove = [".cookie-banner", "nav"]', "ignore = [3]"),
        "platforms.acme.documents.terms.ignore: expected a string or a list",
    ),
    "min_words zero": (
        GOOD.replace('remove = [".cookie-banner", "nav"]', "min_words = 0"),
        "platforms.acme.documents.terms.min_words: expected a whole number of at least 1, not 0",
    ),
    "min_words not a number": (
        GOOD.replace('remove = [".cookie-banner", "nav"]', 'min_words = "50"'),
        "platforms.acme.documents.terms.min_words: expected a whole number",
    ),
    "keep_relative_times not a boolean": (
        GOOD.replace('remove = [".cookie-banner", "nav"]', 'keep_relative_times = "yes"'),
        "platforms.acme.documents.terms.keep_relative_times: expected true or false",
    ),
}


@pytest.mark.parametrize("case", MALFORMED)
def test_a_malformed_file_is_one_line_naming_file_and_key(tmp_path, case, capsys):
    text, expected = MALFORMED[case]
    path = _write(tmp_path, text)
    with pytest.raises(TermlineError) as error:
        load_config(path)
    message = str(error.value)
    assert message.startswith(f"{path}: ") and expected in message, message
    assert "\n" not in message
    repo = tmp_path / "repo"
    repo.mkdir()
    assert main(["scrape", "--sources", str(path), "--repo", str(repo)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and expected in err and "Traceback" not in err


def test_an_unknown_terms_type_is_allowed_and_warned_about(tmp_path, caplog):
    text = GOOD.replace('type = "Terms of Service"', 'type = "Pinky Promise"')
    with caplog.at_level(logging.WARNING):
        config = load_config(_write(tmp_path, text))
    assert config.sources[0].type == "Pinky Promise"
    assert "'Pinky Promise' is not a known terms type" in caplog.text
    assert "privacy" not in caplog.text  # no type declared, no warning: the type is the name


def test_the_shipped_sources_declare_twenty_documents_of_known_platforms():
    config = load_config(ROOT / "sources.toml")
    assert len(config.sources) >= 20
    assert len({s.platform for s in config.sources}) >= 10
    for source in config.sources:
        assert urlsplit(source.url).scheme == "https", source
        assert source.type in TERMS_TYPES, source
    for platform in ("anthropic", "openai", "google", "facebook", "strava", "aws"):
        assert any(s.platform == platform for s in config.sources), platform
