"""Cached pages answered before Django's handler runs: no middleware, no URL resolving, no
signals, only the two cache reads of a hit. Everything else goes on to Django."""

from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest

from . import store
from .middleware import answer, is_public_request, replay


class ServeCachedPages:
    """WSGI application answering page-cache hits itself, and passing on the rest."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        request = WSGIRequest(environ)
        if is_public_request(request) and store.enabled():
            try:
                entry, _ = store.lookup(request)
            except DisallowedHost:  # Django answers it, with its 400
                entry = None
            if entry is not None:
                response = answer(request, replay(request, entry), entry, "hit")
                status = f"{response.status_code} {response.reason_phrase}"
                start_response(status, list(response.items()))
                return [response.content]
        return self.application(environ, start_response)
