"""What listings tell search engines and link previews: titles, descriptions, canonical URLs,
Open Graph and Twitter cards and the home page's JSON-LD (sitemap.xml and robots.txt: see
test_sitemap.py)."""

import json
import re
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest

from posts.models import Section

pytestmark = pytest.mark.django_db


class Head(HTMLParser):
    """The <title>, every <meta> (by name or property), every <link rel> and the JSON-LD."""

    def __init__(self, page):
        super().__init__(convert_charrefs=True)
        self.title, self.meta, self.links, self.json_ld = "", {}, {}, []
        self._in = None
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "title":
            self._in = "title"
        elif tag == "meta" and ("name" in attrs or "property" in attrs):
            key = attrs.get("name") or attrs["property"]
            assert key not in self.meta, f"{key} twice"
            self.meta[key] = attrs["content"]
        elif tag == "link" and "rel" in attrs:
            self.links.setdefault(attrs["rel"], []).append(attrs["href"])
        elif tag == "script" and attrs.get("type") == "application/ld+json":
            self._in = "json"
            self.json_ld.append("")

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        if self._in == "title":
            self.title += data
        elif self._in == "json":
            self.json_ld[-1] += data


def head(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return Head(response.content.decode())


@pytest.fixture
def site(make_post, make_author, settings):
    """Three pages of posts in a section, a tag, an author's and a month's listing."""
    settings.QUIRE_POSTS_PER_PAGE = 2
    section = Section.objects.create(
        name="Columns", slug="columns", description="Opinion & argument."
    )
    author = make_author(
        "Ana Lima", slug="ana-lima", affiliation="Sea Institute", bio="Ana studies **ports**."
    )
    for number in range(5):
        make_post(
            authors=[author], tags=["Trade", "défense"], section=section,
            published_at=datetime(2025, 5, 20 - number, tzinfo=UTC),
        )  # fmt: skip


LISTINGS = {
    "/sections/columns/": ("Columns", "Opinion & argument."),
    "/tags/trade/": ("Trade", "Articles on Trade from The Meridian Review."),
    "/authors/ana-lima/": ("Ana Lima", "Ana studies ports."),
    "/archive/2025/": ("2025", "Articles published in 2025 in The Meridian Review."),
    "/archive/2025/5/": ("May 2025", "Articles published in May 2025 in The Meridian Review."),
}


@pytest.mark.parametrize(("path", "expected"), LISTINGS.items())
def test_every_listing_has_its_title_description_canonical_and_cards(client, site, path, expected):
    heading, description = expected
    first = head(client, path)
    assert first.title == f"{heading} · The Meridian Review"
    assert first.meta["description"] == description
    assert first.links["canonical"] == [f"http://testserver{path}"]
    assert first.links["next"] == [f"http://testserver{path}?page=2"]
    assert "prev" not in first.links
    assert first.meta["og:site_name"] == "The Meridian Review"
    assert first.meta["og:title"] == heading == first.meta["twitter:title"]
    assert first.meta["og:description"] == description == first.meta["twitter:description"]
    assert first.meta["og:url"] == f"http://testserver{path}"
    assert first.meta["og:type"] == ("profile" if path.startswith("/authors/") else "website")
    assert first.meta["twitter:card"] == "summary"

    second = head(client, f"{path}?page=2")
    assert second.title == f"{heading}, page 2 · The Meridian Review"
    assert second.meta["description"] == f"{description} Page 2 of 3."
    assert second.links["canonical"] == [f"http://testserver{path}?page=2"]
    assert second.meta["og:url"] == f"http://testserver{path}?page=2"
    assert second.links["prev"] == [f"http://testserver{path}"]
    assert second.links["next"] == [f"http://testserver{path}?page=3"]

    # "?page=1" is page 1, whose one URL has no query; other parameters are no part of it.
    assert head(client, f"{path}?page=1&utm_source=x").links["canonical"] == [
        f"http://testserver{path}"
    ]


def test_the_home_page_metadata(client, site):
    first = head(client, "/")
    assert first.title == "The Meridian Review"
    tagline = "Analysis and commentary on the questions that shape policy"
    assert first.meta["description"] == tagline == first.meta["og:description"]
    assert first.links["canonical"] == ["http://testserver/"]
    assert first.meta["og:title"] == "The Meridian Review" and first.meta["og:type"] == "website"
    assert first.meta["twitter:card"] == "summary"
    second = head(client, "/?page=2")
    assert second.title == "Latest articles, page 2 · The Meridian Review"
    assert second.meta["description"] == f"{tagline}. Page 2 of 3."
    assert second.links["canonical"] == ["http://testserver/?page=2"]
    assert second.links["prev"] == ["http://testserver/"]


def test_the_tags_index_metadata(client, site):
    page = head(client, "/tags/")
    assert page.title == "Topics · The Meridian Review"
    assert page.meta["description"] and page.meta["og:title"] == "Topics"
    assert page.links["canonical"] == ["http://testserver/tags/"]


def test_listings_with_a_feed_announce_it(client, site):
    for path in ("/sections/columns/", "/tags/trade/", "/authors/ana-lima/"):
        alternates = head(client, path).links["alternate"]
        assert f"{path}feed.xml" in alternates, path
    assert head(client, "/archive/2025/").links["alternate"] == ["/feed.xml"]


def test_a_unicode_listing_has_an_encoded_canonical_url(client, site):
    page = head(client, "/tags/défense/?page=2")
    assert page.links["canonical"] == ["http://testserver/tags/d%C3%A9fense/?page=2"]
    assert page.links["prev"] == ["http://testserver/tags/d%C3%A9fense/"]


def test_an_author_page_offers_the_photo_as_its_image(client, make_post, make_author):
    author = make_author("Bo Chen", slug="bo-chen", affiliation="Port Authority")
    author.photo.name = "images/bo.jpg"
    author.save()
    make_post(authors=[author])
    page = head(client, "/authors/bo-chen/")
    assert page.meta["og:image"] == "http://testserver/media/images/bo.jpg"
    assert page.meta["description"] == "Articles by Bo Chen, Port Authority in The Meridian Review."


def test_a_long_bio_is_cut_at_a_word_for_the_description(client, make_post, make_author):
    make_author("Long Bio", slug="long-bio", bio="word " * 100)
    make_post(authors=[make_author("Long", slug="long", bio="Sentence one.\n\n" + "more " * 60)])
    description = head(client, "/authors/long/").meta["description"]
    assert description.startswith("Sentence one. more more")
    assert len(description) <= 161 and description.endswith("more…")


# JSON-LD ----------------------------------------------------------------------------------------


def test_the_home_page_describes_the_website_with_its_search(client, site):
    [data] = [json.loads(block) for block in head(client, "/").json_ld]
    assert data["@context"] == "https://schema.org" and data["@type"] == "WebSite"
    assert data["name"] == "The Meridian Review" and data["url"] == "http://testserver/"
    action = data["potentialAction"]
    assert action["@type"] == "SearchAction"
    assert action["target"]["urlTemplate"] == "http://testserver/search/?q={search_term_string}"
    assert action["query-input"] == "required name=search_term_string"
    assert head(client, "/?page=2").json_ld == []  # the site is described once, at its home


def test_json_ld_cannot_be_broken_out_of(client, db, settings):
    settings.QUIRE_SITE_NAME = "</script><script>alert(1)</script><!--"
    page = client.get("/").content.decode()
    [block] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.DOTALL)
    assert "<" not in block and ">" not in block
    assert json.loads(block)["name"] == settings.QUIRE_SITE_NAME
