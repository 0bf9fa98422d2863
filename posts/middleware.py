"""Requests no page can answer are refused early; old URLs of moved and renamed posts, and of an
old site's other pages (its feeds, its listings), answer with a permanent redirect instead of a
404."""

import re
from urllib.parse import unquote_plus

from django.core.exceptions import BadRequest
from django.db import models
from django.http import Http404, HttpResponsePermanentRedirect

from .models import Post, Redirect

# C0 control characters and DEL: no slug or stored path holds one, and PostgreSQL refuses NUL.
_CONTROL = re.compile("[\x00-\x1f\x7f]")
# The same less tab and line breaks, which text pasted into a search box may hold.
_QUERY_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def refuse_control_characters(get_response):
    """A path with a control character names no page (the site's 404); a query string with one
    is malformed (400). Decided before any view or database query sees the request."""

    def middleware(request):
        if _CONTROL.search(request.path):
            raise Http404("No page has a control character in its address.")
        # Decoded as QueryDict decodes it, so "%00" and a raw control byte are both caught.
        if _QUERY_CONTROL.search(unquote_plus(request.META.get("QUERY_STRING", ""))):
            raise BadRequest("The query string holds a control character.")
        return get_response(request)

    return middleware


def old_url_variants(path: str) -> list[str]:
    """The forms one page's URL takes on a static host, the requested one first: `/a/` is also
    `/a/index.html`, and `/a.html` is also `/a`."""
    variants = [path]
    if path.endswith("/index.html"):
        variants.append(path.removesuffix("index.html"))
    elif path.endswith("/"):
        variants += [path + "index.html", path.rstrip("/"), path.rstrip("/") + ".html"]
    elif path.endswith(".html"):
        variants += [path.removesuffix(".html"), path.removesuffix(".html") + "/"]
    else:
        variants += [path + ".html", path + "/"]
    return variants


def redirect_old_urls(get_response):
    """Only a request that found nothing is looked up, and only a public post or a target path
    is pointed to.

    A target that is itself an old URL is answered as it stands, a second hop: whether the
    target finds nothing, and so is redirected on, only a request for it can tell.
    """

    def middleware(request):
        response = get_response(request)
        if response.status_code != 404:
            return response
        variants = old_url_variants(request.path)
        redirects = Redirect.objects.filter(
            models.Q(post__in=Post.objects.published()) | models.Q(post=None),
            old_path__in=variants,
        ).select_related("post")
        found = min(redirects, key=lambda r: variants.index(r.old_path), default=None)
        if found is None:
            return response
        return HttpResponsePermanentRedirect(found.destination)

    return middleware
