"""Every change a reader could see reaches the page cache: the next request shows it, whichever
way it was made, while pages it does not touch stay cached."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone
from taggit.models import Tag

from editorial import revisions
from media.models import Image
from pagecache import purging
from posts.models import Author, Post, Redirect, Section
from tests.helpers import admin_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader():
    """A reader's browser, apart from staff_client (which logs pytest-django's reader in)."""
    return Client()


def cached(reader, url) -> str:
    """The page, once it is answered from the cache."""
    reader.get(url)
    response = reader.get(url)
    assert response.status_code == 200 and response["X-Page-Cache"] == "hit", url
    return response.content.decode()


def fresh(reader, url) -> str:
    """The page on the next request, which must not be the stale cached one."""
    response = reader.get(url)
    assert response["X-Page-Cache"] == "miss", url
    return response.content.decode()


@pytest.fixture
def site(make_post, make_author):
    """Two sections' worth of posts: "Harbours" is the newest, "Straits" the one before."""
    section = Section.objects.create(name="Maritime", slug="maritime")
    author = make_author("Lena Park", slug="lena-park")
    older = make_post(
        "Straits", slug="straits", authors=[author], tags=["shipping"], section=section,
        published_at=timezone.now() - timedelta(days=2),
    )  # fmt: skip
    newer = make_post(
        "Harbours", slug="harbours", authors=[author], tags=["shipping", "ports"],
        section=section, published_at=timezone.now() - timedelta(days=1),
    )  # fmt: skip
    other = make_post(
        "Deserts", slug="deserts", tags=["climate"], published_at=timezone.now() - timedelta(days=3)
    )
    return {"older": older, "newer": newer, "other": other, "author": author, "section": section}


def test_an_edit_shows_on_every_page_that_prints_the_post_and_no_other(reader, site):
    pages = ["/posts/harbours/", "/", "/tags/shipping/", "/feed.xml", "/posts/straits/"]
    for url in [*pages, "/tags/climate/"]:
        cached(reader, url)
    post = site["newer"]
    post.title = "Harbours, reopened"
    post.save()
    for url in pages:  # Straits links to it as its next article
        assert "Harbours, reopened" in fresh(reader, url), url
    assert reader.get("/tags/climate/")["X-Page-Cache"] == "hit"


def test_publishing_reaches_its_listings_feeds_and_neighbours(reader, site, make_post):
    draft = make_post(
        "Lighthouses", slug="lighthouses", status=Post.Status.DRAFT, published_at=None,
        tags=["ports"], authors=[site["author"]], section=site["section"],
    )  # fmt: skip
    year, month = timezone.now().year, timezone.now().month
    listings = [
        "/", "/tags/ports/", "/authors/lena-park/", "/sections/maritime/", f"/archive/{year}/",
        f"/archive/{year}/{month}/", "/feed.xml", "/rss.xml", "/tags/ports/feed.xml",
        "/authors/lena-park/feed.xml", "/sections/maritime/feed.xml",
    ]  # fmt: skip
    for url in [*listings, "/posts/harbours/", "/tags/climate/"]:
        assert "Lighthouses" not in cached(reader, url)
    draft.status = Post.Status.PUBLISHED
    draft.save()
    for url in listings:
        assert "Lighthouses" in fresh(reader, url), url
    # Harbours was the newest post: its "next article" is now the new one.
    assert "/posts/lighthouses/" in fresh(reader, "/posts/harbours/")
    assert reader.get("/tags/climate/")["X-Page-Cache"] == "hit"


def test_unpublishing_from_the_admin_and_deleting_empty_every_page(staff_client, reader, site):
    for url in ["/", "/tags/ports/", "/posts/harbours/", "/posts/straits/"]:
        cached(reader, url)
    staff_client.post(
        "/admin/posts/post/", {"action": "unpublish", "_selected_action": [site["newer"].pk]}
    )
    assert reader.get("/posts/harbours/").status_code == 404
    assert "Harbours" not in fresh(reader, "/")
    assert reader.get("/tags/ports/").status_code == 404
    assert "/posts/harbours/" not in fresh(reader, "/posts/straits/")

    cached(reader, "/tags/shipping/")
    site["older"].delete()
    assert reader.get("/tags/shipping/").status_code == 404
    assert reader.get("/posts/straits/").status_code == 404


def test_an_admin_save_reaches_the_page(staff_client, reader, site):
    post = site["newer"]
    cached(reader, "/posts/harbours/")
    change = f"/admin/posts/post/{post.pk}/change/"
    data = admin_form_data(staff_client.get(change), body="Rewritten in the admin.")
    assert staff_client.post(change, data).status_code == 302
    assert "Rewritten in the admin." in fresh(reader, "/posts/harbours/")


def test_restoring_a_revision_reaches_the_page(reader, site, django_user_model):
    post = site["newer"]
    user = django_user_model.objects.create_superuser("ed", "ed@example.org", "pw")
    first = revisions.record(post, user)
    post.title = "Harbours, revised"
    post.save()
    assert "Harbours, revised" in cached(reader, "/posts/harbours/")
    revisions.restore(post, first, user)
    assert "Harbours, revised" not in fresh(reader, "/posts/harbours/")


def test_bylines_tags_sections_and_authors_reach_the_pages_that_print_them(
    reader, site, make_author
):
    post = site["newer"]
    cached(reader, "/posts/harbours/")
    post.set_authors([make_author("Omar Haddad", slug="omar-haddad")])
    assert "Omar Haddad" in fresh(reader, "/posts/harbours/")
    assert "Harbours" not in fresh(reader, "/authors/lena-park/")

    cached(reader, "/posts/harbours/")
    post.tags.add("lighthouses")
    assert "/tags/lighthouses/" in fresh(reader, "/posts/harbours/")
    cached(reader, "/tags/ports/")
    post.tags.remove("ports")
    assert reader.get("/tags/ports/").status_code == 404

    cached(reader, "/posts/straits/")
    Tag.objects.filter(name="shipping").get().delete()
    assert "/tags/shipping/" not in fresh(reader, "/posts/straits/")

    section = site["section"]
    cached(reader, "/posts/straits/")
    section.name = "Seas and coasts"
    section.save()
    assert "Seas and coasts" in fresh(reader, "/posts/straits/")

    author = Author.objects.get(slug="lena-park")
    cached(reader, "/posts/straits/")
    author.name = "Lena Park-Ito"
    author.save()
    assert "Lena Park-Ito" in fresh(reader, "/posts/straits/")


def test_a_tag_rename_reaches_every_page_printing_it(reader, site):
    for url in ["/posts/straits/", "/tags/"]:
        cached(reader, url)
    tag = Tag.objects.get(name="shipping")
    tag.name = "Shipping lanes"
    tag.save()
    assert "Shipping lanes" in fresh(reader, "/posts/straits/")
    assert "Shipping lanes" in fresh(reader, "/tags/")


def test_an_image_change_reaches_the_posts_showing_it(reader, make_post):
    image = Image.objects.create(file=ContentFile(b"GIF89a", name="x.gif"), alt_text="Old alt")
    make_post("Pictured", slug="pictured", image=image)
    assert "Old alt" in cached(reader, "/posts/pictured/")
    image.alt_text = "Cranes at dusk"
    image.save()
    assert "Cranes at dusk" in fresh(reader, "/posts/pictured/")
    cached(reader, "/posts/pictured/")
    image.delete()
    assert "Cranes at dusk" not in fresh(reader, "/posts/pictured/")


def test_a_new_redirect_answers_at_once(reader, site):
    assert reader.get("/posts/old-harbours/").status_code == 404
    Redirect.objects.create(old_path="/posts/old-harbours/", post=site["newer"])
    response = reader.get("/posts/old-harbours/")
    assert response.status_code == 301 and response["Location"] == "/posts/harbours/"


def test_a_draft_edit_purges_nothing(reader, site, make_post):
    draft = make_post("Unseen", status=Post.Status.DRAFT, published_at=None, tags=["ports"])
    cached(reader, "/tags/ports/")
    draft.title = "Still unseen"
    draft.save()
    assert reader.get("/tags/ports/")["X-Page-Cache"] == "hit"


DUE = datetime(2031, 3, 14, 9, 30, tzinfo=UTC)


def at(monkeypatch, moment):
    monkeypatch.setattr(timezone, "now", lambda: moment)


def test_a_scheduled_post_appears_at_its_second_while_its_listings_are_cached(
    reader, monkeypatch, site, make_post
):
    make_post("Tidal power", slug="tidal-power", published_at=DUE, tags=["ports"])
    at(monkeypatch, DUE - timedelta(minutes=5))
    for url in ["/", "/tags/ports/", "/posts/harbours/"]:
        assert "Tidal power" not in cached(reader, url)
    at(monkeypatch, DUE - timedelta(milliseconds=500))
    assert reader.get("/")["X-Page-Cache"] == "hit"
    assert "s-maxage=0" in reader.get("/")["Cache-Control"]
    at(monkeypatch, DUE)
    for url in ["/", "/tags/ports/"]:
        assert "Tidal power" in fresh(reader, url), url
    assert "/posts/tidal-power/" in fresh(reader, "/posts/harbours/")
    assert reader.get("/posts/tidal-power/").status_code == 200


def test_scheduling_a_post_earlier_than_any_other_shortens_what_is_cached(
    reader, monkeypatch, site, make_post
):
    at(monkeypatch, DUE - timedelta(hours=1))
    cached(reader, "/")
    post = make_post("Tidal power", status=Post.Status.DRAFT, published_at=None)
    post.status, post.published_at = Post.Status.PUBLISHED, DUE
    post.save()
    assert "Tidal power" not in cached(reader, "/")
    at(monkeypatch, DUE)
    assert "Tidal power" in fresh(reader, "/")


def test_staff_never_read_or_fill_the_public_cache(staff_client, reader, site):
    response = staff_client.get("/posts/harbours/")
    assert response.status_code == 200 and "X-Page-Cache" not in response
    assert "private" in response["Cache-Control"] and "Surrogate-Key" not in response
    assert reader.get("/posts/harbours/")["X-Page-Cache"] == "miss"
    cached(reader, "/posts/harbours/")
    assert "X-Page-Cache" not in staff_client.get("/posts/harbours/")


def test_previews_and_drafts_are_never_cached(staff_client, reader, make_post):
    draft = make_post("Unseen draft", slug="unseen", status=Post.Status.DRAFT, published_at=None)
    assert reader.get("/posts/unseen/").status_code == 404
    preview = staff_client.get(f"/admin/posts/post/{draft.pk}/preview/")
    assert preview.status_code == 200 and "X-Page-Cache" not in preview
    draft.status = Post.Status.PUBLISHED
    draft.save()
    assert fresh(reader, "/posts/unseen/")


def test_a_hit_reads_no_database(reader, site, django_assert_num_queries):
    cached(reader, "/posts/harbours/")
    with django_assert_num_queries(0):
        assert reader.get("/posts/harbours/")["X-Page-Cache"] == "hit"


def test_a_batch_of_writes_purges_every_page_once_on_the_way_out(reader, site):
    cached(reader, "/tags/climate/")
    with purging.batch():
        site["newer"].title = "Harbours, imported again"
        site["newer"].save()
        assert reader.get("/tags/climate/")["X-Page-Cache"] == "hit"  # nothing purged yet
    assert "Harbours, imported again" in fresh(reader, "/posts/harbours/")
    assert reader.get("/tags/climate/")["X-Page-Cache"] == "miss"
