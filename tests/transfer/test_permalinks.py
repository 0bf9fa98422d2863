"""Old Jekyll URLs, as Jekyll 4 generated them. Expected values were produced by Jekyll 4.3.1."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from transfer.permalinks import COLLECTION_DEFAULT, POSTS_DEFAULT, STYLES, jekyll_url, slugify

PLUS_EIGHT = timezone(timedelta(hours=8))


def url(template: str = POSTS_DEFAULT, **document) -> str:
    """jekyll_url for a post with no categories unless the test says otherwise."""
    document.setdefault("date", date(2025, 5, 22))
    document.setdefault("slug", "a-post")
    document.setdefault("basename", f"2025-05-22-{document['slug']}")
    document.setdefault("categories", [])
    return jekyll_url(template, **document)


# Posts under the built-in styles


def test_date_style_reads_the_date_in_the_offset_it_carries():
    assert (
        url(
            date=datetime(2025, 5, 22, 12, tzinfo=PLUS_EIGHT),
            slug="transatlantic-strategic-security",
        )
        == "/2025/05/22/transatlantic-strategic-security.html"
    )


def test_a_date_converted_to_the_site_time_zone_gives_jekylls_day():
    """Jekyll moves front-matter dates into the site's zone: a UTC build files 02:00 +08:00
    under the day before, so the importer converts before asking."""
    written = datetime(2025, 5, 22, 2, tzinfo=PLUS_EIGHT)
    assert url(date=written) == "/2025/05/22/a-post.html"
    assert url(date=written.astimezone(UTC)) == "/2025/05/21/a-post.html"


def test_categories_are_downcased_but_keep_their_spaces():
    assert (
        url(date=date(2010, 4, 18), slug="expiration-dates", categories=["blog", "Consulting Days"])
        == "/blog/consulting days/2010/04/18/expiration-dates.html"
    )


def test_categories_are_deduplicated_after_downcasing():
    assert (
        url("/:categories/:title", categories=["News", "news", "C#", "100%"])
        == "/news/c#/100%/a-post"
    )


def test_slugified_categories():
    assert (
        url("/:slugified_categories/:title", categories=["Ünïcode Cat", "a b", "A B"])
        == "/ünïcode-cat/a-b/a-post"
    )


def test_pretty_style_ends_with_a_slash():
    assert url("pretty") == "/2025/05/22/a-post/"


def test_none_style_has_no_date():
    assert url("none", categories=["blog"]) == "/blog/a-post.html"


def test_ordinal_style_pads_the_day_of_the_year_to_three_digits():
    assert url("ordinal", date=date(2020, 1, 1)) == "/2020/001/a-post.html"


def test_weekdate_style_uses_the_iso_week():
    assert url("weekdate", date=date(2010, 4, 18)) == "/2010/W15/Sun/a-post.html"


def test_styles_are_jekylls_five():
    assert set(STYLES) == {"date", "pretty", "ordinal", "weekdate", "none"}


# Templates and front-matter permalinks


def test_title_keeps_case_and_slug_lowercases():
    assert url("/:title/:slug", slug="TockingTime") == "/TockingTime/tockingtime"


def test_title_slugifies_pretty_so_a_space_becomes_a_hyphen():
    assert (
        url("/:categories/:title/", slug="school-exclusions-and alternative-provision")
        == "/school-exclusions-and-alternative-provision/"
    )


def test_title_keeps_unicode_letters():
    assert url("/:title", slug="un-mundo-utópico:-tecnología") == "/un-mundo-utópico-tecnología"


def test_name_is_the_slugified_file_name():
    assert url("/:name", basename="2015-05-22-TockingTime") == "/2015-05-22-tockingtime"


def test_a_literal_permalink_stays_as_it_is():
    assert url("/2015/05/21/tockingtime/") == "/2015/05/21/tockingtime/"


def test_a_permalink_without_a_leading_slash_gets_one():
    assert url("blog/twitter-and-short-url-conundrum") == "/blog/twitter-and-short-url-conundrum"


def test_percent_escapes_in_a_permalink_are_decoded():
    """Permalinks written by importers escape non-ASCII; Jekyll serves the decoded path."""
    assert url("/2010/04/%e4%b8%ad%e6%96%87/") == "/2010/04/中文/"


def test_a_placeholder_followed_by_an_underscore():
    assert (
        url("/:year/:month_:day/:i_month-:i_day/:short_year/:y_day", date=date(2011, 12, 31))
        == "/2011/12_31/12-31/11/365"
    )


def test_every_date_and_time_placeholder():
    template = (
        "/:w_year/W:week/:w_day/:short_day/:long_day/:short_month/:long_month/:hour:minute:second"
    )
    assert (
        url(template, date=datetime(2021, 1, 3, 7, 8, 9))
        == "/2020/W53/7/Sun/Sunday/Jan/January/070809"
    )


def test_a_date_without_a_time_is_midnight():
    assert url("/:hour:minute:second", date=date(2021, 1, 3)) == "/000000"


def test_a_naive_datetime_uses_its_wall_time():
    assert url("/:day/:hour", date=datetime(2025, 5, 22, 23, 30)) == "/22/23"


def test_dot_segments_are_removed():
    assert url("/a/../:title/./x") == "/a/a-post/x"


def test_an_empty_slug_leaves_an_empty_title():
    assert url(slug="") == "/2025/05/22/.html"


# Other collections


def test_collection_default():
    assert (
        url(
            COLLECTION_DEFAULT,
            date=None,
            collection="hkers",
            path="2024-03-15-orbáns-balkan-allies",
        )
        == "/hkers/2024-03-15-orbáns-balkan-allies.html"
    )


def test_collection_path_keeps_folders_and_loses_trailing_dots():
    assert url(COLLECTION_DEFAULT, collection="hkers", path="/sub/Deep Note..") == (
        "/hkers/sub/Deep Note.html"
    )


# What cannot be reproduced


def test_a_date_placeholder_without_a_date_is_refused():
    with pytest.raises(ValueError, match=":year"):
        url(date=None)


def test_an_unknown_placeholder_is_refused():
    with pytest.raises(ValueError, match=":colour"):
        url("/:colour/:title")


# slugify, against the examples in Jekyll's Utils.slugify docstring and more


@pytest.mark.parametrize(
    ("text", "mode", "cased", "expected"),
    [
        ("The _config.yml file", "default", False, "the-config-yml-file"),
        ("The _config.yml file", "pretty", False, "the-_config.yml-file"),
        # The docstring shows "The-_config.yml file"; Jekyll returns this.
        ("The _config.yml file", "pretty", True, "The-_config.yml-file"),
        ("The _config.yml file", "ascii", False, "the-config-yml-file"),
        ("The _config.yml file", "latin", False, "the-config-yml-file"),
        ("The _config.yml file?", "pretty", False, "the-_config.yml-file"),
        ("The _config.yml file?", "raw", False, "the-_config.yml-file?"),
        ("The _config.yml file?", "ascii", False, "the-config-yml-file"),
    ],
)
def test_slugify_documented_examples(text, mode, cased, expected):
    assert slugify(text, mode, cased=cased) == expected


def test_slugify_latin_drops_accents_and_replaces_other_scripts():
    assert slugify("Café Déjà-vu in Ærøskøbing", "latin") == "cafe-deja-vu-in-aeroskobing"
    assert slugify("Łódź 日本", "latin") == "lodz"


def test_slugify_default_keeps_unicode_letters_marks_and_digits():
    assert slugify("Ünïcode Cat") == "ünïcode-cat"
    assert slugify("e\u0301te\u0301 ١٢ ½") == "e\u0301te\u0301-١٢"
    assert slugify("Ünïcode Cat", "ascii") == "n-code-cat"


def test_slugify_strips_one_hyphen_from_each_end():
    assert slugify(" -a- ", "raw") == "-a-"


def test_slugify_lowercases_as_ruby_does():
    assert slugify("ΟΔΟΣ") == "οδοσ"


def test_slugify_unknown_mode_returns_the_text():
    assert slugify("Hello World", "none") == "hello world"
    assert slugify("Hello World", "none", cased=True) == "Hello World"


@pytest.mark.parametrize("mode", ["default", "pretty", "latin"])
def test_slugify_treats_ascii_alike_in_ascii_text_and_in_unicode_text(mode):
    # Only "é" makes a text Unicode: each ASCII character must be kept or replaced the same.
    differing = [
        character
        for character in map(chr, range(128))
        if slugify(f"é{character}é", mode, cased=True)[1:-1]
        != slugify(f"a{character}a", mode, cased=True)[1:-1]
    ]
    assert differing == []
