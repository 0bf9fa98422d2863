"""`manage.py import_posts`: all files validated first, then written in one transaction."""

import re
from datetime import UTC, datetime
from io import StringIO

import pytest
from conftest import SEED, needs_shared
from django.core.management import call_command
from django.core.management.base import CommandError

from posts.models import Author, Byline, Post


def run(*paths, dry_run=False) -> str:
    out = StringIO()
    call_command("import_posts", *map(str, paths), dry_run=dry_run, stdout=out)
    return out.getvalue()


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
        run(*paths)
    assert counts() == (0, 0, 0)
    return str(caught.value)


# The seed


@needs_shared()
@pytest.mark.django_db
def test_seed_import_stores_the_reference_post():
    output = run(SEED)
    post = Post.objects.get()
    assert output.splitlines() == [
        f"created transatlantic-strategic-security ({SEED})",
        "1 created, 0 updated, 0 drafts",
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
    assert "image_caption" not in str(post.front_matter)
    assert post.front_matter == {"layout": "post"}


@needs_shared()
@pytest.mark.django_db
def test_seed_article_page_shows_its_date_offset_and_description(client):
    run(SEED)
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
    run(SEED)
    html = client.get("/").content.decode()
    assert "European security is under strain" in html
    assert "Conventional Force Build-Up" not in html
    assert "European security is caught between a rock and a hard place" not in html


# Validation before writing


@pytest.mark.django_db
def test_dry_run_validates_and_writes_nothing(tmp_path):
    write(tmp_path, "2025-05-22-one.md", "title: One\nauthor: A\ntags: x y\n")
    output = run(tmp_path, dry_run=True)
    assert counts() == (0, 0, 0)
    assert output.splitlines() == [
        f"would be created one ({tmp_path / '2025-05-22-one.md'})",
        "Dry run, nothing was written; it would be: 1 created, 0 updated, 0 drafts",
    ]


@pytest.mark.django_db
def test_dry_run_reports_an_update_for_an_existing_slug(tmp_path, make_post):
    make_post(slug="one")
    write(tmp_path, "2025-05-22-one.md", "title: One\n")
    assert "would be updated one" in run(tmp_path, dry_run=True)
    assert Post.objects.get().title != "One"


@pytest.mark.django_db
def test_one_bad_file_stops_the_batch_and_is_named_with_its_line(tmp_path):
    write(tmp_path, "2025-05-21-good.md", "title: Good\nauthor: A\n")
    bad = write(tmp_path, "2025-05-22-bad.md", "author: B\ntitle: yes\n")
    assert refused(tmp_path).splitlines() == [
        "1 error(s); nothing was written:",
        f"{bad}:3: title must be text, not true/false (YAML reads yes, no, on and off as "
        "booleans: put the text in quotes)",
    ]


@pytest.mark.django_db
def test_every_error_of_the_batch_is_listed(tmp_path):
    first = write(tmp_path, "2025-05-21-first.md", "title: T\ndate: 2020-02-30\n")
    second = write(tmp_path, "2025-05-22-second.md", "title: T\nx: !!python/name:os.system\n")
    message = refused(tmp_path)
    assert message.startswith("2 error(s); nothing was written:")
    assert f"{first}:3: " in message and f"{second}:3: " in message


@pytest.mark.django_db
def test_model_limits_are_errors_at_their_line(tmp_path):
    path = write(
        tmp_path,
        "2025-05-22-limits.md",
        f"layout: post\ntitle: {'x' * 301}\nimage: assets/relative.png\nauthor: {'y' * 201}\n",
    )
    message = refused(path)
    assert f"{path}:3: title: Ensure this value has at most 300 characters" in message
    assert (
        f"{path}:4: image: Enter an http(s) URL or a site-relative path starting with /." in message
    )
    assert f"{path}:5: author: '{'y' * 201}': name: Ensure this value has at most 200" in message


@pytest.mark.django_db
def test_two_files_with_the_same_slug_are_refused(tmp_path):
    first = write(tmp_path, "2025-05-21-same.md", "title: First\n")
    second = write(tmp_path, "2025-05-22-other.md", "title: Second\nslug: same\n")
    assert f"{second}:3: the slug 'same' is also the slug of {first}" in refused(tmp_path)


@pytest.mark.django_db
def test_a_missing_path_is_an_error(tmp_path):
    with pytest.raises(CommandError, match="no such file or folder"):
        run(tmp_path / "nowhere")


@pytest.mark.django_db
def test_a_folder_without_markdown_is_an_error(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(CommandError, match=r"no \.md or \.markdown files found"):
        run(tmp_path)


# Writing


@pytest.mark.django_db
def test_folders_are_searched_recursively_for_markdown_only(tmp_path):
    write(tmp_path / "2024", "2024-06-13-b.markdown", "title: B\n")
    write(tmp_path, "2024-06-12-a.md", "title: A\n")
    write(tmp_path, "2024-06-14-c.txt", "title: C\n")
    output = run(tmp_path, tmp_path / "2024-06-12-a.md")
    assert [line.split()[1] for line in output.splitlines()[:-1]] == ["b", "a"]
    assert sorted(Post.objects.values_list("slug", flat=True)) == ["a", "b"]


@pytest.mark.django_db
def test_reimport_is_idempotent(tmp_path):
    write(tmp_path, "2025-05-22-one.md", "title: One\nauthors: [A, B]\ntags: x y\n")
    write(tmp_path, "2025-05-23-two.md", "title: Two\nauthor: A\n")
    run(tmp_path)
    before = counts()
    output = run(tmp_path)
    assert counts() == before == (2, 2, 3)
    assert output.splitlines()[-1] == "0 created, 2 updated, 0 drafts"
    assert sorted(Post.objects.get(slug="one").tags.names()) == ["x", "y"]


@pytest.mark.django_db
def test_reimport_updates_the_fields(tmp_path):
    path = write(tmp_path, "2025-05-22-one.md", "title: One\ntags: [a, b]\n")
    run(path)
    write(tmp_path, "2025-05-22-one.md", "title: One again\ntags: [b, c]\n", body="New.\n")
    run(path)
    post = Post.objects.get()
    assert (post.title, post.body_html) == ("One again", "<p>New.</p>\n")
    assert sorted(post.tags.names()) == ["b", "c"]


@pytest.mark.django_db
def test_a_tags_string_is_split_on_whitespace(tmp_path):
    write(tmp_path, "2025-05-22-t.md", "title: T\ntags: foreign policy\ncategories: [NATO]\n")
    run(tmp_path)
    post = Post.objects.get()
    assert sorted(post.tags.names()) == ["NATO", "foreign", "policy"]
    assert post.front_matter == {"categories": ["NATO"]}


@pytest.mark.django_db
def test_co_author_order_is_kept_and_follows_the_file(tmp_path):
    path = write(
        tmp_path, "2025-05-14-big-bill.md", "title: T\nauthors: [Zoë Y, Ben Jaros, Adam]\n"
    )
    run(path)
    post = Post.objects.get()
    assert [author.name for author in post.authors.all()] == ["Zoë Y", "Ben Jaros", "Adam"]
    write(tmp_path, "2025-05-14-big-bill.md", "title: T\nauthors: [Adam, Zoë Y]\n")
    run(path)
    assert [author.name for author in post.authors.all()] == ["Adam", "Zoë Y"]
    assert Author.objects.get(name="Zoë Y").slug == "zoë-y"


@pytest.mark.django_db
def test_an_existing_author_is_reused_by_slug(tmp_path, make_author):
    author = make_author("Alexander Mattelaer", slug="alexander-mattelaer", bio="Professor.")
    write(tmp_path, "2025-05-22-one.md", "title: One\nauthor: Alexander Mattelaer\n")
    run(tmp_path)
    assert list(Post.objects.get().authors.all()) == [author]
    assert Author.objects.count() == 1


@pytest.mark.django_db
def test_drafts_are_unpublished_or_undated_posts(tmp_path):
    write(tmp_path, "2025-05-21-hidden.md", "title: Hidden\npublished: false\n")
    write(tmp_path, "undated.md", "title: Undated\n")
    write(tmp_path, "2025-05-22-shown.md", "title: Shown\ndraft: true\n")
    output = run(tmp_path)
    assert output.splitlines()[-1] == "3 created, 0 updated, 2 drafts"
    assert "  note: no date in the front matter or the file name: the post stays a draft" in output
    statuses = dict(Post.objects.values_list("slug", "status"))
    assert statuses == {"hidden": "draft", "undated": "draft", "shown": "published"}
    assert Post.objects.get(slug="undated").published_at is None
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
    run(tmp_path)
    post = Post.objects.get()
    assert (post.external_image, post.image_alt, post.image_caption) == (
        "/media/a.png",
        "Tanks",
        "Photo: NATO",
    )
    assert post.excerpt_separator == "<!--more-->"
    assert post.excerpt_html == "<p>An explicit summary.</p>\n"
    assert "more" not in post.body_html


@pytest.mark.django_db
def test_without_a_named_separator_the_default_is_stored(tmp_path):
    write(tmp_path, "2025-05-22-plain.md", "title: T\n", body="First.\n\nSecond.\n")
    output = run(tmp_path)
    post = Post.objects.get()
    assert post.excerpt_separator == "<excerpt/>"
    assert post.excerpt_html == "<p>First.</p>\n"
    assert "  note: no excerpt separator ('<excerpt/>') in the body" in output
