"""Old URLs of moved and renamed posts answer with a permanent redirect instead of a 404."""

from django.http import HttpResponsePermanentRedirect

from .models import Post, Redirect


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
    """Only a request that found nothing is looked up, and only a public post is pointed to."""

    def middleware(request):
        response = get_response(request)
        if response.status_code != 404:
            return response
        variants = old_url_variants(request.path)
        redirects = Redirect.objects.filter(
            old_path__in=variants, post__in=Post.objects.published()
        ).select_related("post")
        found = min(redirects, key=lambda r: variants.index(r.old_path), default=None)
        if found is None:
            return response
        return HttpResponsePermanentRedirect(found.post.get_absolute_url())

    return middleware
