"""Addresses no page can answer get the site's error pages, never a server error, on SQLite and
PostgreSQL alike (PostgreSQL refuses NUL in any query)."""

import pytest
from django.utils import timezone

NOT_FOUND = "We couldn’t find that page"


@pytest.fixture
def post(make_post):
    return make_post("On engines", tags=["engines"])


@pytest.mark.parametrize(
    "path",
    [
        "/%00",
        "/posts/%00/",
        "/posts/on%00engines/cite.bib",
        "/tags/%00/",
        "/tags/%00/feed.xml",
        "/authors/%1F/",
        "/preview/%00/",
        "/search%7F/",
        "/admin/posts/post/%00/change/",
    ],
)
def test_a_control_character_in_the_path_is_the_sites_404_without_a_query(
    staff_client, post, path, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = staff_client.get(path)
    assert response.status_code == 404
    assert NOT_FOUND in response.content.decode()
    assert staff_client.get(post.get_absolute_url()).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/?page=%00",
        "/search/?q=%00",
        "/search/?q=war%1Bpeace",
        "/tags/engines/?page=%00",
        "/admin/posts/post/?q=%00",
        "/admin/autocomplete/?app_label=posts&model_name=post&field_name=image&term=%00",
    ],
)
def test_a_control_character_in_the_query_string_is_a_400(staff_client, post, path):
    response = staff_client.get(path)
    assert response.status_code == 400
    assert "We couldn’t read that address" in response.text
    good = path.replace("%00", "1").replace("%1B", "%09")
    assert staff_client.get(good).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/archive/99999999999999999999/",
        "/archive/2024/99999999999999999999/",
    ],
)
def test_an_archive_no_date_can_hold_is_a_404(client, post, path):
    response = client.get(path)
    assert response.status_code == 404
    assert NOT_FOUND in response.content.decode()
    published = timezone.localtime(post.published_at)
    assert client.get(f"/archive/{published.year}/{published.month}/").status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "published_at__year=99999999999",
        "published_at__year=9999",
        "published_at__year=9999&published_at__month=12",
        "published_at__year=9999&published_at__month=12&published_at__day=31",
        "published_at__year=2024&published_at__month=99999999999",
        "published_at__year=2024&published_at__month=1&published_at__day=99999999999999999999",
    ],
)
def test_a_date_the_post_list_cannot_hold_is_an_invalid_lookup(staff_client, post, query):
    response = staff_client.get(f"/admin/posts/post/?{query}")
    assert response.status_code == 302
    assert response["Location"] == "/admin/posts/post/?e=1"
    year = timezone.localtime(post.published_at).year
    shown = staff_client.get(f"/admin/posts/post/?published_at__year={year}")
    assert "On engines" in shown.content.decode()
