"""Public pages served from the page cache, with the HTTP validators and caching headers that let
browsers, Varnish or a CDN keep them too.

A view opts in with `mark(response, keys)`; nothing else is ever stored. Requests with a session
(staff, anyone logged in) neither read nor fill the cache, and get pages marked private.
"""

import math
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpResponse
from django.http.cookie import parse_cookie
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control

from . import store


@dataclass
class Marking:
    keys: tuple[str, ...]
    valid_until: float


def mark(response, keys, valid_until: float = math.inf):
    """Let the page cache keep this response until one of `keys` (what it shows) is purged, or
    until the timestamp `valid_until`."""
    response.page_cache = Marking(tuple(keys), valid_until)
    return response


def is_public_request(meta) -> bool:
    """A reader's request, from its WSGI environ: no session (staff, anyone logged in), no
    credentials, nothing but reading."""
    return (
        meta.get("REQUEST_METHOD") in ("GET", "HEAD")
        and "HTTP_AUTHORIZATION" not in meta
        and settings.SESSION_COOKIE_NAME not in parse_cookie(meta.get("HTTP_COOKIE", ""))
    )


def page_cache(get_response):
    def middleware(request):
        if not is_public_request(request.META):
            response = get_response(request)
            if hasattr(response, "page_cache"):
                patch_cache_control(response, private=True, no_cache=True)
            return response
        seen, key = None, store.request_key(request)
        if store.enabled():
            entry, seen = store.lookup(key)
            if entry is not None:
                return answer(request, replay(request, entry), entry, "hit")
        response = get_response(request)
        marking = getattr(response, "page_cache", None)
        if marking is None or not shareable(response):
            return response
        entry = store.save(key, response, marking.keys, marking.valid_until, seen)
        return answer(request, response, entry, "miss" if store.enabled() else "off")

    return middleware


def shareable(response) -> bool:
    """A page is the same for every reader: not one that sets a cookie or varies by one."""
    vary = response.get("Vary", "").lower()
    return response.status_code == 200 and not response.cookies and "cookie" not in vary


def replay(request, entry) -> HttpResponse:
    response = HttpResponse(b"" if request.method == "HEAD" else entry.content)
    for name, value in entry.headers.items():
        response[name] = value
    return response


def answer(request, response, entry, state: str):
    """Validators, caching headers and surrogate keys; a 304 when the reader's copy is current."""
    for name, value in entry.validators():
        response[name] = value
    response["Cache-Control"] = cache_control(entry.valid_until)
    response["X-Page-Cache"] = state
    return get_conditional_response(
        request, etag=entry.etag, last_modified=int(entry.last_modified), response=response
    )


def cache_control(valid_until: float) -> str:
    """Browsers revalidate (max-age); shared caches keep the page for s-maxage, and may serve it
    stale while refetching, except when a scheduled publication ends its life sooner."""
    left = valid_until - timezone.now().timestamp()
    shared = settings.QUIRE_CACHE_S_MAXAGE
    parts = ["public", f"max-age={settings.QUIRE_CACHE_MAX_AGE}"]
    if left < shared:
        parts.append(f"s-maxage={max(0, int(left))}")
    else:
        parts.append(f"s-maxage={shared}")
        if settings.QUIRE_CACHE_STALE_WHILE_REVALIDATE:
            parts.append(f"stale-while-revalidate={settings.QUIRE_CACHE_STALE_WHILE_REVALIDATE}")
    return ", ".join(parts)
