"""Syndication: feeds carry published posts only (the sitemap: see test_sitemap.py)."""

from datetime import timedelta

import feedparser
import pytest
from django.utils import timezone

from posts.models import Post, Section

pytestmark = pytest.mark.django_db


@pytest.fixture
def posts(make_post, make_author):
    writer = make_author("Lena Park", slug="lena-park")
    section = Section.objects.create(name="Columns", slug="columns")
    public = make_post(
        "Public piece", slug="public", authors=[writer], tags=["trade"], section=section,
        body="_Lead._\n\n<excerpt/>\n\n### Heading\n\nFull text.",
    )  # fmt: skip
    make_post("Draft piece", status=Post.Status.DRAFT, authors=[writer], tags=["trade"])
    make_post("Future piece", published_at=timezone.now() + timedelta(days=1), tags=["trade"])
    return public


@pytest.mark.parametrize(
    "url", ["/feed.xml", "/tags/trade/feed.xml", "/authors/lena-park/feed.xml",
            "/sections/columns/feed.xml"],
)  # fmt: skip
def test_atom_feeds_carry_full_published_posts(client, posts, url):
    response = client.get(url)
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    [entry] = feed.entries
    assert entry.title == "Public piece"
    assert entry.link == "http://testserver/posts/public/"
    assert '<h3 id="heading">Heading</h3>' in entry.content[0].value
    assert entry.author == "Lena Park"
    assert [tag.term for tag in entry.tags] == ["trade"]
    assert entry.summary == "<p><em>Lead.</em></p>"
    assert entry.updated_parsed and entry.published_parsed


def test_listings_announce_their_own_feed(client, posts):
    page = client.get("/tags/trade/").content.decode()
    assert 'type="application/atom+xml"' in page and 'href="/tags/trade/feed.xml"' in page


def test_rss_feed_is_valid_rss(client, posts):
    feed = feedparser.parse(client.get("/rss.xml").content)
    assert not feed.bozo and feed.version == "rss20"
    [entry] = feed.entries
    assert entry.title == "Public piece"
    # The summary in <description>, the whole article in <content:encoded>.
    assert entry.description == "<p><em>Lead.</em></p>"
    assert '<h3 id="heading">Heading</h3>' in entry.content[0].value


def test_feeds_of_unknown_tags_and_authors_are_not_found(client, posts):
    assert client.get("/tags/nothing/feed.xml").status_code == 404
    assert client.get("/authors/nobody/feed.xml").status_code == 404
    assert client.get("/tags/trade/feed.xml").status_code == 200
    assert client.get("/authors/lena-park/feed.xml").status_code == 200
