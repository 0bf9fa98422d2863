"""sitemap.xml is an index of sitemap files: together they list every published article and the
tag and author pages that list one, each with the date it last changed, and nothing else."""

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from posts.models import Post
from tests.helpers import assert_queries_cold_and_cached

pytestmark = pytest.mark.django_db

NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
S = {"s": NS}


def document(client, url):
    """The XML at url, which must parse."""
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "application/xml"
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(response.content)


def index(client) -> dict[str, str]:
    """The files the index lists, with their lastmod."""
    root = document(client, "/sitemap.xml")
    assert root.tag == f"{{{NS}}}sitemapindex"
    return {
        entry.findtext("s:loc", "", S): entry.findtext("s:lastmod", "", S)
        for entry in root.findall("s:sitemap", S)
    }


def listed(client, url) -> list[tuple[str, str]]:
    """The URLs one file lists, in order, with their lastmod."""
    root = document(client, url)
    assert root.tag == f"{{{NS}}}urlset"
    return [
        (entry.findtext("s:loc", "", S), entry.findtext("s:lastmod", "", S))
        for entry in root.findall("s:url", S)
    ]


def sitemap(client) -> dict[str, str]:
    """Every URL of every file the index lists, with its lastmod; none is listed twice."""
    rows = [row for url in index(client) for row in listed(client, url)]
    urls = dict(rows)
    assert len(urls) == len(rows)
    return urls


def dated(post, updated, published):
    Post.objects.filter(pk=post.pk).update(updated_at=updated, published_at=published)


def test_the_sitemap_lists_published_posts_tags_and_authors_with_their_lastmod(
    client, make_post, make_author
):
    old, recent = make_author("Old", slug="old"), make_author("Recent", slug="recent")
    drafty = make_author("Drafty", slug="drafty")
    first = make_post(slug="first", authors=[old], tags=["alpha"])
    second = make_post(slug="second", authors=[old, recent], tags=["alpha", "beta"])
    make_post(slug="draft", authors=[drafty], tags=["hidden"], status=Post.Status.DRAFT)
    make_post(slug="later", tags=["soon"], published_at=timezone.now() + timedelta(days=1))
    former = make_post(slug="former", authors=[drafty], tags=["gone"])
    Post.objects.filter(pk=former.pk).update(status=Post.Status.DRAFT)
    dated(first, datetime(2025, 1, 5, tzinfo=UTC), datetime(2025, 1, 1, tzinfo=UTC))
    dated(second, datetime(2025, 3, 9, tzinfo=UTC), datetime(2025, 3, 1, tzinfo=UTC))
    # A draft edited later moves no date.
    Post.objects.filter(status=Post.Status.DRAFT).update(
        updated_at=timezone.now() + timedelta(days=1)
    )

    assert sitemap(client) == {
        "http://testserver/posts/first/": "2025-01-05",
        "http://testserver/posts/second/": "2025-03-09",
        "http://testserver/tags/alpha/": "2025-03-09",
        "http://testserver/tags/beta/": "2025-03-09",
        "http://testserver/authors/old/": "2025-03-09",
        "http://testserver/authors/recent/": "2025-03-09",
    }


def test_a_post_brings_its_tag_and_author_pages_and_nothing_else(client, make_post, make_author):
    writer = make_author("Lena Park", slug="lena-park")
    make_post("Public piece", slug="public", authors=[writer], tags=["trade"])
    make_post("Draft piece", status=Post.Status.DRAFT, authors=[writer], tags=["trade"])
    # The future post's own author has nothing public, so no page.
    make_post("Future piece", published_at=timezone.now() + timedelta(days=1), tags=["trade"])
    assert set(sitemap(client)) == {
        "http://testserver/posts/public/",
        "http://testserver/tags/trade/",
        "http://testserver/authors/lena-park/",
    }


def test_nothing_unpublished_is_in_the_index_or_any_file(client, make_post, make_author, settings):
    settings.QUIRE_SITEMAP_LIMIT = 1
    make_post(slug="shown", tags=["open"])
    hidden = [
        make_post(slug="hidden-draft", status=Post.Status.DRAFT, published_at=None),
        make_post(slug="hidden-review", status=Post.Status.REVIEW),
        make_post(slug="hidden-later", published_at=timezone.now() + timedelta(minutes=1)),
    ]
    for post in hidden:
        post.tags.add(f"only-{post.slug}")
    pages = [client.get("/sitemap.xml").content.decode()]
    pages += [client.get(url).content.decode() for url in index(client)]
    assert any("/posts/shown/" in page for page in pages)
    for post in hidden:
        author = post.authors.get()
        for trace in (post.slug, f"/authors/{author.slug}/"):
            assert not any(trace in page for page in pages), trace


def test_a_scheduled_post_is_listed_from_its_moment_with_nothing_run(
    client, make_post, monkeypatch
):
    due = timezone.now() + timedelta(days=1)
    make_post(slug="timed", tags=["timed"], published_at=due)
    monkeypatch.setattr(timezone, "now", lambda: due - timedelta(seconds=1))
    assert not any("timed" in url for url in sitemap(client))
    monkeypatch.setattr(timezone, "now", lambda: due)
    assert {"http://testserver/posts/timed/", "http://testserver/tags/timed/"} <= set(
        sitemap(client)
    )


def test_a_scheduled_post_changes_its_pages_when_it_goes_live(client, make_post):
    post = make_post(slug="timed", tags=["timed"])
    # Saved on 1 March, scheduled for (and so public from) 4 March.
    dated(post, datetime(2025, 3, 1, tzinfo=UTC), datetime(2025, 3, 4, tzinfo=UTC))
    urls = sitemap(client)
    assert urls["http://testserver/posts/timed/"] == "2025-03-04"
    assert urls["http://testserver/tags/timed/"] == "2025-03-04"


def test_the_sitemap_has_unicode_slugs_encoded(client, make_post, make_author):
    make_post(slug="été", authors=[make_author("Zoë", slug="zoë")], tags=["défense"])
    assert set(sitemap(client)) == {
        "http://testserver/posts/%C3%A9t%C3%A9/",
        "http://testserver/tags/d%C3%A9fense/",
        "http://testserver/authors/zo%C3%AB/",
    }


def test_every_location_is_the_url_reverse_gives(client, make_post, make_author):
    slugs = ["o'brien&co", "100%", "a b", "zoë", "x<y>"]
    make_post(slug="post-one", authors=[make_author(slug=slug) for slug in slugs])
    expected = {reverse("posts:author", kwargs={"slug": slug}) for slug in slugs}
    urls = listed(client, "/sitemap-authors.xml")
    assert {url.removeprefix("http://testserver") for url, _ in urls} == expected


def test_an_empty_site_has_an_empty_sitemap(client, make_post):
    assert sitemap(client) == {}
    make_post(slug="first")
    assert "http://testserver/posts/first/" in sitemap(client)


@pytest.fixture
def five_posts(make_post, make_author, settings):
    """Five posts, each by its own author, the first with three tags; files of two URLs."""
    settings.QUIRE_SITEMAP_LIMIT = 2
    posts = [
        make_post(slug=f"p{number}", authors=[make_author(slug=f"a{number}")])
        for number in range(5)
    ]
    posts[0].tags.add("alpha", "beta", "gamma")
    for day, post in enumerate(posts, start=1):
        dated(post, datetime(2025, 4, day, 12, tzinfo=UTC), datetime(2025, 3, day, tzinfo=UTC))
    return posts


def test_the_index_lists_every_file_with_the_lastmod_of_its_section(client, five_posts):
    latest, tagged = "2025-04-05T12:00:00+00:00", "2025-04-01T12:00:00+00:00"
    assert index(client) == {
        "http://testserver/sitemap-posts.xml": latest,
        "http://testserver/sitemap-posts.xml?p=2": latest,
        "http://testserver/sitemap-posts.xml?p=3": latest,
        "http://testserver/sitemap-tags.xml": tagged,
        "http://testserver/sitemap-tags.xml?p=2": tagged,
        "http://testserver/sitemap-authors.xml": latest,
        "http://testserver/sitemap-authors.xml?p=2": latest,
        "http://testserver/sitemap-authors.xml?p=3": latest,
    }


def test_files_hold_at_most_the_limit_in_the_order_posts_were_written(client, five_posts):
    files = [listed(client, url) for url in index(client) if "posts" in url]
    assert [[url for url, _ in rows] for rows in files] == [
        ["http://testserver/posts/p0/", "http://testserver/posts/p1/"],
        ["http://testserver/posts/p2/", "http://testserver/posts/p3/"],
        ["http://testserver/posts/p4/"],
    ]
    assert files[1] == [
        ("http://testserver/posts/p2/", "2025-04-03"),
        ("http://testserver/posts/p3/", "2025-04-04"),
    ]
    assert [url for url, _ in listed(client, "/sitemap-tags.xml?p=2")] == [
        "http://testserver/tags/gamma/"
    ]


def test_a_new_post_changes_only_the_last_file(client, five_posts, make_post):
    before = [listed(client, f"/sitemap-posts.xml?p={page}") for page in (1, 2)]
    make_post(slug="p5")
    assert [listed(client, f"/sitemap-posts.xml?p={page}") for page in (1, 2)] == before
    assert len(listed(client, "/sitemap-posts.xml?p=3")) == 2


def test_the_first_file_is_the_one_without_a_page_number(client, five_posts):
    assert listed(client, "/sitemap-posts.xml?p=1") == listed(client, "/sitemap-posts.xml")


@pytest.mark.parametrize(
    "url",
    [
        "/sitemap-posts.xml?p=4",
        "/sitemap-tags.xml?p=3",
        "/sitemap-posts.xml?p=0",
        "/sitemap-posts.xml?p=-1",
        "/sitemap-posts.xml?p=two",
        "/sitemap-posts.xml?p=1.5",
        "/sitemap-posts.xml?p=99999999999999999999999",
        "/sitemap-drafts.xml",
    ],
)
def test_a_file_past_the_end_or_of_no_section_is_not_found(client, five_posts, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("count", [1, 12])
def test_the_index_costs_two_queries_a_section_however_much_it_lists(
    client, make_post, make_author, django_assert_num_queries, count
):
    for number in range(count):
        make_post(authors=[make_author(), make_author()], tags=[f"a{number}", f"b{number}"])
    # posts, tags, authors: each how many (a count) and its two latest posts by id; cached, none.
    assert_queries_cold_and_cached(client, "/sitemap.xml", 6, django_assert_num_queries)


def test_the_index_is_remembered_with_the_page_cache_off_until_a_post_changes(
    client, five_posts, make_post, django_assert_num_queries, settings
):
    settings.QUIRE_PAGE_CACHE_SECONDS = 0
    before = index(client)
    with django_assert_num_queries(0):
        assert index(client) == before
    post = make_post(slug="p5", tags=["delta", "epsilon"])
    changed = timezone.localtime(max(post.updated_at, post.published_at)).isoformat()
    after = index(client)
    # Five tags now fill three files of two, each dated by the new post.
    assert [after[url] for url in after if "tags" in url] == [changed] * 3
    assert after["http://testserver/sitemap-posts.xml"] == changed


def test_more_tags_than_a_file_holds_are_counted_by_those_with_a_public_post(
    client, five_posts, make_post
):
    make_post(slug="hidden", status=Post.Status.DRAFT, tags=["d1", "d2", "d3"])
    # Six tags, three of them public: two files, not three.
    assert [url for url in index(client) if "tags" in url] == [
        "http://testserver/sitemap-tags.xml",
        "http://testserver/sitemap-tags.xml?p=2",
    ]


@pytest.mark.parametrize("section", ["posts", "tags", "authors"])
def test_a_file_costs_one_query_and_a_later_file_its_summary_and_rows(
    client, five_posts, django_assert_num_queries, section
):
    url = f"/sitemap-{section}.xml"
    assert_queries_cold_and_cached(client, url, 1, django_assert_num_queries)  # its rows
    # The section's summary (is there a second file?): how many, its two latest posts by id, and
    # for tags and authors, more than a file holds, how many have a public post; then its rows.
    # The schedule is known by now.
    with django_assert_num_queries(3 if section == "posts" else 4):
        assert client.get(f"{url}?p=2").status_code == 200


def test_robots_txt_points_at_the_sitemap_by_its_absolute_url(client, db):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert lines[0] == "User-agent: *" and "Disallow: /admin/" in lines
    secure = client.get("/robots.txt", secure=True).content.decode()
    assert "Sitemap: https://testserver/sitemap.xml" in secure
