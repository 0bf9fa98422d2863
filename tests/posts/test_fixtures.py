"""The demo fixtures load as fully rendered content, as often as they are loaded."""

import pytest
from django.core.management import call_command
from helpers import REPO

from posts import markup
from posts.models import Author, Post

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    call_command("loaddata", "demo", verbosity=0)


def test_loaddata_renders_posts_and_bios_it_never_saved(demo):
    posts = Post.objects.all()
    assert posts.count() >= 6
    assert Author.objects.count() >= 3
    for post in posts:
        assert (post.body_html, post.excerpt_html) == markup.render_post(
            post.body, post.excerpt, post.excerpt_separator
        )
        assert post.excerpt_html.startswith("<p><em>")  # the italic lead
        assert "<h3 id=" in post.body_html
        assert "excerpt" not in post.body_html
        assert post.image_url.startswith("/static/demo/") and post.image_alt
    for author in Author.objects.all():
        assert author.bio_html == markup.render(author.bio) != ""


def test_loading_twice_duplicates_nothing(demo):
    counts = Post.objects.count(), Author.objects.count(), Post.tags.through.objects.count()
    call_command("loaddata", "demo", verbosity=0)
    assert (
        Post.objects.count(),
        Author.objects.count(),
        Post.tags.through.objects.count(),
    ) == counts


def test_co_authored_demo_post_keeps_its_byline_order(demo):
    cables = Post.objects.get(slug="undersea-cables")
    assert [a.name for a in cables.authors.all()] == ["Ingrid Solvang", "Tobias Renner"]


def test_the_fixture_matches_its_markdown_sources(demo, capsys):
    """demo.json was built by importing fixtures/posts/: importing them again changes no post."""
    before = {p.slug: (p.body, p.title, p.published_at) for p in Post.objects.all()}
    call_command("import_posts", str(REPO / "fixtures" / "posts"))
    assert "0 created" in capsys.readouterr().out
    assert {p.slug: (p.body, p.title, p.published_at) for p in Post.objects.all()} == before


def test_demo_pages_render(client, demo):
    assert client.get("/").status_code == 200
    for post in Post.objects.all():
        assert client.get(post.get_absolute_url()).status_code == 200


def test_the_demo_editor_can_log_in(client):
    call_command("loaddata", "demo_editor", verbosity=0)
    response = client.post("/admin/login/", {"username": "editor", "password": "quire-demo"})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
