"""Tags, authors and sections named in emoji, CJK, right-to-left script or punctuation alone:
every one gets a usable slug, and every page that links them answers."""

import importlib
import re
from html import unescape
from io import StringIO
from urllib.parse import unquote

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management import call_command
from helpers import add_form, admin_form_data
from taggit.models import Tag

from posts.models import Author, Post, Section

pytestmark = pytest.mark.django_db

TAG_NAMES = ["🇪🇺", "🦀", "東京", "العربية", "עברית", "???", "!!!", "«»"]
AUTHOR_NAMES = ["🦀", "李白", "نزار قباني", "דוד גרוסמן", "???"]
SECTION_NAMES = ["🌍", "評論", "تحليل", "…"]

# A link to a tag, author or section page, root-relative (pages) or absolute (feeds, sitemap).
LISTING_LINK = re.compile(
    r'(?:href="|<loc>)(?:https?://testserver)?(/(?:tags|authors|sections)/[^"<]+)'
)


def listing_links(text: str) -> set[str]:
    return {unescape(path) for path in LISTING_LINK.findall(text)}


@pytest.fixture
def unicode_site(make_post, make_author, settings):
    """Posts tagged, written and filed under names with no ASCII letters, over two home pages."""
    settings.QUIRE_POSTS_PER_PAGE = 2
    authors = [make_author(name, slug="") for name in AUTHOR_NAMES]
    sections = [Section.objects.create(name=name, slug="") for name in SECTION_NAMES]
    return [
        make_post(
            authors=[author, authors[(number + 1) % len(authors)]],
            tags=TAG_NAMES[number::2],
            section=sections[number % len(sections)],
        )
        for number, author in enumerate(authors)
    ]


def test_every_public_page_and_every_listing_it_links_answer(client, unicode_site):
    post = unicode_site[0]
    moment = post.published_at
    pages = [
        "/",
        "/?page=2",
        "/tags/",
        "/sitemap.xml",
        "/sitemap-posts.xml",
        "/sitemap-tags.xml",
        "/sitemap-authors.xml",
        "/feed.xml",
        "/rss.xml",
        "/search/?q=post",
        f"/archive/{moment.year}/",
        f"/archive/{moment.year}/{moment.month}/",
        post.get_absolute_url(),
        f"{post.get_absolute_url()}cite.bib",
    ]
    for model in (Tag, Author, Section):
        for row in model.objects.all():
            url = row.get_absolute_url() if model is not Tag else f"/tags/{row.slug}/"
            pages += [url, f"{url}feed.xml"]
    linked = set()
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        linked |= listing_links(response.content.decode())
    # Every tag, author and section is linked from some page, and each link answers.
    every_listing = {f"/tags/{tag.slug}/" for tag in Tag.objects.all()} | {
        row.get_absolute_url() for model in (Author, Section) for row in model.objects.all()
    }
    assert {unquote(path) for path in every_listing} <= {unquote(path) for path in linked}
    for path in linked:
        assert client.get(path).status_code == 200, path


def test_names_keep_their_letters_else_their_ascii_spelling_else_a_numbered_kind(make_author):
    tags = {name: Tag.objects.create(name=name).slug for name in ["東京", "🇪🇺", "🦀", "???"]}
    assert tags == {"東京": "東京", "🇪🇺": "eu", "🦀": "crab", "???": "tag-1"}
    assert make_author("نزار قباني", slug="").slug == "نزار-قباني"
    assert Section.objects.create(name="…", slug="").slug == "section-1"
    # A slug given explicitly is kept.
    assert make_author("🦀", slug="ferris").slug == "ferris"


def test_two_emoji_only_tags_get_distinct_slugs():
    first, second = Tag.objects.create(name="🇪🇺"), Tag.objects.create(name="🇪🇺!")
    assert (first.slug, second.slug) == ("eu", "eu-2")
    punctuation = [Tag.objects.create(name=name).slug for name in ["???", "!!!"]]
    assert punctuation == ["tag-1", "tag-2"]


def test_an_author_publishing_a_post_tagged_with_a_flag_leaves_the_site_up(
    client, django_user_model
):
    user = django_user_model.objects.create_user("writer", is_staff=True)
    user.groups.add(Group.objects.get(name="Author"))
    author = Author.objects.create(name="Writer", slug="writer", user=user)
    client.force_login(user)
    response = client.post("/admin/posts/post/add/", add_form(author, tags="🇪🇺"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    post = Post.objects.published().get(slug="ports-and-power")
    assert [tag.slug for tag in post.tags.all()] == ["eu"]
    client.logout()
    assert client.get("/").status_code == 200
    article = client.get("/posts/ports-and-power/")
    assert article.status_code == 200
    assert 'href="/tags/eu/"' in article.content.decode()


def test_an_editor_leaving_a_slug_empty_gets_one_from_the_name(staff_client):
    page = staff_client.get("/admin/posts/section/add/")
    response = staff_client.post(
        "/admin/posts/section/add/", admin_form_data(page, name="🌍", slug="")
    )
    assert response.status_code == 302
    page = staff_client.get("/admin/posts/section/add/")
    response = staff_client.post(
        "/admin/posts/section/add/", admin_form_data(page, name="Globe", slug="world")
    )
    assert response.status_code == 302
    assert sorted(Section.objects.values_list("name", "slug")) == [
        ("Globe", "world"),
        ("🌍", "earth-africa"),
    ]


def test_the_migration_repairs_empty_and_numbered_empty_slugs(make_author):
    Tag.objects.bulk_create([Tag(name="🇪🇺", slug=""), Tag(name="???", slug="_1")])
    Tag.objects.create(name="EU")  # takes "eu" first
    author = make_author("🦀")
    Author.objects.filter(pk=author.pk).update(slug="")
    kept = make_author("Kept", slug="kept")
    migration = importlib.import_module("posts.migrations.0010_repair_empty_slugs")
    migration.repair_empty_slugs(apps, None)
    assert dict(Tag.objects.values_list("name", "slug")) == {
        "EU": "eu",
        "🇪🇺": "eu-2",
        "???": "tag-1",
    }
    assert Author.objects.get(pk=author.pk).slug == "crab"
    assert Author.objects.get(pk=kept.pk).slug == "kept"


def test_an_import_of_emoji_and_punctuation_tags_gives_usable_slugs(tmp_path, client):
    (tmp_path / "2025-05-22-flags.md").write_text(
        '---\ntitle: Flags\ntags: ["🇪🇺", "???"]\n---\n_Lead._\n', encoding="utf-8"
    )
    call_command("import_posts", str(tmp_path), stdout=StringIO(), stderr=StringIO())
    post = Post.objects.get(slug="flags")
    assert sorted(tag.slug for tag in post.tags.all()) == ["eu", "tag-1"]
    assert client.get("/").status_code == 200
    article = client.get(post.get_absolute_url()).content.decode()
    for slug in ["eu", "tag-1"]:
        assert f'href="/tags/{slug}/"' in article
        assert client.get(f"/tags/{slug}/").status_code == 200


def test_authors_named_in_emoji_or_punctuation_import_once_with_usable_pages(tmp_path, client):
    (tmp_path / "2025-05-22-crabs.md").write_text(
        '---\ntitle: Crabs\nauthors: ["🦀", "???", "Mina Okafor"]\n---\n_Lead._\n',
        encoding="utf-8",
    )
    for _ in range(2):  # the second import finds the same authors
        call_command("import_posts", str(tmp_path), stdout=StringIO(), stderr=StringIO())
    post = Post.objects.get(slug="crabs")
    byline = [(author.name, author.slug) for author in post.authors.all()]
    assert byline == [("🦀", "crab"), ("???", "author-1"), ("Mina Okafor", "mina-okafor")]
    assert Author.objects.count() == 3
    for _, slug in byline:
        assert client.get(f"/authors/{slug}/").status_code == 200


def test_a_tag_over_100_characters_is_a_form_error_naming_it(staff_client, make_author):
    author = make_author()
    long_tag = "a" * 101
    response = staff_client.post(
        "/admin/posts/post/add/", add_form(author, tags=f"maritime, {long_tag}")
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["tags"]
    assert errors == [f"Tags are at most 100 characters: shorten “{'a' * 40}…”."]
    assert not Post.objects.exists()
    response = staff_client.post("/admin/posts/post/add/", add_form(author, tags="a" * 100))
    assert response.status_code == 302
    assert Post.objects.get().tags.get().name == "a" * 100
