"""Listing pages at any depth cost what the first costs: each reads its posts by remembered ids."""

from datetime import timedelta

import pytest
from django.utils import timezone

from posts import pagination
from posts.models import Post

pytestmark = pytest.mark.django_db


def titles(client, url) -> list[str]:
    page = client.get(url)
    assert page.status_code == 200, url
    return [post.title for post in page.context["page_obj"]]


def test_every_page_holds_the_posts_offset_paging_would(client, make_post):
    base = timezone.now() - timedelta(days=1)
    for number in range(23):
        # Three pairs published at the same moment: the id breaks the tie, as in listings.
        make_post(f"Post {number:02}", published_at=base - timedelta(hours=number // 2 * 2))
    expected = [post.title for post in Post.objects.published()]
    shown = [title for page in (1, 2, 3) for title in titles(client, f"/?page={page}")]
    assert shown == expected
    assert client.get("/?page=4").status_code == 404


def test_pages_of_every_stretch_hold_the_posts_offset_paging_would(client, make_post, monkeypatch):
    # Stretches of two pages: the first read from the newest post, the others from the oldest.
    monkeypatch.setattr(pagination, "STRETCH", 2)
    base = timezone.now() - timedelta(days=1)
    for number in range(45):
        make_post(f"Post {number:02}", published_at=base - timedelta(hours=number // 2 * 2))
    expected = [post.title for post in Post.objects.published()]
    shown = [title for page in range(1, 6) for title in titles(client, f"/?page={page}")]
    assert shown == expected
    assert client.get("/?page=6").status_code == 404


def test_a_page_number_past_the_end_is_not_found_and_not_kept(
    client, make_post, django_assert_num_queries
):
    make_post("Only")
    assert client.get("/").status_code == 200
    for number in ("101", "99999999999999999999999", "0", "-3", "two"):
        assert client.get(f"/?page={number}").status_code == 404, number
    # Counted again, as nothing was kept for it; then, as a 404, looked up among old URLs.
    with django_assert_num_queries(2):
        assert client.get("/?page=101").status_code == 404


def test_pages_follow_a_publish_and_the_schedule(client, make_post):
    for number in range(10):
        make_post(f"Old {number}", published_at=timezone.now() - timedelta(days=10 + number))
    assert client.get("/?page=2").status_code == 404
    make_post("New", published_at=timezone.now() - timedelta(hours=1))
    assert titles(client, "/?page=2") == ["Old 9"]


def test_deep_pages_read_only_their_rows_once_their_ids_are_known(
    client, make_post, django_assert_num_queries
):
    for number in range(30):
        make_post(f"Post {number}")
    client.get("/")
    with django_assert_num_queries(3):  # the page's posts by id, bylines, tags: no count
        response = client.get("/?page=3")
    assert response.status_code == 200
    assert len(response.context["page_obj"].object_list) == 10


def test_an_empty_site_has_an_empty_first_page(client, db):
    assert client.get("/").context["page_obj"].object_list == []
