"""Cached pages are answered before Django's handler, with every header Django gave them."""

import pytest
from django.test import RequestFactory

from pagecache.wsgi import ServeCachedPages

pytestmark = pytest.mark.django_db


def call(environ):
    """What ServeCachedPages answers itself: (status, headers, body), or None if it passed on."""
    answered = {}

    def start_response(status, headers):
        answered.update(status=status, headers=dict(headers))

    body = ServeCachedPages(lambda environ, start_response: None)(environ, start_response)
    return None if body is None else (answered["status"], answered["headers"], b"".join(body))


def test_a_hit_is_answered_without_django_with_the_pages_headers(client, make_post):
    make_post("Harbours", slug="harbours")
    page = client.get("/posts/harbours/")
    assert call(RequestFactory().get("/posts/harbours/").environ) is not None
    status, headers, body = call(RequestFactory().get("/posts/harbours/").environ)
    assert status == "200 OK" and body == page.content
    assert headers["X-Page-Cache"] == "hit" and headers["ETag"] == page["ETag"]
    for name in ("Content-Type", "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options"):
        assert headers[name] == page[name], name
    etag = page["ETag"]
    status, _, body = call(
        RequestFactory().get("/posts/harbours/", HTTP_IF_NONE_MATCH=etag).environ
    )
    assert status == "304 Not Modified" and body == b""


def test_misses_editors_and_other_hosts_go_on_to_django(client, make_post):
    make_post("Harbours", slug="harbours")
    assert call(RequestFactory().get("/posts/harbours/").environ) is None  # not cached yet
    client.get("/posts/harbours/")
    editor = RequestFactory().get("/posts/harbours/", HTTP_COOKIE="sessionid=abc")
    assert call(editor.environ) is None
    assert call(RequestFactory().get("/posts/harbours/", HTTP_HOST="evil.example").environ) is None
    assert call(RequestFactory().post("/posts/harbours/").environ) is None
