"""Every public page: what a reader sees, and a fixed number of queries however much is listed."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from posts.models import Post, Section
from tests.helpers import assert_queries_cold_and_cached

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(make_post, make_author):
    """Builds `count` public posts, each with two authors and three tags, all in one section."""

    def build(count):
        section = Section.objects.get_or_create(slug="commentary", name="Commentary")[0]
        shared = make_author("Shared Writer", slug="shared-writer")
        for number in range(count):
            make_post(
                authors=[make_author(), shared],
                tags=["shared", f"topic-{number}", f"area-{number}"],
                section=section,
                external_image=f"/static/demo/{number}.jpg",
            )

    return build


PAGES = {
    "/": 5,  # count, post ids, posts with image and section, bylines, tags
    # Post with image and section, bylines, tags, prev/next, related, the linked posts by id.
    "/posts/{slug}/": 6,
    "/tags/shared/": 6,  # tag, count, post ids, posts, bylines, tags
    "/authors/shared-writer/": 6,  # author, count, post ids, posts, bylines, tags
    "/sections/commentary/": 6,  # section, count, post ids, posts, bylines, tags
    "/archive/{year}/": 5,  # count, post ids, posts, bylines, tags
    "/feed.xml": 3,  # posts, bylines, tags
    "/tags/shared/feed.xml": 4,  # tag, posts, bylines, tags (no posts: 404)
    "/sitemap.xml": 6,  # posts, tags, authors: each a count and its two latest posts by id
    "/tags/": 1,  # tags with their counts of published posts
    "/rss.xml": 3,  # posts, bylines, tags
    "/archive/{year}/{month}/": 5,
    "/posts/{slug}/cite.bib": 2,  # post, bylines
    "/search/?q=shared": 5 if connection.vendor == "sqlite" else 4,  # see tests/test_search.py
}


@pytest.mark.parametrize(("url", "queries"), PAGES.items())
@pytest.mark.parametrize("count", [2, 12])
def test_public_pages_use_a_fixed_number_of_queries(
    client, library, django_assert_num_queries, url, queries, count
):
    library(count)
    latest = Post.objects.first()
    moment = latest.published_at
    url = url.format(slug=latest.slug, year=moment.year, month=moment.month)
    assert_queries_cold_and_cached(client, url, queries, django_assert_num_queries)


def test_home_lists_ten_latest_posts_per_page_with_their_parts(client, make_post, make_author):
    author = make_author("Noor Haddad", slug="noor-haddad")
    for number in range(12):
        make_post(
            f"Dispatch {number:02}",
            authors=[author],
            tags=["water policy"],
            published_at=timezone.now() - timedelta(days=number),
            external_image=f"/static/demo/{number}.jpg",
            image_alt=f"Picture {number}",
        )
    first = client.get("/").content.decode()
    assert first.count("<article") == 10
    assert first.index("Dispatch 00") < first.index("Dispatch 09")
    assert "Dispatch 10" not in first
    assert 'href="/authors/noor-haddad/"' in first
    assert 'href="/tags/water-policy/"' in first
    assert 'src="/static/demo/0.jpg"' in first and 'alt="Picture 0"' in first
    assert "<em>Lead of post" in first  # the excerpt, rendered
    assert "Body of post" not in first  # not the whole post
    assert 'href="?page=2"' in first
    second = client.get("/?page=2").content.decode()
    assert "Dispatch 10" in second and "Dispatch 11" in second
    assert client.get("/?page=3").status_code == 404
    assert client.get("/?page=abc").status_code == 404


def test_an_empty_site_has_a_home_page(client, db):
    assert client.get("/").status_code == 200


def test_the_article_page(client, make_post, make_author):
    first = make_author(
        "Ana Lima", slug="ana-lima", bio="Ana studies **ports**.", affiliation="Inst."
    )
    second = make_author("Bo Chen", slug="bo-chen", bio="Bo writes on trade.")
    post = make_post(
        "Harbours and Hegemony",
        slug="harbours",
        authors=[first, second],
        tags=["maritime"],
        description="How ports project power.",
        body="_The lead._\n\n<excerpt/>\n\n### Section one\n\nText.[^1]\n\n[^1]: A note.",
        published_at=datetime(2025, 5, 22, 4, tzinfo=UTC),
        published_offset=480,
        external_image="https://images.example.org/port.jpg",
        image_alt="Container cranes at dusk",
        image_caption="The port at night.",
    )
    page = client.get(post.get_absolute_url()).content.decode()
    assert "<h1" in page and "Harbours and Hegemony" in page
    assert page.index('href="/authors/ana-lima/"') < page.index('href="/authors/bo-chen/"')
    assert "22 May 2025, 12:00 +08:00" in page
    assert 'datetime="2025-05-22T12:00:00+08:00"' in page
    assert 'src="https://images.example.org/port.jpg"' in page
    assert 'alt="Container cranes at dusk"' in page and "The port at night." in page
    assert '<h3 id="section-one">Section one</h3>' in page
    assert 'href="#fn1"' in page and 'href="#fnref1"' in page
    assert 'href="/tags/maritime/"' in page
    assert "Ana studies <strong>ports</strong>." in page and "Bo writes on trade." in page
    assert '<meta name="description" content="How ports project power.">' in page
    assert '<meta property="og:description" content="How ports project power.">' in page
    assert '<link rel="canonical" href="http://testserver/posts/harbours/">' in page
    assert "&lt;excerpt/&gt;" not in page and "<excerpt/>" not in page


def test_tag_author_and_section_pages_list_their_posts(client, make_post, make_author):
    author = make_author("Ravi Menon", slug="ravi-menon", affiliation="Sea Institute")
    section = Section.objects.create(name="Columns", slug="columns", description="Opinion.")
    make_post("Tagged piece", authors=[author], tags=["Arctic"], section=section)
    make_post("Other piece", tags=["Energy"])
    tag_page = client.get("/tags/arctic/").content.decode()
    assert "Tagged piece" in tag_page and "Other piece" not in tag_page and "Arctic" in tag_page
    author_page = client.get("/authors/ravi-menon/").content.decode()
    assert "Tagged piece" in author_page and "Sea Institute" in author_page
    section_page = client.get("/sections/columns/").content.decode()
    assert "Tagged piece" in section_page and "Opinion." in section_page


def test_unicode_tag_slugs_resolve(client, make_post):
    make_post("Sur l'Europe", tags=["défense européenne"])
    assert client.get("/tags/défense-européenne/").status_code == 200


def test_unknown_pages_get_the_site_404(client, db):
    response = client.get("/posts/nowhere/")
    assert response.status_code == 404
    assert "<main" in response.content.decode()


def test_server_errors_get_the_site_500_without_a_request_context():
    from django.template.loader import get_template

    html = get_template("500.html").render()
    assert "<html" in html and "error" in html.lower()


def test_static_files_are_local_and_pages_load_nothing_from_other_hosts(client, make_post):
    make_post(external_image="/static/demo/x.jpg")
    for url in ("/", Post.objects.get().get_absolute_url()):
        page = client.get(url).content.decode()
        assert 'href="/static/css/' in page
        for marker in ('src="http', 'href="//', "@import", "fonts.googleapis"):
            assert marker not in page, (url, marker)


def test_date_archives_list_posts_of_that_year_and_month(client, make_post):
    make_post("May piece", published_at=datetime(2025, 5, 22, 4, tzinfo=UTC))
    make_post("June piece", published_at=datetime(2025, 6, 2, 4, tzinfo=UTC))
    make_post("Next year", published_at=datetime(2026, 1, 2, 4, tzinfo=UTC))
    year = client.get("/archive/2025/").content.decode()
    assert "May piece" in year and "June piece" in year and "Next year" not in year
    month = client.get("/archive/2025/05/").content.decode()
    assert "May piece" in month and "June piece" not in month and "May 2025" in month
    assert client.get("/archive/2025/13/").status_code == 404
    assert client.get("/archive/1999/").status_code == 404
    assert client.get("/archive/99999/").status_code == 404
    assert client.get("/archive/0/").status_code == 404
