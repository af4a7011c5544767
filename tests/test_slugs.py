"""Slugs are short, safe and unique within their parent, whatever the name."""

from termline.slugs import MAX_LENGTH, is_slug, slugify, unique_slugs


def test_display_names_become_slugs():
    assert slugify("Claude.ai") == "claude-ai"
    assert slugify("Terms of Service") == "terms-of-service"
    assert slugify("Société Générale") == "societe-generale"


def test_names_that_slug_to_nothing_or_too_long_stay_safe():
    for name in ["", "..", "日本語", "\u202eevil", "a" * 500, "../../etc/passwd"]:
        slug = slugify(name)
        assert is_slug(slug), (name, slug)
        assert len(slug) <= MAX_LENGTH


def test_colliding_names_get_unique_slugs_deterministically():
    names = ["Privacy Policy", "privacy policy", "Privacy-Policy"]
    first = unique_slugs(names)
    assert len(set(first.values())) == 3
    assert unique_slugs(reversed(names)) == first
    assert "privacy-policy" in first.values()
