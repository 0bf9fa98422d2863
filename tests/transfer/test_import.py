"""`manage.py import_posts`: all files validated first, then written in one transaction."""

import re
from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from helpers import SEED, needs_shared, run_command
from taggit.models import Tag

from posts.models import Author, Byline, Post
from transfer import validation


def write(folder, name, front, body="_Lead._\n\n<excerpt/>\n\nRest.\n"):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\n{front}---\n{body}", encoding="utf-8")
    return path


def counts():
    return Post.objects.count(), Author.objects.count(), Byline.objects.count()


def refused(*paths) -> str:
    """The import's error message, after checking that it wrote nothing."""
    with pytest.raises(CommandError) as caught:
        run_command("import_posts", *paths)
    assert counts() == (0, 0, 0)
    return str(caught.value)


# The seed


@needs_shared()
@pytest.mark.django_db
def test_seed_import_stores_the_reference_post():
    output = run_command("import_posts", SEED)
    post = Post.objects.get()
    assert output.splitlines() == [
        "1 created, 0 updated, 0 unchanged; 0 drafts, 0 scheduled; 1 old URL redirected; "
        "1 author (1 new), 0 tags (0 new)"
    ]
    assert post.title == "Transatlantic Strategic Security"
    assert post.slug == "transatlantic-strategic-security"
    assert post.status == Post.Status.PUBLISHED
    assert post.published_at == datetime(2025, 5, 22, 4, 0, tzinfo=UTC)
    assert post.published_offset == 480
    assert post.external_image == "https://i.imgur.com/4gi0QeQ.jpeg"
    assert post.description == "What Strategic Outlook for Transatlantic Security?"
    assert post.excerpt_separator == "<excerpt/>"
    assert [author.name for author in post.authors.all()] == ["Alexander Mattelaer"]
    assert post.authors.get().slug == "alexander-mattelaer"
    assert post.excerpt_html.startswith("<p><em>European security is under strain")
    assert post.excerpt_html.endswith("ahead of the Alliance’s upcoming Hague Summit.</em></p>\n")
    assert post.excerpt_html.count("<p>") == 1
    assert len(re.findall(r'<h3 id="[^"]+">', post.body_html)) == 4
    assert post.body_html.rstrip().endswith(
        "Belgian Royal Institute for International Relations.</p>"
    )
    assert "excerpt" not in post.body_html
    assert post.front_matter == {"layout": "post"}
    assert post.source == SEED.name
    assert list(post.redirects.values_list("old_path", flat=True)) == [
        "/2025/05/22/transatlantic-strategic-security.html"
    ]


@needs_shared()
@pytest.mark.django_db
def test_seed_article_page_shows_its_date_offset_and_description(client):
    run_command("import_posts", SEED)
    response = client.get("/posts/transatlantic-strategic-security/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "22 May 2025, 12:00 +08:00" in html
    description = "What Strategic Outlook for Transatlantic Security?"
    assert f'<meta name="description" content="{description}">' in html
    assert f'<meta property="og:description" content="{description}">' in html


@needs_shared()
@pytest.mark.django_db
def test_seed_on_the_home_page_shows_the_lead_only(client):
    run_command("import_posts", SEED)
    html = client.get("/").content.decode()
    assert "European security is under strain" in html
    assert "Conventional Force Build-Up" not in html
    assert "European security is caught between a rock and a hard place" not in html


# Validation before writing

SUMMARY_ONE_NEW = (
    "1 created, 0 updated, 0 unchanged; 0 drafts, 0 scheduled; 1 old URL redirected; "
    "1 author (1 new), 2 tags (2 new)"
)


@pytest.mark.django_db
def test_dry_run_validates_reports_and_writes_nothing(tmp_path):
    write(tmp_path, "2025-05-22-one.md", "title: One\nauthor: A\ntags: x y\n")
    output = run_command("import_posts", tmp_path, dry_run=True)
    assert counts() == (0, 0, 0)
    assert output.splitlines() == [f"Dry run, nothing was written. It would be: {SUMMARY_ONE_NEW}"]
    assert run_command("import_posts", tmp_path).splitlines() == [SUMMARY_ONE_NEW]


@pytest.mark.django_db
def test_dry_run_reports_an_update_and_changes_nothing(tmp_path):
    path = write(tmp_path, "2025-05-22-one.md", "title: One\n")
    run_command("import_posts", path)
    write(tmp_path, "2025-05-22-one.md", "title: One, edited\n")
    output = run_command("import_posts", path, dry_run=True, verbosity=2)
    assert f"{path} -> /posts/one/ (updated)" in output
    assert Post.objects.get().title == "One"


@pytest.mark.django_db
def test_one_bad_file_stops_the_batch_and_is_named_with_its_line(tmp_path):
    write(tmp_path, "2025-05-21-good.md", "title: Good\nauthor: A\n")
    bad = write(tmp_path, "2025-05-22-bad.md", "author: B\ntitle: yes\n")
    assert refused(tmp_path).splitlines() == [
        "1 error(s); nothing was written:",
        f"{bad}:3: title must be text, not true/false (YAML reads yes, no, on and off as "
        "booleans: put the text in quotes)",
    ]


ALIAS_BOMB = "a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\n"


@pytest.mark.parametrize(
    ("raw", "where", "message"),
    [
        (b"---\ntitle: T\nx: !!python/object/apply:os.system [ls]\n---\n", 3, "YAML tag"),
        (b"---\n" + ALIAS_BOMB.encode() + b"---\n", 2, "anchors and aliases"),
        (b"---\ntitle: T\nBody without a closing line\n", 1, "never closed"),
        (b"---\ntitle: T\ndate: 2020-02-32\n---\n", 3, "not a valid"),
        (b"---\ntitle: T\n---\nCaf\xe9\n", 4, "not UTF-8: byte 0xE9 at byte offset 20"),
    ],
)
@pytest.mark.django_db
def test_bad_input_is_named_by_file_and_line_and_changes_nothing(
    tmp_path, make_post, raw, where, message
):
    kept = make_post(title="Kept")
    good = write(tmp_path, "2025-05-21-good.md", "title: Good\n")
    bad = tmp_path / "2025-05-22-bad.md"
    bad.write_bytes(raw)
    with pytest.raises(CommandError) as caught:
        run_command("import_posts", good, bad)
    assert f"{bad}:{where}: " in str(caught.value) and message in str(caught.value)
    assert list(Post.objects.all()) == [kept]
    assert Post.objects.get().title == "Kept"


@pytest.mark.django_db
def test_every_error_of_the_batch_is_listed(tmp_path):
    first = write(tmp_path, "2025-05-21-first.md", "title: T\ndate: 2020-02-32\n")
    second = write(tmp_path, "2025-05-22-second.md", "title: T\nx: !!python/name:os.system\n")
    message = refused(tmp_path)
    assert message.startswith("2 error(s); nothing was written:")
    assert f"{first}:3: " in message and f"{second}:3: " in message


@pytest.mark.django_db
def test_model_limits_are_errors_at_their_line(tmp_path):
    path = write(
        tmp_path,
        "2025-05-22-limits.md",
        f"layout: post\ntitle: {'x' * 301}\nimage: //evil.example/a.png\nauthor: {'y' * 201}\n",
    )
    message = refused(path)
    assert f"{path}:3: title: Ensure this value has at most 300 characters" in message
    assert (
        f"{path}:4: image: Enter an http(s) URL or a site-relative path starting with /." in message
    )
    assert f"{path}:5: author: '{'y' * 201}': name: Ensure this value has at most 200" in message


@pytest.mark.django_db
def test_two_files_with_the_same_slug_are_numbered(tmp_path):
    first = write(tmp_path, "2025-05-21-same.md", "title: First\n")
    second = write(tmp_path, "2025-05-22-other.md", "title: Second\nslug: same\n")
    output = run_command("import_posts", tmp_path)
    assert (
        f"{second} -> /posts/same-2/ (created)\n  line 3: the slug 'same' is also that of "
        f"{first}: this post is /posts/same-2/, and its old URLs lead to it\n"
    ) in output
    assert dict(Post.objects.values_list("title", "slug")) == {"First": "same", "Second": "same-2"}


@pytest.mark.django_db
def test_a_slug_of_a_post_written_in_quire_is_numbered(tmp_path, make_post):
    make_post(title="Ours", slug="one")
    path = write(tmp_path, "2025-05-22-one.md", "title: One\n")
    assert (
        f"{path} -> /posts/one-2/ (created)\n  the slug 'one' is taken by the post 'Ours' "
        "(written in Quire): this post is /posts/one-2/, and its old URLs lead to it\n"
    ) in run_command("import_posts", path)
    assert dict(Post.objects.values_list("title", "slug")) == {"Ours": "one", "One": "one-2"}


@pytest.mark.django_db
def test_a_missing_path_is_an_error(tmp_path):
    with pytest.raises(CommandError, match="nowhere: no such file or folder"):
        run_command("import_posts", tmp_path / "nowhere")


@pytest.mark.django_db
def test_a_folder_without_markdown_is_an_error(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(CommandError, match=r"no Markdown posts found"):
        run_command("import_posts", tmp_path)


# What Jekyll accepts is accepted and reported


@pytest.mark.django_db
def test_what_jekyll_accepts_is_imported_and_reported(tmp_path):
    untitled = write(tmp_path, "2025-05-20-no-title-here.md", "layout: post\n")
    doubled = write(tmp_path, "2025-05-21-doubled.md", "title: First\ntitle: Second\n")
    windows = tmp_path / "2025-05-22-windows.md"
    windows.write_bytes("\ufeff---\r\ntitle: Windows\r\n---\r\nBody.\r\n".encode())
    undated = write(tmp_path, "undated.md", "title: Undated\n")
    output = run_command("import_posts", tmp_path)
    assert output.splitlines() == [
        f"{untitled} -> /posts/no-title-here/ (created)",
        "  no title: 'No Title Here' was made from the file name",
        f"{doubled} -> /posts/doubled/ (created)",
        "  line 3: 'title' is given more than once; the last value wins",
        f"{windows} -> /posts/windows/ (created)",
        "  a UTF-8 byte order mark at the start of the file was removed",
        "  CRLF (or CR) line endings were converted to LF",
        f"{undated} -> /posts/undated/ (created)",
        "  no date in the front matter or the file name: the post stays a draft",
        "4 created, 0 updated, 0 unchanged; 1 draft, 0 scheduled; 3 old URLs redirected; "
        "0 authors (0 new), 0 tags (0 new)",
    ]
    titles = dict(Post.objects.values_list("slug", "title"))
    assert titles["no-title-here"] == "No Title Here" and titles["doubled"] == "Second"
    assert Post.objects.get(slug="windows").body == "Body.\n"
    assert Post.objects.get(slug="undated").status == Post.Status.DRAFT


# Writing


@pytest.mark.django_db
def test_folders_are_searched_recursively_for_markdown_only(tmp_path):
    write(tmp_path / "2024", "2024-06-13-b.markdown", "title: B\n")
    write(tmp_path, "2024-06-12-a.md", "title: A\n")
    write(tmp_path, "2024-06-14-c.txt", "title: C\n")
    run_command("import_posts", tmp_path, tmp_path / "2024-06-12-a.md")
    assert sorted(Post.objects.values_list("slug", flat=True)) == ["a", "b"]


@pytest.mark.django_db
def test_reimport_changes_nothing(tmp_path):
    write(tmp_path, "2025-05-22-one.md", "title: One\nauthors: [A, B]\ntags: x y\n")
    write(tmp_path, "2025-05-23-two.md", "title: Two\nauthor: A\n")
    run_command("import_posts", tmp_path)
    before = list(Post.objects.values_list("pk", "updated_at", "body_html"))
    output = run_command("import_posts", tmp_path)
    assert counts() == (2, 2, 3)
    assert output.splitlines()[-1].startswith("0 created, 0 updated, 2 unchanged;")
    assert list(Post.objects.values_list("pk", "updated_at", "body_html")) == before
    assert sorted(tag.name for tag in Post.objects.get(slug="one").tags.all()) == ["x", "y"]


def import_queries(folder) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        run_command("import_posts", folder)
    return [query["sql"] for query in queries]


def write_posts(folder, number):
    for day in range(1, number + 1):
        front = f"title: Post {day}\nauthor: Writer {day % 5}\ntags: [t{day % 4}, common]\n"
        write(folder, f"2025-05-{day:02}-post-{day}.md", front)


@pytest.mark.django_db
def test_authors_and_tags_are_looked_up_once_however_many_posts_name_them(tmp_path):
    write_posts(tmp_path, 12)
    lookups = [
        sql
        for sql in import_queries(tmp_path)
        if '"posts_author"."slug" IN' in sql or ('FROM "taggit_tag"' in sql and " IN (" in sql)
    ]
    assert len(lookups) == 2
    assert (Author.objects.count(), Tag.objects.count()) == (5, 5)


@pytest.mark.django_db
def test_each_file_is_parsed_once_for_validating_and_writing(tmp_path, monkeypatch):
    write_posts(tmp_path, 3)
    parsed = []

    def parse(path, *args, **kwargs):
        parsed.append(path)
        return real(path, *args, **kwargs)

    real = validation.parse
    monkeypatch.setattr(validation, "parse", parse)
    assert run_command("import_posts", tmp_path).startswith("3 created")
    assert sorted(parsed) == sorted(tmp_path.glob("*.md"))


@pytest.mark.django_db
def test_an_unchanged_post_costs_a_reimport_no_query_of_its_own(tmp_path):
    few, many = tmp_path / "few", tmp_path / "many"
    write_posts(few, 3)
    write_posts(many, 12)
    run_command("import_posts", few)
    run_command("import_posts", many)
    assert len(import_queries(many)) == len(import_queries(few))


@pytest.mark.django_db
def test_reimport_after_an_edit_updates_the_post_of_that_file(tmp_path, client):
    path = write(tmp_path, "2025-05-22-one.md", "title: One\ntags: [a, b]\n")
    run_command("import_posts", path)
    first = Post.objects.get()
    write(
        tmp_path,
        "2025-05-22-one.md",
        "title: A new title\nslug: renamed\ntags: [b, c]\n",
        body="New.\n",
    )
    assert run_command("import_posts", path).startswith("0 created, 1 updated, 0 unchanged;")
    post = Post.objects.get()
    assert post.pk == first.pk
    assert (post.title, post.slug, post.body_html) == ("A new title", "renamed", "<p>New.</p>\n")
    assert sorted(tag.name for tag in post.tags.all()) == ["b", "c"]
    response = client.get("/posts/one/")
    assert (response.status_code, response["Location"]) == (301, "/posts/renamed/")


@pytest.mark.django_db
def test_tags_split_on_whitespace_and_categories_become_tags_too(tmp_path):
    write(tmp_path, "2025-05-22-t.md", "title: T\ntags: foreign policy\ncategories: [NATO]\n")
    run_command("import_posts", tmp_path)
    post = Post.objects.get()
    assert sorted(tag.name for tag in post.tags.all()) == ["NATO", "foreign", "policy"]
    assert post.front_matter == {"categories": ["NATO"]}


@pytest.mark.django_db
def test_co_author_order_is_kept_and_follows_the_file(tmp_path):
    path = write(
        tmp_path, "2025-05-14-big-bill.md", "title: T\nauthors: [Zoë Y, Ben Jaros, Adam]\n"
    )
    run_command("import_posts", path)
    post = Post.objects.get()
    assert [author.name for author in post.authors.all()] == ["Zoë Y", "Ben Jaros", "Adam"]
    write(tmp_path, "2025-05-14-big-bill.md", "title: T\nauthors: [Adam, Zoë Y]\n")
    run_command("import_posts", path)
    assert [author.name for author in post.authors.all()] == ["Adam", "Zoë Y"]
    assert Author.objects.get(name="Zoë Y").slug == "zoë-y"


@pytest.mark.django_db
def test_an_existing_author_is_reused_by_slug(tmp_path, make_author):
    author = make_author("Alexander Mattelaer", slug="alexander-mattelaer", bio="Professor.")
    write(tmp_path, "2025-05-22-one.md", "title: One\nauthor: Alexander Mattelaer\n")
    run_command("import_posts", tmp_path)
    assert list(Post.objects.get().authors.all()) == [author]
    assert Author.objects.get().bio == "Professor."


@pytest.mark.django_db
def test_drafts_scheduled_and_published_posts(tmp_path):
    write(tmp_path, "2025-05-21-hidden.md", "title: Hidden\npublished: false\n")
    write(tmp_path, "undated.md", "title: Undated\n")
    write(tmp_path, "2025-05-22-shown.md", "title: Shown\ndraft: true\n")
    write(tmp_path, "2999-01-01-later.md", "title: Later\n")
    output = run_command("import_posts", tmp_path)
    assert "2 drafts, 1 scheduled;" in output.splitlines()[-1]
    statuses = dict(Post.objects.values_list("slug", "status"))
    assert statuses == {
        "hidden": "draft",
        "undated": "draft",
        "shown": "published",
        "later": "published",
    }
    assert Post.objects.get(slug="undated").published_at is None
    assert Post.objects.get(slug="later").is_scheduled
    assert list(Post.objects.published().values_list("slug", flat=True)) == ["shown"]


@pytest.mark.django_db
def test_image_fields_and_excerpt_are_stored(tmp_path):
    write(
        tmp_path,
        "2025-05-22-img.md",
        "title: T\nimage: {path: /media/a.png, alt: Tanks, caption: 'Photo: NATO'}\n"
        "excerpt: An explicit summary.\nexcerpt_separator: <!--more-->\n",
        body="Lead.\n\n<!--more-->\n\nRest.\n",
    )
    run_command("import_posts", tmp_path)
    post = Post.objects.get()
    assert (post.external_image, post.image_alt, post.image_caption) == (
        "/media/a.png",
        "Tanks",
        "Photo: NATO",
    )
    assert post.excerpt_separator == "<!--more-->"
    assert post.excerpt_html == "<p>An explicit summary.</p>\n"
    assert "more" not in post.body_html
    assert "<p>Rest.</p>" in post.body_html


@pytest.mark.django_db
def test_a_relative_image_path_becomes_site_relative_and_is_noted(tmp_path):
    path = write(tmp_path, "2024-06-13-rel.md", "title: T\nimage: assets/img/a.png\n")
    assert "  image 'assets/img/a.png' is relative to the site: stored as '/assets/img/a.png'" in (
        run_command("import_posts", path)
    )
    assert Post.objects.get().external_image == "/assets/img/a.png"


@pytest.mark.django_db
def test_without_a_separator_the_excerpt_is_the_first_paragraph(tmp_path):
    write(tmp_path, "2025-05-22-plain.md", "title: T\n", body="First.\n\nSecond.\n")
    run_command("import_posts", tmp_path)
    post = Post.objects.get()
    assert post.excerpt_separator == "<excerpt/>"
    assert post.excerpt_html == "<p>First.</p>\n"


@pytest.mark.django_db
def test_a_long_import_shows_a_progress_bar(tmp_path):
    for day in range(1, 26):
        write(tmp_path, f"2025-05-{day:02}-post-{day}.md", f"title: Post {day}\n")
    errors = StringIO()
    run_command("import_posts", tmp_path, progress=True, stderr=errors)
    assert "Importing: 100%" in errors.getvalue() and "50/50" in errors.getvalue()
    assert Post.objects.count() == 25


@pytest.mark.django_db
def test_render_with_liquid_false_keeps_liquid_as_text_and_still_drops_kramdown(tmp_path):
    write(
        tmp_path,
        "2025-05-22-code.md",
        "title: T\nrender_with_liquid: false\n",
        body="Print `{{ page.title }}`{:.code-inline} in a layout.\n",
    )
    assert "kramdown inline attribute list {:.code-inline} removed" in run_command(
        "import_posts", tmp_path
    )
    post = Post.objects.get()
    assert post.body == "Print `{{ page.title }}` in a layout.\n"
    assert post.front_matter == {}


@pytest.mark.django_db
def test_an_old_url_too_long_to_keep_is_an_error_at_its_line(tmp_path):
    path = write(tmp_path, "2025-05-22-long.md", f"title: T\nredirect_from: [/{'x' * 1200}/]\n")
    message = refused(path)
    assert f"{path}:3: the old URL /{'x' * 59}… is over 1000 characters" in message


@pytest.mark.django_db
def test_an_import_that_changes_a_post_keeps_both_versions_in_its_history(tmp_path):
    path = write(tmp_path, "2025-05-22-one.md", "title: One\nauthors: [B, A]\ntags: [x]\n")
    run_command("import_posts", path)
    run_command("import_posts", path)  # unchanged: nothing to record
    assert not Post.objects.get().revisions.exists()
    write(tmp_path, "2025-05-22-one.md", "title: One, edited\nauthors: [B, A]\ntags: [x]\n")
    run_command("import_posts", path)
    post = Post.objects.get()
    before, after = post.revisions.order_by("number")
    assert (before.number, before.data["title"]) == (1, "One")
    assert before.note == "As it was before its first recorded change"
    assert (after.number, after.note, after.created_by) == (2, f"Imported from {path.name}", None)
    assert after.data["title"] == "One, edited"
    assert after.data["authors"] == [a.pk for a in post.authors.all()]
    assert after.data["tags"] == ["x"]
