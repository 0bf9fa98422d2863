"""Atom and RSS feeds in detail: each entry's fields as feed readers parse them (feedparser) and
as the XML is built (ElementTree), public posts only, and a fixed number of queries."""

import io
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import feedparser
import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image as PILImage

from media.models import Image
from posts.feeds import absolute_html
from posts.models import Post, Section
from tests.helpers import assert_queries_cold_and_cached

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
MEDIA = "{http://search.yahoo.com/mrss/}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
DC = "{http://purl.org/dc/elements/1.1/}"

PUBLISHED = datetime(2025, 5, 22, 4, tzinfo=UTC)
UPDATED = datetime(2025, 5, 23, 9, 30, tzinfo=UTC)


def library_image(width=1000, height=500):
    """A stored library JPEG, which generates its renditions (480, 960 and 1000 wide)."""
    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), (120, 80, 40)).save(buffer, format="JPEG")
    return Image.objects.create(
        file=ContentFile(buffer.getvalue(), name="photo.jpg"), alt_text="Cranes at dusk"
    )


@pytest.fixture
def posts(make_post, make_author):
    """A co-written post with a library image and a description, a post with an image by URL and
    only an excerpt, and every kind of post readers must not see, all sharing tag and section."""
    section = Section.objects.create(name="Columns", slug="columns")
    ana = make_author("Ana Lima", slug="ana-lima")
    bo = make_author("Bo Chen", slug="bo-chen")
    common = {"section": section, "tags": ["trade", "Ports"]}
    full = make_post(
        "Harbours & Hegemony",
        slug="harbours",
        authors=[bo, ana],
        description="How ports project power: <b> & more.",
        body=(
            "_The lead._\n\n<excerpt/>\n\n### Heading\n\n"
            "See [the other piece](/posts/other/) and ![a map](/media/map.png)."
        ),
        image=library_image(),
        **common,
    )
    plain = make_post(
        "Second piece",
        slug="second",
        authors=[ana],
        body="_Only an excerpt._\n\n<excerpt/>\n\nText.",
        external_image="/static/demo/x.jpg",
        published_at=PUBLISHED - timedelta(days=1),
        **common,
    )
    make_post("Draft piece", status=Post.Status.DRAFT, authors=[ana], **common)
    make_post("Review piece", status=Post.Status.REVIEW, authors=[ana], **common)
    make_post("Future piece", authors=[ana], published_at=timezone.now() + timedelta(hours=1),
              **common)  # fmt: skip
    former = make_post("Former piece", authors=[ana], **common)
    Post.objects.filter(pk=former.pk).update(status=Post.Status.DRAFT)
    Post.objects.filter(pk=full.pk).update(published_at=PUBLISHED, updated_at=UPDATED)
    Post.objects.filter(pk=plain.pk).update(updated_at=PUBLISHED - timedelta(hours=12))
    return Post.objects.get(pk=full.pk), Post.objects.get(pk=plain.pk)


FEEDS = ["/feed.xml", "/tags/trade/feed.xml", "/authors/ana-lima/feed.xml",
         "/sections/columns/feed.xml"]  # fmt: skip


def parsed(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    return response, feed


@pytest.mark.parametrize("url", FEEDS)
def test_atom_entries_carry_every_field(client, posts, url):
    full, _ = posts
    response, feed = parsed(client, url)
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    assert feed.version == "atom10"
    assert [entry.title for entry in feed.entries] == ["Harbours & Hegemony", "Second piece"]
    entry, second = feed.entries

    assert entry.link == "http://testserver/posts/harbours/"
    assert entry.id == "http://testserver/posts/harbours/"
    assert entry.published_parsed[:6] == (2025, 5, 22, 4, 0, 0)
    assert entry.updated_parsed[:6] == (2025, 5, 23, 9, 30, 0) == full.updated_at.timetuple()[:6]
    # The description is plain text: its "<b>" is text, not markup.
    assert entry.summary == "How ports project power: &lt;b&gt; &amp; more."
    assert second.summary == "<p><em>Only an excerpt.</em></p>"
    [content] = entry.content
    assert content.type == "text/html"
    assert '<h3 id="heading">Heading</h3>' in content.value
    assert 'href="http://testserver/posts/other/"' in content.value
    assert 'src="http://testserver/media/map.png"' in content.value
    # Every author, in byline order, with their page.
    assert [(a.name, a.href) for a in entry.authors] == [
        ("Bo Chen", "http://testserver/authors/bo-chen/"),
        ("Ana Lima", "http://testserver/authors/ana-lima/"),
    ]
    assert sorted(tag.term for tag in entry.tags) == ["Ports", "trade"]
    [image] = entry.media_content
    assert image["medium"] == "image"
    assert image["url"].startswith("http://testserver/media/renditions/")
    assert image["url"].endswith("-960.jpg")
    assert (image["width"], image["height"], image["type"]) == ("960", "480", "image/jpeg")
    [other] = second.media_content
    assert other == {"url": "http://testserver/static/demo/x.jpg", "medium": "image"}


@pytest.mark.parametrize("url", FEEDS)
def test_atom_xml_structure(client, posts, url):
    root = ET.fromstring(client.get(url).content)
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{required}").text, required
    assert root.find(f"{ATOM}link[@rel='self']").get("href") == f"http://testserver{url}"
    # Entries without a byline fall back on the feed's author, which Atom then requires.
    assert root.find(f"{ATOM}author/{ATOM}name").text == "The Meridian Review"
    # The feed changed when its latest entry did.
    assert root.find(f"{ATOM}updated").text == "2025-05-23T09:30:00+00:00"
    entry = root.find(f"{ATOM}entry")
    for required in ("id", "title", "updated", "published", "summary", "content"):
        assert len(entry.findall(f"{ATOM}{required}")) == 1, required
    assert entry.find(f"{ATOM}content").get("type") == "html"
    assert entry.find(f"{ATOM}summary").get("type") == "html"
    assert [a.findtext(f"{ATOM}name") for a in entry.findall(f"{ATOM}author")] == [
        "Bo Chen",
        "Ana Lima",
    ]
    [media] = entry.findall(f"{MEDIA}content")
    assert media.get("medium") == "image" and media.get("url").startswith("http://testserver/")
    assert media.get("width") == "960" and media.get("height") == "480"
    assert int(media.get("fileSize")) > 0


def test_rss_items_carry_every_field(client, posts):
    response, feed = parsed(client, "/rss.xml")
    assert response["Content-Type"] == "application/rss+xml; charset=utf-8"
    assert feed.version == "rss20"
    entry, second = feed.entries
    assert entry.title == "Harbours & Hegemony"
    assert entry.link == "http://testserver/posts/harbours/"
    assert entry.summary == "How ports project power: &lt;b&gt; &amp; more."
    assert '<h3 id="heading">Heading</h3>' in entry.content[0].value
    assert entry.published_parsed[:6] == (2025, 5, 22, 4, 0, 0)
    assert [author["name"] for author in entry.authors] == ["Bo Chen", "Ana Lima"]
    assert sorted(tag.term for tag in entry.tags) == ["Ports", "trade"]
    assert entry.media_content[0]["url"].endswith("-960.jpg")
    assert second.summary == "<p><em>Only an excerpt.</em></p>"

    channel = ET.fromstring(response.content).find("channel")
    for required in ("title", "link", "description"):
        assert channel.findtext(required), required
    item = channel.find("item")
    assert item.findtext("guid") == "http://testserver/posts/harbours/"
    assert [creator.text for creator in item.findall(f"{DC}creator")] == ["Bo Chen", "Ana Lima"]
    assert "Heading" in item.findtext(f"{CONTENT}encoded")
    assert item.findtext("description") == "How ports project power: &lt;b&gt; &amp; more."
    assert item.find(f"{MEDIA}content").get("width") == "960"
    assert item.find("author") is None  # RSS's <author> must be an e-mail address


@pytest.mark.parametrize("url", [*FEEDS, "/rss.xml"])
def test_feeds_carry_published_posts_only(client, posts, url):
    body = client.get(url).content.decode()
    assert "Second piece" in body
    for title in ("Draft piece", "Review piece", "Future piece", "Former piece"):
        assert title not in body, (url, title)


def test_an_unpublished_post_edited_later_moves_no_feed_date(client, posts):
    Post.objects.exclude(status=Post.Status.PUBLISHED).update(
        updated_at=timezone.now() + timedelta(days=3)
    )
    root = ET.fromstring(client.get("/feed.xml").content)
    assert root.find(f"{ATOM}updated").text == "2025-05-23T09:30:00+00:00"


def test_a_scheduled_post_is_updated_when_it_went_live(client, make_post):
    post = make_post("Timed", published_at=timezone.now() + timedelta(minutes=5))
    live = datetime(2025, 6, 2, 8, tzinfo=UTC)
    Post.objects.filter(pk=post.pk).update(
        published_at=live, updated_at=live - timedelta(days=1)
    )  # fmt: skip
    [entry] = parsed(client, "/feed.xml")[1].entries
    assert entry.updated_parsed[:6] == entry.published_parsed[:6] == (2025, 6, 2, 8, 0, 0)


def test_a_post_without_authors_summary_or_image(client, make_post):
    make_post("Bare", authors=[], body="Just text.", excerpt_separator="")
    for url in ("/feed.xml", "/rss.xml"):
        [entry] = parsed(client, url)[1].entries
        assert entry.title == "Bare" and "media_content" not in entry


def test_relative_urls_in_html_become_absolute():
    html = (
        '<a href="/posts/x/">x</a> <a href="https://example.org/">e</a> <a href="#fn1">1</a> '
        '<a href="//cdn.example.org/y">y</a>'
        '<picture><source srcset="/media/a-480.webp 480w, /media/a-960.webp 960w">'
        '<img src="/media/a.jpg" alt=""></picture>'
    )
    assert absolute_html(html, "https://site.example") == (
        '<a href="https://site.example/posts/x/">x</a> <a href="https://example.org/">e</a> '
        '<a href="#fn1">1</a> <a href="//cdn.example.org/y">y</a>'
        '<picture><source srcset="https://site.example/media/a-480.webp 480w, '
        'https://site.example/media/a-960.webp 960w">'
        '<img src="https://site.example/media/a.jpg" alt=""></picture>'
    )


def test_feeds_over_https_use_https_urls(client, posts):
    entry = feedparser.parse(client.get("/feed.xml", secure=True).content).entries[0]
    assert entry.link.startswith("https://testserver/")
    assert entry.media_content[0]["url"].startswith("https://testserver/")
    assert entry.authors[0].href.startswith("https://testserver/")


# Queries ----------------------------------------------------------------------------------------


@pytest.fixture
def library(make_post, make_author):
    """`count` public posts, each with two authors, three tags, a section and a library image."""

    def build(count):
        section = Section.objects.get_or_create(slug="commentary", name="Commentary")[0]
        shared = make_author("Shared Writer", slug="shared-writer")
        image = library_image(1200, 600)
        for number in range(count):
            make_post(
                authors=[make_author(), shared],
                tags=["shared", f"topic-{number}", f"area-{number}"],
                section=section,
                image=image,
            )

    return build


FEED_QUERIES = {
    "/feed.xml": 3,  # posts with image and section, bylines, tags
    "/rss.xml": 3,
    "/tags/shared/feed.xml": 4,  # tag, posts, bylines, tags
    "/authors/shared-writer/feed.xml": 4,  # author, posts, bylines, tags
    "/sections/commentary/feed.xml": 4,  # section, posts, bylines, tags
}


@pytest.mark.parametrize(("url", "queries"), FEED_QUERIES.items())
@pytest.mark.parametrize("count", [1, 25])
def test_feeds_use_a_fixed_number_of_queries(
    client, library, django_assert_num_queries, url, queries, count
):
    library(count)
    assert_queries_cold_and_cached(client, url, queries, django_assert_num_queries)
