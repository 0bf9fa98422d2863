"""Previews of posts: for editors in the admin (PostAdmin serves them), and through signed links
for readers without an account, until a link expires or is revoked.

A preview is the public page (posts/detail.html) with a banner and a robots meta, sent with
headers that keep it out of caches and search engines. Nothing here goes through
Post.objects.published(): a preview is the one way to see a post the public gate keeps out, and
only an editor the admin lets view the post, or the holder of a live link, gets one.

A link's token is signed (django.core.signing, with SECRET_KEY and SALT) and carries the link's
pk and its creation time, so a token can name no other link, even one that reuses a deleted
link's pk. Whether a link is still good is decided by its row: expires_at and revoked_at.
"""

from datetime import timedelta

from django.contrib.admin.models import CHANGE, LogEntry
from django.core import signing
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.formats import date_format
from django.views.decorators.http import require_safe

from posts import article
from posts.models import Post

from .models import PreviewLink

LIFETIME = timedelta(days=7)
SALT = "quire.preview"

ROBOTS = "noindex, nofollow"


class PreviewExpired(Exception):
    """The link is genuine and was not revoked, but its time is up: answered with a 410."""

    def __init__(self, link):
        super().__init__(f"Preview link {link.pk} expired at {link.expires_at:%Y-%m-%d %H:%M}")
        self.link = link


# Links ----------------------------------------------------------------------------------------


def share(post, user, lifetime=LIFETIME) -> PreviewLink:
    """A new link to the post's preview, good for `lifetime` from now."""
    if lifetime <= timedelta(0):
        raise ValueError("A preview link's lifetime must be positive.")
    link = PreviewLink.objects.create(
        post=post, created_by=user, expires_at=timezone.now() + lifetime
    )
    _log(user, post, f"Shared a preview link (#{link.pk}) valid until {when(link.expires_at)}.")
    return link


def token_for(link) -> str:
    return signing.dumps([link.pk, _created(link)], salt=SALT)


def url_for(link) -> str:
    """The link's path, "/preview/<token>/"; absolute with request.build_absolute_uri()."""
    return reverse("preview", kwargs={"token": token_for(link)})


def link_for_token(token) -> PreviewLink:
    """The live link a token names: Http404 for a forged or unknown token or a revoked link,
    PreviewExpired for an expired one."""
    try:
        pk, created = signing.loads(token, salt=SALT)
    except (signing.BadSignature, TypeError, ValueError) as error:
        raise Http404("No such preview.") from error
    link = PreviewLink.objects.select_related("post").filter(pk=pk).first()
    if link is None or _created(link) != created or link.revoked_at is not None:
        raise Http404("No such preview.")
    if link.expires_at <= timezone.now():
        raise PreviewExpired(link)
    return link


def revoke(link, user=None):
    """The link stops working now; revoking a revoked link changes nothing."""
    now = timezone.now()
    if PreviewLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(revoked_at=now):
        link.revoked_at = now
        _log(user, link.post, f"Revoked preview link #{link.pk}.")
    elif link.revoked_at is None:
        link.refresh_from_db(fields=["revoked_at"])
    return link


def _created(link) -> int:
    return int(link.created_at.timestamp())


def when(moment) -> str:
    return date_format(timezone.localtime(moment), "j F Y, H:i e")


def _log(user, post, message):
    """The post's history in the admin says who shared and revoked its previews."""
    if user is not None and user.pk is not None:
        LogEntry.objects.log_actions(user.pk, [post], CHANGE, message, single_object=True)


# Pages ----------------------------------------------------------------------------------------


def render_preview(request, post, *, shared: bool, link=None) -> HttpResponse:
    """The public page of `post`, marked as a preview. `link` is the shared link it came
    through (its expiry is shown); an editor's preview links back to the change page."""
    public = Post.objects.published().filter(pk=post.pk).exists()
    # A draft gets its contents and reading time, but no citation or links to other posts.
    context = {
        "post": post,
        "preview": True,
        "article": article.build(request, post, public=public),
    }
    if shared and link is not None:
        context["preview_expires_at"] = link.expires_at
    if not shared:
        context["preview_edit_url"] = post.get_admin_url()
    response = render(request, "posts/detail.html", context)
    return _private(response, shared=shared)


def _private(response, *, shared):
    add_never_cache_headers(response)  # Cache-Control: max-age=0, no-cache, no-store, …, private
    response["X-Robots-Tag"] = ROBOTS
    if shared:
        # The token is the key: links on the page must not hand it to other sites.
        response["Referrer-Policy"] = "no-referrer"
    return response


@require_safe
def public_view(request, token):
    """A shared preview: anyone holding the link, no login."""
    try:
        link = link_for_token(token)
    except PreviewExpired:
        page = render(request, "editorial/preview_expired.html", status=410)
        return _private(page, shared=True)
    post = Post.objects.for_page().get(pk=link.post_id)
    return render_preview(request, post, shared=True, link=link)


# URLs -----------------------------------------------------------------------------------------


def public_urls() -> list:
    """For cms/urls.py, at the site root, outside the posts namespace."""
    return [path("preview/<str:token>/", public_view, name="preview")]
