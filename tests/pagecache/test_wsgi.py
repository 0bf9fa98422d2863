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


def test_a_hit_answered_before_django_has_the_headers_django_gives_a_hit(client, make_post):
    make_post("Harbours", slug="harbours")
    client.get("/posts/harbours/")
    through_django = client.get("/posts/harbours/")
    assert through_django["X-Page-Cache"] == "hit"
    _status, headers, body = call(RequestFactory().get("/posts/harbours/").environ)
    assert headers.pop("Content-Length") == str(len(body))
    assert headers == dict(through_django.items())


def test_head_and_conditional_hits_get_what_django_would_answer(client, make_post):
    make_post("Harbours", slug="harbours")
    etag = client.get("/posts/harbours/")["ETag"]
    status, headers, body = call(RequestFactory().head("/posts/harbours/").environ)
    assert status == "200 OK" and body == b"" and headers["ETag"] == etag
    mismatched = RequestFactory().get("/posts/harbours/", HTTP_IF_MATCH='"other"')
    assert call(mismatched.environ)[0] == "412 Precondition Failed"


def test_misses_editors_and_other_hosts_go_on_to_django(client, make_post):
    make_post("Harbours", slug="harbours")
    assert call(RequestFactory().get("/posts/harbours/").environ) is None  # not cached yet
    client.get("/posts/harbours/")
    editor = RequestFactory().get("/posts/harbours/", HTTP_COOKIE="sessionid=abc")
    assert call(editor.environ) is None
    assert call(RequestFactory().get("/posts/harbours/", HTTP_HOST="evil.example").environ) is None
    assert call(RequestFactory().post("/posts/harbours/").environ) is None


def test_the_entry_django_stored_is_found_for_unicode_paths_and_shared_parameters(
    client, make_post
):
    make_post("Harbours of Hong Kong", slug="香港港口")
    client.get("/posts/香港港口/")
    environ = RequestFactory().get("/").environ
    # What a WSGI server passes: the path's UTF-8 bytes, as Latin-1 characters (PEP 3333).
    environ["PATH_INFO"] = "/posts/香港港口/".encode().decode("latin-1")
    assert call(environ)[0] == "200 OK"
    client.get("/")
    assert call(RequestFactory().get("/", {"utm_source": "newsletter"}).environ) is not None
    assert call(RequestFactory().get("/", {"page": "2"}).environ) is None
