"""Listing pages: the home page, section, tag, author and date archives, and the tags index.

What each item shows, the page links, public posts only, and a fixed number of queries however
many posts, authors and tags a page lists.
"""

import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from posts.markup import reading_minutes
from posts.models import Post, Section
from tests.helpers import assert_queries_cold_and_cached

pytestmark = pytest.mark.django_db


class Links(HTMLParser):
    """The pagination's links: (attributes, text) of each <a> inside <nav class="pagination">,
    and the text of its gaps."""

    def __init__(self, page):
        super().__init__(convert_charrefs=True)
        self.inside = False
        self.links, self.gaps = [], 0
        self._current = None
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "nav" and attrs.get("class") == "pagination":
            self.inside = True
        elif self.inside and tag == "a":
            self._current = [attrs, ""]
        elif self.inside and tag == "li" and attrs.get("class") == "pagination__gap":
            self.gaps += 1

    def handle_endtag(self, tag):
        if tag == "nav":
            self.inside = False
        elif tag == "a" and self._current is not None:
            self._current[1] = " ".join(self._current[1].split())
            self.links.append(tuple(self._current))
            self._current = None

    def handle_data(self, data):
        if self._current is not None:
            self._current[1] += data


def numbers(page):
    """The page numbers linked, in order, and which is the current one."""
    links = Links(page).links
    shown = [text for attrs, text in links if attrs.get("class") == "pagination__page"]
    current = [text for attrs, text in links if attrs.get("aria-current") == "page"]
    return shown, current


def words(count):
    return " ".join(f"word{n}" for n in range(count))


# Reading time ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "minutes"), [(0, 1), (1, 1), (344, 1), (345, 2), (574, 2), (575, 3), (700, 3)]
)
def test_reading_time_is_words_over_230_to_the_nearest_minute_and_at_least_one(count, minutes):
    """The card's figure and the article page's are one and the same."""
    assert reading_minutes(count) == minutes


def test_cards_show_the_reading_time(client, make_post):
    make_post("Long read", body=f"Lead.\n\n<excerpt/>\n\n{words(700)}")
    make_post("Short read", body="A few words.")
    page = client.get("/").content.decode()
    assert re.search(r"Long read.*?3 min read", page, re.DOTALL)
    assert re.search(r"Short read.*?1 min read", page, re.DOTALL)


# What every listing shows ----------------------------------------------------------------------


def test_items_show_title_byline_date_reading_time_excerpt_tags_and_image(
    client, make_post, make_author
):
    section = Section.objects.create(name="Columns", slug="columns")
    first = make_author("Ana Lima", slug="ana-lima")
    second = make_author("Bo Chen", slug="bo-chen")
    make_post(
        "Harbours and Hegemony",
        authors=[first, second],
        tags=["maritime", "Trade"],
        section=section,
        published_at=datetime(2025, 5, 22, 4, tzinfo=UTC),
        body="_The standfirst._\n\n<excerpt/>\n\nThe rest of the argument.",
        external_image="/static/demo/port.jpg",
        image_alt="Cranes at dusk",
    )
    for url in ("/", "/sections/columns/", "/tags/maritime/", "/authors/bo-chen/",
                "/archive/2025/", "/archive/2025/5/"):  # fmt: skip
        page = client.get(url).content.decode()
        card = page[page.index("<article") : page.index("</article>")]
        assert "Harbours and Hegemony" in card, url
        assert card.index('href="/authors/ana-lima/"') < card.index('href="/authors/bo-chen/"')
        assert 'datetime="2025-05-22T04:00:00+00:00"' in card and "22 May 2025" in card
        assert "1 min read" in card
        assert "<em>The standfirst.</em>" in card and "The rest of the argument" not in card
        assert 'href="/tags/maritime/"' in card and 'href="/tags/trade/"' in card
        assert 'src="/static/demo/port.jpg"' in card and 'alt="Cranes at dusk"' in card


def test_the_home_page_leads_with_the_latest_story(client, make_post):
    for number in range(4):
        make_post(f"Story {number}", published_at=timezone.now() - timedelta(days=number))
    page = client.get("/").content.decode()
    lead = page[page.index('<div class="lead-story">') : page.index("</article>")]
    assert "Story 0" in lead and "card--lead" in lead
    more = page[page.index('class="more-stories"') :]
    assert all(f"Story {number}" in more for number in (1, 2, 3))


def test_author_pages_show_the_photo_affiliation_and_bio(client, make_post, make_author):
    author = make_author(
        "Ravi Menon", slug="ravi-menon", affiliation="Sea Institute", bio="Writes on **ports**."
    )
    author.photo.name = "images/ravi.jpg"
    author.save()
    make_post(authors=[author])
    page = client.get("/authors/ravi-menon/").content.decode()
    assert 'src="/media/images/ravi.jpg"' in page and 'alt="Portrait of Ravi Menon"' in page
    assert "Sea Institute" in page and "Writes on <strong>ports</strong>." in page


# Pagination -------------------------------------------------------------------------------------


@pytest.fixture
def twenty(make_post, make_author, settings):
    """Twenty public posts on twenty pages, all in one section, tag, author and month."""
    settings.QUIRE_POSTS_PER_PAGE = 1
    section = Section.objects.create(name="Columns", slug="columns")
    make_post("Not paginated here", tags=["other"])  # on the home page only
    writer = make_author("Writer", slug="writer")
    moment = datetime(2025, 3, 28, 12, tzinfo=UTC)
    for number in range(20):
        make_post(
            f"Piece {number}", authors=[writer], tags=["topic"], section=section,
            published_at=moment - timedelta(hours=number),
        )  # fmt: skip


@pytest.mark.parametrize(
    "path", ["/sections/columns/", "/tags/topic/", "/authors/writer/", "/archive/2025/3/"]
)
def test_listings_link_every_page_by_number_with_gaps_and_prev_next(client, twenty, path):
    first = client.get(path).content.decode()
    assert numbers(first) == (["1", "2", "3", "20"], ["1"])
    links = Links(first)
    assert links.gaps == 1
    assert not any(attrs.get("rel") == "prev" for attrs, _ in links.links)
    [following] = [attrs for attrs, _ in links.links if attrs.get("rel") == "next"]
    assert following["href"] == "?page=2"

    middle = client.get(f"{path}?page=10").content.decode()
    assert numbers(middle) == (["1", "8", "9", "10", "11", "12", "20"], ["10"])
    assert Links(middle).gaps == 2
    rels = {attrs["rel"]: attrs["href"] for attrs, _ in Links(middle).links if "rel" in attrs}
    assert rels == {"prev": "?page=9", "next": "?page=11"}
    assert "Piece 9" in middle and "Piece 8" not in middle

    second = client.get(f"{path}?page=2").content.decode()
    [previous] = [attrs for attrs, _ in Links(second).links if attrs.get("rel") == "prev"]
    # Page 1 is the listing's own URL, never "?page=1".
    assert previous["href"] == path
    assert [attrs["href"] for attrs, text in Links(second).links if text == "1"] == [path]

    last = client.get(f"{path}?page=20").content.decode()
    assert numbers(last) == (["1", "18", "19", "20"], ["20"])
    assert not any(attrs.get("rel") == "next" for attrs, _ in Links(last).links)
    assert client.get(f"{path}?page=21").status_code == 404
    assert client.get(f"{path}?page=0").status_code == 404
    assert client.get(f"{path}?page=x").status_code == 404


def test_the_home_page_is_paginated_the_same_way(client, twenty):
    page = client.get("/?page=3").content.decode()
    shown, current = numbers(page)
    assert shown == ["1", "2", "3", "4", "5", "21"] and current == ["3"]
    assert 'aria-current="page"' in page and 'rel="prev"' in page and 'rel="next"' in page


def test_a_single_page_has_no_pagination(client, make_post):
    make_post()
    assert 'class="pagination"' not in client.get("/").content.decode()
    for _ in range(10):
        make_post()
    assert 'class="pagination"' in client.get("/").content.decode()


def test_a_unicode_listing_links_page_one_by_its_encoded_path(client, make_post, settings):
    settings.QUIRE_POSTS_PER_PAGE = 1
    make_post(tags=["défense"])
    make_post(tags=["défense"])
    page = client.get("/tags/défense/?page=2").content.decode()
    assert 'href="/tags/d%C3%A9fense/" aria-label="Page 1"' in page


# The tags index ---------------------------------------------------------------------------------


def test_the_tags_index_counts_published_posts_only(client, make_post):
    make_post(tags=["Energy", "arctic"])
    make_post(tags=["Energy"])
    make_post(tags=["Émigrés", "zinc"])
    make_post(tags=["Energy"], status=Post.Status.DRAFT)
    make_post(tags=["Energy"], status=Post.Status.REVIEW)
    make_post(tags=["Energy"], published_at=timezone.now() + timedelta(hours=1))
    former = make_post(tags=["Energy", "withdrawn"])
    Post.objects.filter(pk=former.pk).update(status=Post.Status.DRAFT)
    make_post(tags=["draft-only"], status=Post.Status.DRAFT)

    page = client.get("/tags/").content.decode()
    index = page[page.index('<ul class="tag-index">') :]
    listed = re.findall(r'<a href="(/tags/[^"]+/)">([^<]+)</a> <span [^>]*>(\d+)<', index)
    assert [(name, int(count)) for _, name, count in listed] == [
        ("arctic", 1), ("Émigrés", 1), ("Energy", 2), ("zinc", 1)
    ]  # fmt: skip
    assert "draft-only" not in page and "withdrawn" not in page
    hrefs = [href for href, _, _ in listed]
    assert hrefs[1] == "/tags/%C3%A9migr%C3%A9s/"
    for href in hrefs:
        assert client.get(href).status_code == 200


def test_the_tags_index_sorts_alphabetically_whatever_the_case_and_accents(client, make_post):
    make_post(tags=["zinc", "Émile", "apple", "Banana", "eagle"])
    page = client.get("/tags/").content.decode()
    names = re.findall(r'<li class="tag-index__item"><a href="[^"]+">([^<]+)</a>', page)
    assert names == ["apple", "Banana", "eagle", "Émile", "zinc"]


def test_an_empty_tags_index(client, db):
    response = client.get("/tags/")
    assert response.status_code == 200 and "No topics yet" in response.content.decode()


# Queries ----------------------------------------------------------------------------------------


@pytest.fixture
def library(make_post, make_author, settings):
    """`count` public posts on one page, each with two authors, three tags and a section."""

    def build(count):
        settings.QUIRE_POSTS_PER_PAGE = 12
        section = Section.objects.get_or_create(slug="commentary", name="Commentary")[0]
        shared = make_author("Shared Writer", slug="shared-writer")
        for number in range(count):
            make_post(
                authors=[make_author(), shared],
                tags=["shared", f"topic-{number}", f"area-{number}"],
                section=section,
                external_image=f"/static/demo/{number}.jpg",
                published_at=datetime(2025, 5, 20, tzinfo=UTC) - timedelta(hours=number),
            )
        # Older posts, for a second page and page links.
        for number in range(12):
            moment = datetime(2025, 5, 1, tzinfo=UTC) - timedelta(hours=number)
            make_post(tags=["shared"], section=section, authors=[shared], published_at=moment)

    return build


LISTINGS = {
    # With nothing cached: count and post ids (see posts.pagination), posts, bylines, tags.
    "/": 5,
    "/?page=2": 5,
    "/tags/shared/": 6,  # and the tag
    "/tags/shared/?page=2": 6,
    "/authors/shared-writer/": 6,  # and the author
    "/sections/commentary/": 6,  # and the section
    "/archive/2025/": 5,
    "/archive/2025/5/": 5,
    "/tags/": 1,  # tags with their published posts counted
}


@pytest.mark.parametrize(("url", "queries"), LISTINGS.items())
@pytest.mark.parametrize("count", [1, 12])
def test_listings_use_a_fixed_number_of_queries(
    client, library, django_assert_num_queries, url, queries, count
):
    library(count)
    assert_queries_cold_and_cached(client, url, queries, django_assert_num_queries)
