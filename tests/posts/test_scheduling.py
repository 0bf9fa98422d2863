"""A scheduled post appears on every public surface at its moment, not a second before, and an
unpublished one leaves them all at once: no job runs, no cache holds it."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from posts.models import Section

pytestmark = pytest.mark.django_db

DUE = datetime(2031, 3, 14, 9, 30, tzinfo=UTC)
TITLE = "Sea lanes after the thaw"


@pytest.fixture
def scheduled(make_post, make_author):
    section = Section.objects.create(name="Analysis", slug="analysis")
    author = make_author("Ines Duarte", slug="ines-duarte")
    return make_post(
        TITLE, slug="sea-lanes", published_at=DUE, authors=[author], tags=["arctic"],
        section=section,
    )  # fmt: skip


SURFACES = [
    "/",
    "/posts/sea-lanes/",
    "/archive/2031/",
    "/archive/2031/3/",
    "/tags/arctic/",
    "/tags/arctic/feed.xml",
    "/authors/ines-duarte/",
    "/authors/ines-duarte/feed.xml",
    "/sections/analysis/",
    "/sections/analysis/feed.xml",
    "/feed.xml",
    "/rss.xml",
    "/sitemap-posts.xml",
]


def shows(client, url) -> bool:
    response = client.get(url)
    assert response.status_code in (200, 404), (url, response.status_code)
    return response.status_code == 200 and (
        TITLE in response.content.decode() or "/posts/sea-lanes/" in response.content.decode()
    )


def at(monkeypatch, moment):
    monkeypatch.setattr(timezone, "now", lambda: moment)


@pytest.mark.parametrize("url", SURFACES)
def test_a_scheduled_post_appears_at_its_moment_and_not_a_second_before(
    client, monkeypatch, scheduled, url
):
    at(monkeypatch, DUE - timedelta(seconds=1))
    assert not shows(client, url)
    at(monkeypatch, DUE + timedelta(seconds=1))
    assert shows(client, url)


@pytest.mark.parametrize("url", SURFACES)
def test_unpublishing_removes_the_post_from_every_surface_at_once(
    staff_client, client, monkeypatch, scheduled, url
):
    at(monkeypatch, DUE + timedelta(hours=1))
    staff_client.force_login(staff_client.user)  # a session from before would have expired
    assert shows(client, url)
    response = staff_client.post(
        "/admin/posts/post/",
        {"action": "unpublish", "_selected_action": [scheduled.pk]},
    )
    assert response.status_code == 302 and response["Location"] == "/admin/posts/post/"
    assert not shows(client, url)
