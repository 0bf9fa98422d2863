"""Previews: editors see any post they may view; a signed link shows one post to anyone holding
it until it expires (410) or is revoked (404). A preview is never cached nor indexed."""

import re
from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core import signing
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from helpers import preview_links_in

from editorial import previews
from editorial.models import PreviewLink
from posts.models import Post

BANNER = re.compile(r'\n<div class="preview-banner" role="status">.*?</div>', re.DOTALL)
ROBOTS_META = '\n  <meta name="robots" content="noindex, nofollow">'


@pytest.fixture
def draft(make_post):
    return make_post("Unreleased findings", status=Post.Status.DRAFT, published_at=None)


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_superuser("chief", "chief@example.org", "pw")


@pytest.fixture
def link(draft, editor):
    return previews.share(draft, editor)


def staff_with(django_user_model, *codenames):
    user = django_user_model.objects.create_user("staffer", password="pw", is_staff=True)
    perms = Permission.objects.filter(content_type__app_label="posts", codename__in=codenames)
    user.user_permissions.add(*perms)
    return user


def tampered(token: str, index: int) -> str:
    old = token[index]
    new = "B" if old != "B" else "C"
    return token[:index] + new + token[index + 1 :]


def text_of(response) -> str:
    """The page's text, tags dropped and whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", "", response.content.decode()).split())


def assert_private(response):
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= cache_control
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def assert_preview_page(response):
    assert response.status_code == 200
    page = response.content.decode()
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert 'class="preview-banner"' in page
    assert_private(response)


# Links, without URLs ---------------------------------------------------------------------------


def test_share_makes_a_link_for_a_week_by_its_author_and_notes_it_in_the_history(link, editor):
    assert link.created_by == editor
    assert link.revoked_at is None
    lifetime = link.expires_at - timezone.now()
    assert timedelta(days=7) - timedelta(minutes=1) < lifetime <= timedelta(days=7)
    entry = LogEntry.objects.get(object_id=str(link.post_id))
    assert entry.user == editor
    assert f"preview link (#{link.pk})" in entry.get_change_message()


def test_share_takes_another_lifetime_but_not_a_negative_one(draft, editor):
    link = previews.share(draft, editor, lifetime=timedelta(hours=1))
    assert link.expires_at - timezone.now() <= timedelta(hours=1)
    with pytest.raises(ValueError):
        previews.share(draft, editor, lifetime=timedelta(0))


def test_a_token_names_its_link(link):
    token = previews.token_for(link)
    assert "/" not in token
    assert previews.link_for_token(token) == link
    assert signing.loads(token, salt=previews.SALT)[0] == link.pk


@pytest.mark.parametrize("index", [0, 5, -1, -20])
def test_a_tampered_token_is_not_found(link, index):
    token = previews.token_for(link)
    with pytest.raises(Http404):
        previews.link_for_token(tampered(token, index))


@pytest.mark.parametrize(
    "token",
    [
        signing.dumps([1, 0], salt="another.salt"),
        signing.dumps([1, 0]),
        "not-a-token",
        "",
    ],
)
def test_a_token_not_signed_for_previews_is_not_found(link, token):
    with pytest.raises(Http404):
        previews.link_for_token(token)


def test_a_token_outlives_neither_its_link_nor_a_link_that_takes_its_number(link):
    token = previews.token_for(link)
    # As if the link had been deleted and another made since with the same pk.
    PreviewLink.objects.filter(pk=link.pk).update(created_at=link.created_at + timedelta(hours=1))
    with pytest.raises(Http404):
        previews.link_for_token(token)
    PreviewLink.objects.filter(pk=link.pk).delete()
    with pytest.raises(Http404):
        previews.link_for_token(token)


def test_a_revoked_link_is_not_found_and_revoking_twice_changes_nothing(link, editor):
    token = previews.token_for(link)
    previews.revoke(link, editor)
    revoked_at = PreviewLink.objects.get(pk=link.pk).revoked_at
    assert revoked_at is not None
    with pytest.raises(Http404):
        previews.link_for_token(token)
    previews.revoke(PreviewLink.objects.get(pk=link.pk))
    assert PreviewLink.objects.get(pk=link.pk).revoked_at == revoked_at
    assert LogEntry.objects.filter(change_message__startswith="Revoked").count() == 1


def test_an_expired_link_says_so(link):
    PreviewLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(previews.PreviewExpired):
        previews.link_for_token(previews.token_for(link))


def test_an_expired_and_revoked_link_is_simply_not_found(link):
    past = timezone.now() - timedelta(days=1)
    PreviewLink.objects.filter(pk=link.pk).update(expires_at=past, revoked_at=past)
    with pytest.raises(Http404):
        previews.link_for_token(previews.token_for(link))


# The page, without URLs -------------------------------------------------------------------------


def test_a_shared_preview_is_the_page_with_banner_robots_and_private_headers(rf, link):
    response = previews.render_preview(rf.get("/preview/x/"), link.post, shared=True, link=link)
    assert_preview_page(response)
    assert response["Referrer-Policy"] == "no-referrer"
    text = text_of(response)
    assert "Preview — not published." in text
    assert "This link expires" in text
    assert "Back to editing" not in text
    assert "Unreleased findings" in text


def test_an_editors_preview_of_a_scheduled_post_gives_its_date_and_leads_back(rf, make_post):
    when = timezone.localtime(timezone.now() + timedelta(days=3))
    post = make_post(published_at=when)
    response = previews.render_preview(rf.get("/"), post, shared=False)
    assert_preview_page(response)
    text = text_of(response)
    assert f"Preview — not published, scheduled for {when:%-d %B %Y, %H:%M}" in text
    assert "This link expires" not in text
    assert reverse("admin:posts_post_change", args=[post.pk]) in response.content.decode()


def test_a_preview_of_a_live_post_says_it_is_published(rf, make_post):
    post = make_post()
    response = previews.render_preview(rf.get("/"), post, shared=False)
    assert "Preview — published: see the live page." in text_of(response)
    assert f'<a href="{post.get_absolute_url()}">see the live page</a>' in response.text


def test_a_preview_is_the_public_page_byte_for_byte_plus_banner_and_robots(client, rf, make_post):
    post = make_post(tags=["Energy", "Alliances"], description="A description.")
    public = client.get(post.get_absolute_url())
    assert public.status_code == 200
    assert "preview-banner" not in public.text and "noindex" not in public.text
    post = Post.objects.for_page().get(pk=post.pk)
    preview = previews.render_preview(rf.get(post.get_absolute_url()), post, shared=False)
    page = preview.content.decode()
    assert page.count(ROBOTS_META) == 1
    assert len(BANNER.findall(page)) == 1
    assert BANNER.sub("", page.replace(ROBOTS_META, "")) == public.content.decode()


# Shared links, through the site's URLs ---------------------------------------------------------


def test_a_link_opens_for_anyone(client, link):
    url = previews.url_for(link)
    assert re.fullmatch(r"/preview/[^/]+/", url)
    response = client.get(url)
    assert_preview_page(response)
    assert "Preview — not published." in text_of(response)
    assert "Unreleased findings" in response.text


def test_an_expired_link_is_gone(client, link):
    PreviewLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(hours=1))
    response = client.get(previews.url_for(link))
    assert response.status_code == 410
    assert "This preview link has expired" in response.text
    assert "Unreleased findings" not in response.text
    assert_private(response)


def test_a_revoked_link_is_not_found(client, link):
    url = previews.url_for(link)
    assert "Unreleased findings" in client.get(url).text
    previews.revoke(link)
    response = client.get(url)
    assert response.status_code == 404
    assert "Unreleased findings" not in response.text


@pytest.mark.parametrize("index", [0, -1])
def test_a_tampered_link_is_not_found(client, link, index):
    token = previews.token_for(link)
    assert client.get(f"/preview/{tampered(token, index)}/").status_code == 404
    assert client.get(f"/preview/{token}/").status_code == 200


def test_a_link_signed_with_another_salt_is_not_found(client, link):
    forged = signing.dumps([link.pk, int(link.created_at.timestamp())], salt="another.salt")
    assert client.get(reverse("preview", args=[forged])).status_code == 404
    assert client.get(previews.url_for(link)).status_code == 200


# In the admin ----------------------------------------------------------------------------------


def test_staff_who_may_view_a_post_preview_it(client, django_user_model, draft):
    # Seeing others' posts at all takes edit_others_posts (roles); viewing, view_post.
    client.force_login(staff_with(django_user_model, "view_post", "edit_others_posts"))
    response = client.get(reverse("admin:posts_post_preview", args=[draft.pk]))
    assert_preview_page(response)
    assert "Preview — not published." in text_of(response)
    assert "Back to editing" in response.text


def test_staff_who_may_not_view_posts_get_no_preview(client, django_user_model, draft, editor):
    client.force_login(staff_with(django_user_model))
    response = client.get(reverse("admin:posts_post_preview", args=[draft.pk]))
    assert response.status_code == 404  # another's post, which a role without rights never sees
    client.force_login(editor)
    assert client.get(reverse("admin:posts_post_preview", args=[draft.pk])).status_code == 200


def test_the_editors_preview_asks_the_anonymous_to_log_in(client, draft):
    url = reverse("admin:posts_post_preview", args=[draft.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert "Unreleased findings" not in response.text


def test_the_editors_preview_of_a_missing_post_is_not_found(staff_client, draft):
    assert staff_client.get(reverse("admin:posts_post_preview", args=[999])).status_code == 404
    assert staff_client.get(reverse("admin:posts_post_preview", args=[draft.pk])).status_code == 200


def test_sharing_makes_a_link_and_says_where_it_is(staff_client, draft):
    response = staff_client.post(reverse("admin:posts_post_share_preview", args=[draft.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:posts_post_change", args=[draft.pk])
    link = PreviewLink.objects.get(post=draft)
    assert link.created_by == staff_client.user
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert message.startswith("Preview link made: copy it from Preview links below")
    page = staff_client.get(response["Location"]).content.decode()
    assert preview_links_in(page) == [link]


def test_sharing_needs_a_post_and_the_right_to_change_the_post(
    client, django_user_model, draft, editor
):
    url = reverse("admin:posts_post_share_preview", args=[draft.pk])
    client.force_login(staff_with(django_user_model, "view_post", "edit_others_posts"))
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 403
    assert not PreviewLink.objects.exists()
    client.force_login(editor)
    assert client.post(url).status_code == 302
    assert PreviewLink.objects.get().post == draft


def test_revoking_through_the_admin_closes_the_link(staff_client, client, link):
    url = previews.url_for(link)
    assert client.get(url).status_code == 200
    response = staff_client.post(reverse("admin:posts_post_revoke_preview", args=[link.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:posts_post_change", args=[link.post_id])
    assert PreviewLink.objects.get(pk=link.pk).revoked_at is not None
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert f"Revoked preview link #{link.pk}" in message
    assert client.get(url).status_code == 404


def test_revoking_needs_the_right_to_change_the_post(client, django_user_model, link):
    client.force_login(staff_with(django_user_model, "view_post", "edit_others_posts"))
    url = reverse("admin:posts_post_revoke_preview", args=[link.pk])
    assert client.post(url).status_code == 403
    assert PreviewLink.objects.get(pk=link.pk).revoked_at is None
