"""Reading one Markdown file with front matter: what is accepted, what is noted, what is refused."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers import SEED, needs_shared

from transfer.documents import MAX_BYTES, FrontMatterError
from transfer.frontmatter import ParsedPost, parse

BODY = "_The lead._\n\n<excerpt/>\n\nThe rest.\n"


def write(tmp_path, front: str, body: str = BODY, name: str = "2025-05-22-a-post.md") -> Path:
    """A file made of `front` (the lines between the `---` markers) and `body`."""
    path = tmp_path / name
    path.write_text(f"---\n{front}---\n{body}", encoding="utf-8")
    return path


def parse_front(tmp_path, front: str, **kwargs):
    return parse(write(tmp_path, front, **kwargs))


def refused(tmp_path, front: str, **kwargs) -> FrontMatterError:
    with pytest.raises(FrontMatterError) as caught:
        parse_front(tmp_path, front, **kwargs)
    return caught.value


# The seed


@needs_shared()
def test_seed_reads_as_the_reference_post():
    post = parse(SEED)
    assert post.title == "Transatlantic Strategic Security"
    assert post.slug == "transatlantic-strategic-security"
    assert post.authors == ["Alexander Mattelaer"]
    assert post.published_at == datetime(2025, 5, 22, 4, 0, tzinfo=UTC)
    assert post.published_offset == 480
    assert post.image_url == "https://i.imgur.com/4gi0QeQ.jpeg"
    assert post.image_caption == ""
    assert post.description == "What Strategic Outlook for Transatlantic Security?"
    assert post.excerpt_separator == "<excerpt/>"
    assert post.body.lstrip().startswith("_European security is under strain")
    assert post.draft is False
    # `#image_caption: ""` is a YAML comment: it is neither a field nor an extra key.
    assert post.extra == {"layout": "post"}
    assert post.notes == []
    assert post.lines["date"] == 5


# Errors say file and line


def test_error_text_names_file_and_line():
    assert str(FrontMatterError(Path("a.md"), 3, "bad")) == "a.md:3: bad"
    assert str(FrontMatterError(Path("a.md"), None, "bad")) == "a.md: bad"


def test_title_yes_is_a_boolean_and_refused(tmp_path):
    error = refused(tmp_path, "layout: post\ntitle: yes\n")
    assert error.line == 3
    assert str(error).startswith(f"{tmp_path / '2025-05-22-a-post.md'}:3: title must be text")
    assert "put the text in quotes" in error.message


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("[a, b]", "a list"),
        ("{a: b}", "a set of keys"),
        ("1984", "a number"),
        ("2020-01-01", "a date"),
    ],
)
def test_title_of_another_type_is_refused(tmp_path, value, kind):
    error = refused(tmp_path, f"title: {value}\n")
    assert error.line == 2
    assert error.message.startswith(f"title must be text, not {kind}")


@pytest.mark.parametrize(
    "key", ["description", "excerpt", "excerpt_separator", "slug", "image_alt"]
)
def test_every_text_field_is_type_checked(tmp_path, key):
    error = refused(tmp_path, f"title: T\n{key}:\n  - a\n  - b\n")
    assert error.line == 3 and error.message.startswith(f"{key} must be text, not a list")


def test_python_tags_are_refused_at_their_line(tmp_path):
    error = refused(tmp_path, 'title: T\nx: !!python/object/apply:os.system ["echo pwned"]\n')
    assert error.line == 3
    assert error.message == (
        "invalid YAML: the YAML tag !!python/object/apply:os.system is not allowed in front matter"
    )


def test_any_explicit_tag_is_refused(tmp_path):
    error = refused(tmp_path, "title: T\n\ndata: !!binary aGk=\n")
    assert error.line == 4 and "!!binary" in error.message


def test_an_alias_bomb_is_refused_at_its_first_anchor(tmp_path):
    # Ten levels of nine: 3.5 billion "lol"s once expanded, though it loads in milliseconds.
    levels = [f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 9)}]\n" for n in range(1, 10)]
    bomb = "l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(levels)
    error = refused(tmp_path, f"title: T\n{bomb}")
    assert error.line == 3
    assert "anchors and aliases" in error.message


def test_an_alias_alone_is_refused(tmp_path):
    error = refused(tmp_path, "title: T\ndescription: *nothing\n")
    assert error.line == 3 and "anchors and aliases" in error.message


def test_missing_closing_marker_names_the_opening_line(tmp_path):
    path = tmp_path / "2025-05-22-open.md"
    path.write_text("---\ntitle: T\n\nBody without an end to the front matter.\n")
    with pytest.raises(FrontMatterError) as caught:
        parse(path)
    assert str(caught.value) == (
        f"{path}:1: the front matter opened here is never closed by a '---' line"
    )


def test_a_file_without_front_matter_is_refused(tmp_path):
    path = tmp_path / "2025-05-22-plain.md"
    path.write_text("# Just Markdown\n")
    with pytest.raises(FrontMatterError) as caught:
        parse(path)
    assert caught.value.line == 1 and "must start with a '---' line" in caught.value.message


def test_an_impossible_date_is_refused_at_its_line(tmp_path):
    error = refused(tmp_path, "title: T\nauthor: A\ndate: 2020-02-32\n")
    assert error.line == 4
    assert "2020-02-32" in error.message and "not a valid" in error.message


def test_a_quoted_day_past_the_months_end_rolls_over_as_ruby_reads_it(tmp_path):
    post = parse_front(tmp_path, 'title: T\ndate: "2020-02-30 10:00"\n')
    assert post.published_at == datetime(2020, 3, 1, 10, tzinfo=UTC) and post.rolled_over
    assert post.notes == ["line 3: date 2020-02-30 does not exist; Jekyll reads it as 2020-03-01"]


def test_an_impossible_quoted_date_is_refused_at_its_line(tmp_path):
    error = refused(tmp_path, 'title: T\ndate: "2020-02-32 10:00"\n')
    assert error.line == 3 and error.message.startswith(
        "date '2020-02-32 10:00' is not a valid date"
    )


@pytest.mark.parametrize("value", ["yes", "[2025-05-22]", "next tuesday"])
def test_a_date_of_another_type_is_refused(tmp_path, value):
    assert refused(tmp_path, f"title: T\ndate: {value}\n").line == 3


def test_an_impossible_file_name_date_is_refused(tmp_path):
    error = refused(tmp_path, "title: T\n", name="2025-13-40-post.md")
    assert error.line is None and "2025-13-40" in error.message


def test_non_utf8_bytes_name_offset_and_line(tmp_path):
    path = tmp_path / "2025-05-22-latin1.md"
    path.write_bytes(b"---\ntitle: T\n---\nCaf\xe9\n")
    with pytest.raises(FrontMatterError) as caught:
        parse(path)
    assert caught.value.line == 4
    assert str(caught.value) == (
        f"{path}:4: not UTF-8: byte 0xE9 at byte offset 20 cannot be decoded; "
        "save the file as UTF-8"
    )


def test_an_oversize_file_is_refused_before_it_is_read(tmp_path, monkeypatch):
    path = tmp_path / "2025-05-22-huge.md"
    path.write_bytes(b"---\ntitle: T\n---\n" + b"x" * MAX_BYTES)

    def no_reading(*args, **kwargs):
        raise AssertionError("the file was opened")

    monkeypatch.setattr(Path, "open", no_reading)
    with pytest.raises(FrontMatterError) as caught:
        parse(path)
    assert caught.value.line is None
    assert caught.value.message == (
        f"the file is {MAX_BYTES + 17:,} bytes, over the limit of {MAX_BYTES:,} bytes"
    )


def test_a_missing_file_is_an_error_not_a_crash(tmp_path):
    with pytest.raises(FrontMatterError) as caught:
        parse(tmp_path / "nowhere.md")
    assert "cannot read the file" in caught.value.message


def test_yaml_syntax_errors_name_the_line(tmp_path):
    error = refused(tmp_path, "title: T\ndescription: a\n  nested: b\n")
    assert error.line == 4 and error.message.startswith("invalid YAML: mapping values")


def test_an_unclosed_quote_names_where_it_began(tmp_path):
    error = refused(tmp_path, 'title: T\ndescription: "never closed\nauthor: A\n')
    assert "began on line 3" in error.message


def test_front_matter_must_be_keys_and_values(tmp_path):
    error = refused(tmp_path, "- title\n- T\n")
    assert error.line == 2 and error.message == "front matter must be keys and values, not a list"


def test_keys_must_be_text(tmp_path):
    error = refused(tmp_path, "title: T\nyes: 1\n")
    assert error.line == 3 and "the key 'yes' must be text" in error.message


def test_deep_nesting_is_refused(tmp_path):
    error = refused(tmp_path, "title: T\nx: " + "[" * 5000 + "]" * 5000 + "\n")
    assert "exceeded maximum nesting depth" in error.message
    error = refused(tmp_path, "title: T\nx: " + "[" * 900 + "]" * 900 + "\n")
    assert error.message == "the front matter is nested too deeply"


def test_a_control_character_is_named_at_its_line(tmp_path):
    error = refused(tmp_path, "title: 興中會成立宣言\nnote: \x07\n")
    assert (error.line, error.message) == (3, "invalid YAML: character U+0007 is not allowed")


def test_line_numbers_count_only_real_line_ends(tmp_path):
    # YAML also breaks lines at U+2028; an editor does not, and the line must match the editor's.
    error = refused(tmp_path, 'description: "one\u2028two"\n\n# a comment\ntitle: no\n')
    assert error.line == 5


# Accepted, with a note


def test_a_byte_order_mark_is_accepted_and_noted(tmp_path):
    path = tmp_path / "2025-05-22-bom.md"
    path.write_bytes(b"\xef\xbb\xbf---\ntitle: T\n---\nBody\n")
    post = parse(path)
    assert post.title == "T"
    assert "a UTF-8 byte order mark at the start of the file was removed" in post.notes


def test_crlf_is_accepted_noted_and_lines_still_count(tmp_path):
    path = tmp_path / "2025-05-22-crlf.md"
    path.write_bytes(b"---\r\ntitle: T\r\ntags: a b\r\n---\r\nLead.\r\n\r\nMore.\r\n")
    post = parse(path)
    assert (post.title, post.tags, post.body) == ("T", ["a", "b"], "Lead.\n\nMore.\n")
    assert "CRLF (or CR) line endings were converted to LF" in post.notes
    path.write_bytes(b"---\r\nlayout: post\r\ntitle: on\r\n---\r\n")
    with pytest.raises(FrontMatterError) as caught:
        parse(path)
    assert caught.value.line == 3


def test_a_duplicated_key_keeps_the_last_value_and_is_noted(tmp_path):
    post = parse_front(tmp_path, "title: First\nimage: /a.png\ntitle: Second\n")
    assert post.title == "Second"
    assert post.lines["title"] == 4
    assert post.notes == ["line 4: 'title' is given more than once; the last value wins"]


def test_a_duplicated_nested_key_is_noted(tmp_path):
    post = parse_front(tmp_path, "title: T\nimage:\n  path: /a.png\n  path: /b.png\n")
    assert post.image_url == "/b.png"
    assert post.notes == ["line 5: 'path' is given more than once; the last value wins"]


def test_a_missing_title_comes_from_the_file_name(tmp_path):
    post = parse_front(tmp_path, "author: A\n", name="2025-05-22-edge-case-no-yaml-title.md")
    assert post.title == "Edge Case No Yaml Title"
    assert "no title: 'Edge Case No Yaml Title' was made from the file name" in post.notes


def test_without_any_date_the_post_is_undated_and_noted(tmp_path):
    post = parse_front(tmp_path, "title: T\n", name="reference-post.md")
    assert (post.published_at, post.published_offset) == (None, None)
    assert post.slug == "reference-post"
    assert "no date in the front matter or the file name: the post stays a draft" in post.notes


def test_a_declared_separator_missing_from_the_body_is_noted(tmp_path):
    post = parse_front(tmp_path, "title: T\nexcerpt_separator: <!--more-->\n", body="One.\n")
    assert post.notes == [
        "the excerpt separator '<!--more-->' is not in the body: the excerpt is the first "
        "paragraph (Jekyll would show the whole post)"
    ]


def test_without_a_declared_separator_the_first_paragraph_is_jekylls_excerpt_too(tmp_path):
    assert parse_front(tmp_path, "title: T\n", body="One.\n\nTwo.\n").notes == []
    declared = parse_front(tmp_path, "title: T\nexcerpt_separator: <excerpt/>\n", body="One.\n")
    assert declared.notes != []


def test_a_site_separator_comes_in_as_a_default(tmp_path):
    post = parse(
        write(tmp_path, "title: T\n", body="One <!--more--> two\n"),
        defaults={"excerpt_separator": "<!--more-->"},
    )
    assert post.excerpt_separator == "<!--more-->" and post.notes == []


def test_text_can_be_given_instead_of_read(tmp_path):
    post = parse(tmp_path / "2025-05-22-given.md", "---\ntitle: Given\n---\nBody <excerpt/>\n")
    assert (post.title, post.slug) == ("Given", "given")


# Dates


@pytest.mark.parametrize(
    ("value", "instant", "offset"),
    [
        ("2025-05-22 12:00:00 +0800", datetime(2025, 5, 22, 4, tzinfo=UTC), 480),
        ("2025-05-22 12:00:00 +08:00", datetime(2025, 5, 22, 4, tzinfo=UTC), 480),
        ('"2025-05-22T12:00:00+08:00"', datetime(2025, 5, 22, 4, tzinfo=UTC), 480),
        ("2025-05-22 12:00 -04:30", datetime(2025, 5, 22, 16, 30, tzinfo=UTC), -270),
        ("2020-07-07T00:00:00.000Z", datetime(2020, 7, 7, tzinfo=UTC), 0),
        ("2025-05-22 12:00:00", datetime(2025, 5, 22, 12, tzinfo=UTC), None),
        ("2025-05-22 12:00", datetime(2025, 5, 22, 12, tzinfo=UTC), None),
        ("2025-05-22", datetime(2025, 5, 22, tzinfo=UTC), None),
        ("1894-11-24 12:00:00 +0800", datetime(1894, 11, 24, 4, tzinfo=UTC), 480),
    ],
)
def test_dates_keep_their_instant_in_utc_and_their_offset(tmp_path, value, instant, offset):
    post = parse_front(tmp_path, f"title: T\ndate: {value}\n")
    assert (post.published_at, post.published_offset) == (instant, offset)
    assert post.published_at.tzinfo == UTC


def test_the_file_name_gives_the_date_when_the_front_matter_does_not(tmp_path):
    post = parse_front(tmp_path, "title: T\ndate:\n", name="2024-03-15-orbáns-allies.md")
    assert (post.published_at, post.published_offset) == (datetime(2024, 3, 15, tzinfo=UTC), None)


def test_the_front_matter_date_wins_over_the_file_name(tmp_path):
    post = parse_front(tmp_path, "title: T\ndate: 2021-06-16 22:57:49 +0000\n")
    assert post.published_at == datetime(2021, 6, 16, 22, 57, 49, tzinfo=UTC)


# Slugs


def test_the_slug_is_the_file_name_without_date_and_extension(tmp_path):
    post = parse_front(tmp_path, "title: T\n", name="2025-05-22-transatlantic-security.markdown")
    assert post.slug == "transatlantic-security"


def test_unicode_slugs_are_kept(tmp_path):
    post = parse_front(tmp_path, "title: T\n", name="2017-10-21-tool-git-사용법.md")
    assert post.slug == "tool-git-사용법"
    assert parse_front(tmp_path, "title: T\n", name="2024-03-15-orbáns.md").slug == "orbáns"


def test_a_front_matter_slug_wins_and_is_slugified_with_a_note(tmp_path):
    post = parse_front(tmp_path, "title: T\nslug: 'Short URL: Link Rot'\n")
    assert post.slug == "short-url-link-rot"
    assert "slug 'Short URL: Link Rot' became 'short-url-link-rot'" in post.notes


def test_a_slug_without_letters_is_refused(tmp_path):
    error = refused(tmp_path, "title: T\nslug: '!!!'\n")
    assert error.line == 3 and "cannot make a slug" in error.message


# Authors


def test_author_as_a_string(tmp_path):
    assert parse_front(tmp_path, "title: T\nauthor: Alexander Mattelaer\n").authors == [
        "Alexander Mattelaer"
    ]


def test_authors_as_a_list_keep_their_order(tmp_path):
    post = parse_front(tmp_path, "title: T\nauthors:\n  - Ben Jaros\n  - Josh Rauh\n  - Dan\n")
    assert post.authors == ["Ben Jaros", "Josh Rauh", "Dan"]


def test_author_as_a_flow_list(tmp_path):
    assert parse_front(tmp_path, "title: T\nauthor: [quotidian-ennui]\n").authors == [
        "quotidian-ennui"
    ]


def test_author_and_authors_together_make_one_byline_author_first(tmp_path):
    post = parse_front(tmp_path, "title: T\nauthor: A\nauthors: [B, A]\n")
    assert post.authors == ["A", "B"]
    assert post.notes == [
        "line 4: author and authors are both given: the byline is author's names, then authors'"
    ]


def test_a_files_own_authors_beat_a_default_author(tmp_path):
    post = parse(write(tmp_path, "title: T\nauthors: [B]\n"), defaults={"author": "Desk"})
    assert (post.authors, post.notes) == (["B"], [])


def test_an_author_that_is_not_a_name_is_refused(tmp_path):
    error = refused(tmp_path, "title: T\nauthors:\n  - A\n  - {name: B}\n")
    assert error.line == 3 and error.message == "authors must be a name or a list of names"


# Tags and categories


def test_a_tags_string_splits_on_whitespace_like_jekyll(tmp_path):
    post = parse_front(tmp_path, "title: T\ntags: foreign policy,  nato\n")
    assert post.tags == ["foreign", "policy,", "nato"]


def test_a_tags_string_does_not_split_on_a_no_break_space(tmp_path):
    assert parse_front(tmp_path, "title: T\ntags: a\u00a0b c\n").tags == ["a\u00a0b", "c"]


def test_tags_list_items_stay_whole(tmp_path):
    post = parse_front(tmp_path, "title: T\ntags:\n  - best practices\n  - https \n  - 2020\n")
    assert post.tags == ["best practices", "https", "2020"]
    assert parse_front(tmp_path, "title: T\ntags: [ruby concurrency]\n").tags == [
        "ruby concurrency"
    ]


def test_a_singular_tag_is_one_tag(tmp_path):
    assert parse_front(tmp_path, "title: T\ntag: foreign policy\n").tags == ["foreign policy"]


def test_categories_split_like_tags_and_are_kept(tmp_path):
    post = parse_front(tmp_path, "title: T\ntags: [nato]\ncategories: Tax Foundation nato\n")
    assert (post.tags, post.categories) == (["nato"], ["Tax", "Foundation", "nato"])
    assert post.extra == {"categories": "Tax Foundation nato"}


def test_a_tag_of_another_type_is_refused(tmp_path):
    error = refused(tmp_path, "title: T\ntags:\n  - yes\n")
    assert error.line == 3 and error.message.startswith("each of tags must be text")
    assert refused(tmp_path, "title: T\ntags: {a: b}\n").message.startswith("tags must be text")


# Images


def test_image_as_a_url(tmp_path):
    post = parse_front(tmp_path, "title: T\nimage : https://i.imgur.com/4gi0QeQ.jpeg\n")
    assert post.image_url == "https://i.imgur.com/4gi0QeQ.jpeg"


def test_image_as_keys_keeps_what_quire_does_not_use(tmp_path):
    post = parse_front(
        tmp_path,
        "title: T\nimage:\n  path: /devices.png\n  lqip: data:image/webp;base64,AAA\n"
        "  alt: Devices\n  caption: A caption\n",
    )
    assert (post.image_url, post.image_alt, post.image_caption) == (
        "/devices.png",
        "Devices",
        "A caption",
    )
    assert post.extra == {"image": {"lqip": "data:image/webp;base64,AAA"}}
    assert "image keys kept in front_matter only: lqip" in post.notes


def test_image_url_key_and_image_alt_and_caption_keys(tmp_path):
    post = parse_front(
        tmp_path,
        "title: T\nimage: {url: /a.png, alt: Old}\nimage_alt: New alt\nimage_caption: Credit\n",
    )
    assert (post.image_url, post.image_alt, post.image_caption) == ("/a.png", "New alt", "Credit")


def test_a_commented_image_caption_is_ignored(tmp_path):
    post = parse_front(tmp_path, 'title: T\nimage: /a.png\n#image_caption: ""\n')
    assert post.image_caption == "" and post.extra == {}
    assert post.image_url == "/a.png"


def test_an_empty_image_is_no_image(tmp_path):
    assert parse_front(tmp_path, "title: T\nimage:\n").image_url == ""


def test_an_image_of_another_type_is_refused(tmp_path):
    error = refused(tmp_path, "title: T\nimage: [a.png]\n")
    assert error.line == 3 and error.message.startswith("image must be a URL")
    assert refused(tmp_path, "title: T\nimage: {path: 3}\n").message.startswith("image path")


# Publishing, excerpt and the keys Quire does not model


def test_published_false_is_a_draft_but_draft_true_is_not(tmp_path):
    assert parse_front(tmp_path, "title: T\npublished: false\n").draft is True
    post = parse_front(tmp_path, "title: T\ndraft: true\n")
    assert post.draft is False and post.extra == {"draft": True}
    assert post.notes == [
        "draft: true does not hold a post back in Jekyll (published: false or _drafts/ does): "
        "imported as published, the key kept"
    ]


def test_published_must_be_a_boolean(tmp_path):
    error = refused(tmp_path, "title: T\npublished: 'no'\n")
    assert error.line == 3 and error.message == "published must be true or false, not 'no'"


def test_explicit_excerpt_and_separator(tmp_path):
    post = parse_front(
        tmp_path,
        'title: T\nexcerpt: "A summary."\nexcerpt_separator: "\\n---\\n"\n',
        body="One\n---\nTwo\n",
    )
    assert (post.excerpt, post.excerpt_separator) == ("A summary.", "\n---\n")
    assert post.notes == []


def test_unmodelled_keys_are_kept_as_json(tmp_path):
    post = parse_front(
        tmp_path,
        "title: T\nlayout: post\nlast_modified_at: 2017-10-21\n"
        "updated: 2017-10-26 10:00:00 -04:00\n"
        "provider: {name: Brookings, 2020: x}\nweight: .nan\n",
    )
    assert post.extra == {
        "layout": "post",
        "last_modified_at": "2017-10-21",
        "updated": "2017-10-26T10:00:00-04:00",
        "provider": {"name": "Brookings", "2020": "x"},
        "weight": "nan",
    }
    json.dumps(post.extra, allow_nan=False)


def test_where_names_the_key_and_line_an_attribute_came_from():
    post = ParsedPost(path=Path("x.md"), title="T", slug="t", lines={"author": 4})
    assert post.where("authors") == ("author", 4)
    assert post.where("title") == ("title", None)
