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
    visible = Post.objects.get(title="Visible piece")
    assert client.get(visible.get_absolute_url()).status_code == 200


def test_tags_and_authors_with_only_unpublished_posts_have_no_page(client, make_post, make_author):
    make_post(
        "Secret", status=Post.Status.DRAFT, tags=["embargoed"], authors=[make_author(slug="x")]
    )
    assert client.get("/tags/embargoed/").status_code == 404
    assert client.get("/authors/x/").status_code == 404
    make_post("Out", tags=["released"], authors=[make_author(slug="y")])
    assert client.get("/tags/released/").status_code == 200
    assert client.get("/authors/y/").status_code == 200


def test_a_scheduled_post_appears_once_its_time_has_come(client, make_post, monkeypatch):
    due = timezone.now() + timedelta(minutes=5)
    post = make_post("Timed piece", published_at=due)
    assert "Timed piece" not in client.get("/").content.decode()
    monkeypatch.setattr(timezone, "now", lambda: due)
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
    released = Section.objects.create(name="Released", slug="released")
    make_post(tags=["open"], authors=[make_author(slug="open-writer")], section=released)
    for url in ("/tags/open/", "/authors/open-writer/", "/sections/released/"):
        assert client.get(url).status_code == 200
        assert client.get(f"{url}feed.xml").status_code == 200


# The whole matrix: every public surface, as an anonymous reader


@pytest.fixture
def world(make_post, make_author):
    """One public post, and beside it every kind readers must not see, sharing its tag, author,
    section and month; each hidden one carries a word of its own for search to look for."""
    section = Section.objects.create(name="Briefs", slug="briefs")
    writer = make_author("Public Writer", slug="public-writer")
    loner = make_author("Drafts Only", slug="drafts-only")
    moment = timezone.now() - timedelta(days=2)
    common = {"tags": ["security"], "section": section}
    visible = make_post(
        "Visible piece", authors=[writer], published_at=moment, body="Zephyr public.", **common
    )
    kinds = {
        "draft": {"status": Post.Status.DRAFT, "published_at": None},
        "review": {"status": Post.Status.REVIEW, "published_at": None},
        "scheduled": {"published_at": timezone.now() + timedelta(hours=1)},
        "former": {"status": Post.Status.DRAFT, "published_at": moment - timedelta(days=1)},
    }
    hidden = []
    for kind, fields in kinds.items():
        word = f"secret{kind}word"
        post = make_post(
            f"Hidden {kind} piece",
            slug=f"hidden-{kind}",
            authors=[writer, loner],
            body=f"{word} and more.",
            description=f"{word} description",
            **{**common, "tags": ["security", f"only-{kind}"]},
            **fields,
        )
        hidden.append((post, word))
    # Edited last, the hidden posts must not move any feed's or sitemap's dates either.
    Post.objects.filter(pk__in=[post.pk for post, _ in hidden]).update(
        updated_at=timezone.now() + timedelta(days=1)
    )
    return visible, hidden, moment


def surfaces(visible, moment):
    return [
        "/",
        "/tags/",
        "/tags/security/",
        "/tags/security/feed.xml",
        "/authors/public-writer/",
        "/authors/public-writer/feed.xml",
        "/sections/briefs/",
        "/sections/briefs/feed.xml",
        f"/archive/{moment.year}/",
        f"/archive/{moment.year}/{moment.month}/",
        "/feed.xml",
        "/rss.xml",
        "/sitemap.xml",
        "/sitemap-posts.xml",
        "/sitemap-tags.xml",
        "/sitemap-authors.xml",
        "/search/?q=secret",
        visible.get_absolute_url(),
    ]


def test_nothing_unpublished_reaches_any_public_surface(client, world):
    visible, hidden, moment = world
    for url in surfaces(visible, moment):
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        shown = {
            "/tags/": "/tags/security/",
            "/search/?q=secret": "secret",
            "/sitemap.xml": "/sitemap-posts.xml",
            "/sitemap-tags.xml": "/tags/security/",
            "/sitemap-authors.xml": "/authors/",
        }
        assert shown.get(url, visible.get_absolute_url()) in page, url  # what the page lists
        for post, word in hidden:
            for trace in (post.title, f"/posts/{post.slug}/", word, f"only-{post.slug[7:]}"):
                assert trace not in page, (url, trace)


def test_hidden_articles_and_their_only_author_and_tags_are_not_found(client, world):
    visible, hidden, _ = world
    assert client.get("/authors/drafts-only/").status_code == 404
    assert client.get("/authors/drafts-only/feed.xml").status_code == 404
    assert client.get("/authors/public-writer/").status_code == 200
    assert client.get(visible.get_absolute_url()).status_code == 200
    assert "Visible piece" in client.get("/search/?q=zephyr").content.decode()
    for post, word in hidden:
        assert client.get(post.get_absolute_url()).status_code == 404
        assert client.get(f"/tags/only-{post.slug[7:]}/").status_code == 404
        search = client.get(f"/search/?q={word}").content.decode()
        assert post.title not in search


def test_feed_and_sitemap_dates_come_from_published_posts_only(client, world):
    visible, _, _ = world
    stamp = visible.updated_at.isoformat()[:19]
    atom = client.get("/feed.xml").content.decode()
    assert f"<updated>{stamp}" in atom.split("<entry>")[0]
    sitemap = "".join(
        client.get(f"/sitemap{name}.xml").content.decode()
        for name in ("", "-posts", "-tags", "-authors")
    )
    assert "drafts-only" not in sitemap
    assert visible.updated_at.date().isoformat() in sitemap


def test_tag_counts_count_published_posts_only(client, world):
    page = client.get("/tags/").content.decode()
    assert '<a href="/tags/security/">security</a> <span class="tag-index__count">1<' in page
    assert "only-" not in page
