"""Drafts, posts in review and scheduled posts never reach a public page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from posts.models import Post, Section

pytestmark = pytest.mark.django_db


@pytest.fixture
def hidden_posts(make_post, make_author):
    """A public post beside every kind readers must not see, sharing its tag and author."""
    section = Section.objects.create(name="Briefs", slug="briefs")
    writer = make_author("Public Writer", slug="public-writer")
    common = {"tags": ["security"], "section": section}
    make_post("Visible piece", authors=[writer], **common)
    hidden = {
        "Draft piece": {"status": Post.Status.DRAFT},
        "Review piece": {"status": Post.Status.REVIEW},
        "Scheduled piece": {"published_at": timezone.now() + timedelta(minutes=5)},
        "Undated piece": {},
    }
    posts = [
        make_post(title, authors=[writer], **common, **fields) for title, fields in hidden.items()
    ]
    # Only a bulk update can leave a published post without a date; it stays private.
    Post.objects.filter(title="Undated piece").update(published_at=None)
    return posts


PUBLIC_PAGES = ["/", "/tags/security/", "/authors/public-writer/", "/sections/briefs/"]


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_listings_show_only_published_posts(client, hidden_posts, url):
    page = client.get(url).content.decode()
    assert "Visible piece" in page
    for post in hidden_posts:
        assert post.title not in page
        assert post.get_absolute_url() not in page


def test_unpublished_articles_are_not_found(client, hidden_posts):
    for post in hidden_posts:
        assert client.get(post.get_absolute_url()).status_code == 404


def test_tags_and_authors_with_only_unpublished_posts_have_no_page(client, make_post, make_author):
    make_post(
        "Secret", status=Post.Status.DRAFT, tags=["embargoed"], authors=[make_author(slug="x")]
    )
    assert client.get("/tags/embargoed/").status_code == 404
    assert client.get("/authors/x/").status_code == 404


def test_a_scheduled_post_appears_once_its_time_has_come(client, make_post):
    post = make_post("Timed piece", published_at=timezone.now() + timedelta(minutes=5))
    assert "Timed piece" not in client.get("/").content.decode()
    Post.objects.filter(pk=post.pk).update(published_at=timezone.now() - timedelta(seconds=1))
    assert "Timed piece" in client.get("/").content.decode()
    assert client.get(post.get_absolute_url()).status_code == 200


def test_feeds_of_tags_authors_and_sections_with_only_unpublished_posts_are_not_found(
    client, make_post, make_author
):
    section = Section.objects.create(name="Embargoed", slug="embargoed")
    author = make_author("Hidden Writer", slug="hidden-writer")
    make_post(status=Post.Status.DRAFT, tags=["secret"], authors=[author], section=section)
    for url in ("/tags/secret/", "/authors/hidden-writer/", "/sections/embargoed/"):
        assert client.get(url).status_code == 404
        assert client.get(f"{url}feed.xml").status_code == 404
