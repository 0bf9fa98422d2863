"""/media/ served by Django, where told to: only ever re-encoded images, never sniffed or run."""

from django.conf import settings
from django.http import Http404
from django.views import static

MEDIA_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; img-src 'self'; sandbox",
    "Cross-Origin-Resource-Policy": "same-site",
}


def media(request, path):
    """Uploaded files, when Django serves them (QUIRE_SERVE_MEDIA), with locked-down headers."""
    if not settings.QUIRE_SERVE_MEDIA:
        raise Http404("Media are served by the web server.")
    response = static.serve(request, path, document_root=settings.MEDIA_ROOT)
    for header, value in MEDIA_HEADERS.items():
        response[header] = value
    return response
