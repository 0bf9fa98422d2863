"""The desk's pages speak the publication's words, and a post lists its preview links to copy."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from helpers import preview_links_in

from editorial import previews
from editorial.models import PreviewLink


def heading(response):
    return re.search(r"<h1>(.*?)</h1>", response.content.decode(), re.S).group(1).strip()


def page_title(response):
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1).strip()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "title"),
    [
        ("/admin/posts/post/", "Posts"),
        ("/admin/media/image/", "Images"),
        ("/admin/posts/author/", "Authors"),
        ("/admin/posts/section/", "Sections"),
        ("/admin/taggit/tag/", "Tags"),
    ],
)
def test_change_lists_are_titled_by_what_they_list(staff_client, url, title):
    response = staff_client.get(url)
    assert response.status_code == 200
    assert heading(response) == title
    assert page_title(response).startswith(f"{title} |")
    assert "to change" not in response.content.decode()


@pytest.mark.django_db
def test_the_post_forms_say_write_and_edit(staff_client, make_post):
    response = staff_client.get("/admin/posts/post/add/")
    assert heading(response) == "Write a post"
    assert page_title(response).startswith("Write a post |")
    assert "Add post" not in response.content.decode()

    post = make_post("Ports & Power")
    response = staff_client.get(f"/admin/posts/post/{post.pk}/change/")
    assert heading(response) == "Edit “Ports &amp; Power”"
    assert "Change post" not in response.content.decode()
    # The title is in the heading, not again under it.
    assert "<h2>Ports &amp; Power</h2>" not in response.content.decode()


@pytest.mark.django_db
def test_sharing_a_preview_points_to_the_list_of_links(staff_client, make_post, settings):
    settings.TIME_ZONE = "Europe/Berlin"
    post = make_post(status="draft", published_at=None)
    response = staff_client.post(f"/admin/posts/post/{post.pk}/share-preview/", follow=True)
    link = PreviewLink.objects.get(post=post)
    local = timezone.localtime(link.expires_at, ZoneInfo("Europe/Berlin"))
    [message] = [str(message) for message in response.context["messages"]]
    assert message == (
        "Preview link made: copy it from Preview links below; "
        f"valid until {local:%-d %B %Y, %H:%M} {local.tzname()}."
    )
    page = response.content.decode()
    assert preview_links_in(page) == [link]
    assert "Copy link" in page


@pytest.mark.django_db
def test_preview_links_show_their_address_and_expiry_in_the_sites_zone(
    staff_client, make_post, settings
):
    settings.TIME_ZONE = "Europe/Berlin"
    post = make_post(status="draft", published_at=None)
    soon = timezone.now() + timedelta(days=6, hours=1, minutes=1)  # the page is read later
    summer = datetime(2026, 5, 12, 7, 0, tzinfo=ZoneInfo("UTC"))  # 09:00 in Berlin, CEST
    live = PreviewLink.objects.create(post=post, created_by=staff_client.user, expires_at=soon)
    PreviewLink.objects.create(
        post=post, expires_at=soon, revoked_at=timezone.now() - timedelta(hours=1)
    )
    expired = PreviewLink.objects.create(post=post, expires_at=summer)
    PreviewLink.objects.filter(pk=expired.pk).update(created_at=summer - timedelta(days=7))

    response = staff_client.get(f"/admin/posts/post/{post.pk}/change/")
    page = response.content.decode()

    [listing] = re.findall(
        r'<fieldset class="module aligned preview-links".*?</fieldset>', page, re.S
    )
    items = re.findall(r"<li class=\"preview-link\">(.*?)</li>", listing, re.S)
    assert len(items) == 3
    text = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", item)).strip() for item in items]

    local = timezone.localtime(soon, ZoneInfo("Europe/Berlin"))
    assert preview_links_in(items[0]) == [live]
    assert "readonly" in items[0]
    assert f"expires {local:%-d %B %Y, %H:%M} {local.tzname()} — in 6 days, 1 hour" in text[0]
    assert "Revoke" in text[0]

    assert "Revoked" in text[1] and "no longer opens" in text[1]
    assert "/preview/" not in items[1]
    assert "Copy link" not in items[1]

    assert "Expired 12 May 2026, 09:00 CEST: this link no longer opens." in text[2]
    assert "/preview/" not in items[2]


@pytest.mark.django_db
def test_the_address_fields_are_not_sent_with_the_post_form(staff_client, make_post):
    post = make_post()
    previews.share(post, staff_client.user)
    page = staff_client.get(f"/admin/posts/post/{post.pk}/change/").content.decode()
    [field] = re.findall(r'<input type="text"\s+id="preview-link-\d+"[^>]*>', page)
    assert "name=" not in field


@pytest.mark.django_db
def test_preview_links_cost_one_query_however_many(
    staff_client, make_post, django_assert_num_queries
):
    post = make_post()
    previews.share(post, staff_client.user)
    url = f"/admin/posts/post/{post.pk}/change/"
    staff_client.get(url)  # warm: content types
    with CaptureQueriesContext(connection) as one_link:
        staff_client.get(url)
    for _ in range(3):
        previews.share(post, staff_client.user)
    with django_assert_num_queries(len(one_link.captured_queries)):
        staff_client.get(url)
