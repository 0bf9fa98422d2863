"""Cached pages answered before Django's handler runs: no request object, no middleware, no URL
resolving, no signals, only the cache read of a hit. Everything else goes on to Django."""

from django.conf import settings
from django.core.handlers.wsgi import WSGIRequest, get_path_info, get_script_name
from django.http.request import split_domain_port, validate_host

from . import store
from .middleware import answer, cache_control, is_public_request, replay

# Headers that can make the answer something other than the stored page (a 304 or a 412).
_CONDITIONS = (
    "HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE",
)  # fmt: skip


class ServeCachedPages:
    """WSGI application answering page-cache hits itself, and passing on the rest."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        if store.enabled() and is_public_request(environ) and allowed_host(environ):
            key = store.entry_key(environ, get_script_name(environ), get_path_info(environ))
            entry, _ = store.lookup(key)
            if entry is not None:
                return self.hit(environ, entry, start_response)
        return self.application(environ, start_response)

    def hit(self, environ, entry, start_response):
        """The stored page with the headers made when it was stored; only a conditional request
        or a HEAD needs Django's request and response."""
        if environ["REQUEST_METHOD"] == "GET" and not any(name in environ for name in _CONDITIONS):
            cached = [("Cache-Control", cache_control(entry.valid_until)), ("X-Page-Cache", "hit")]
            start_response("200 OK", [*entry.head, *cached])
            return [entry.content]
        request = WSGIRequest(environ)
        response = answer(request, replay(request, entry), entry, "hit")
        start_response(f"{response.status_code} {response.reason_phrase}", list(response.items()))
        return [response.content]


def allowed_host(environ) -> bool:
    """The check HttpRequest.get_host() makes: a host outside ALLOWED_HOSTS goes on to Django,
    which answers it with its 400."""
    domain, _ = split_domain_port(store.raw_host(environ))
    return bool(domain) and validate_host(domain, settings.ALLOWED_HOSTS)
