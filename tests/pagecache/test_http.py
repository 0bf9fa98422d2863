"""HTTP caching of public pages: validators and 304s, tunable Cache-Control, surrogate keys, and
the purge hook that tells Varnish or a CDN in front."""

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from pagecache import purging, store
from pagecache.middleware import mark, page_cache

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(make_post):
    return make_post("Harbours", slug="harbours", tags=["ports"])


def test_pages_carry_validators_and_answer_304_to_a_current_copy(client, post):
    first = client.get("/posts/harbours/")
    etag, modified = first["ETag"], first["Last-Modified"]
    assert etag.startswith('"') and modified.endswith("GMT")
    for headers in ({"HTTP_IF_NONE_MATCH": etag}, {"HTTP_IF_MODIFIED_SINCE": modified}):
        response = client.get("/posts/harbours/", **headers)
        assert response.status_code == 304 and response.content == b""
        assert response["ETag"] == etag
    assert client.get("/posts/harbours/", HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_a_changed_page_gets_a_new_etag_and_a_full_answer(client, post):
    etag = client.get("/posts/harbours/")["ETag"]
    post.title = "Harbours, reopened"
    post.save()
    response = client.get("/posts/harbours/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200 and response["ETag"] != etag


def test_feeds_answer_304_too(client, post):
    etag = client.get("/feed.xml")["ETag"]
    assert client.get("/feed.xml", HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_cache_control_is_the_deployers_to_tune(client, post, settings):
    cache_control = client.get("/posts/harbours/")["Cache-Control"]
    assert cache_control == "public, max-age=0, s-maxage=300, stale-while-revalidate=60"
    settings.QUIRE_CACHE_MAX_AGE, settings.QUIRE_CACHE_S_MAXAGE = 60, 3600
    settings.QUIRE_CACHE_STALE_WHILE_REVALIDATE = 0
    assert client.get("/tags/ports/")["Cache-Control"] == "public, max-age=60, s-maxage=3600"


def test_surrogate_keys_name_what_a_page_shows(client, post):
    keys = client.get("/posts/harbours/")["Surrogate-Key"].split()
    author, tag = post.authors.get(), post.tags.get()
    assert {f"post-{post.pk}", f"author-{author.pk}", f"tag-{tag.pk}", "site"} <= set(keys)
    listing = client.get("/tags/ports/")
    assert {f"tag-{tag.pk}", f"post-{post.pk}"} <= set(listing["Surrogate-Key"].split())
    assert set(listing["Cache-Tag"].split(",")) == set(listing["Surrogate-Key"].split())


def test_campaign_parameters_share_the_pages_entry_and_page_numbers_do_not(client, make_post):
    for number in range(12):
        make_post(f"Dispatch {number}")
    client.get("/")
    assert client.get("/?utm_source=newsletter")["X-Page-Cache"] == "hit"
    second = client.get("/?page=2")
    assert second["X-Page-Cache"] == "miss" and "Dispatch 11" in second.content.decode()


def test_a_head_request_is_answered_from_the_cache_without_a_body(client, post):
    client.get("/posts/harbours/")
    response = client.head("/posts/harbours/")
    assert response["X-Page-Cache"] == "hit" and response.content == b""


def test_with_the_cache_off_pages_keep_their_http_headers(client, post, settings):
    settings.QUIRE_PAGE_CACHE_SECONDS = 0
    client.get("/posts/harbours/")
    response = client.get("/posts/harbours/")
    assert response["X-Page-Cache"] == "off" and response["ETag"]
    etag = response["ETag"]
    assert client.get("/posts/harbours/", HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_missing_pages_are_not_cached_by_anyone(client, post):
    response = client.get("/posts/nowhere/")
    assert response.status_code == 404
    assert "X-Page-Cache" not in response and "Surrogate-Key" not in response


def page_middleware(response_for):
    return page_cache(lambda request: response_for(request))


def test_a_page_that_sets_a_cookie_or_varies_by_one_is_not_stored():
    for header in ("Set-Cookie", "Vary"):

        def view(request, header=header):
            response = mark(HttpResponse("a page"), ["x"])
            if header == "Set-Cookie":
                response.set_cookie("reader", "1")
            else:
                response["Vary"] = "Cookie"
            return response

        middleware = page_middleware(view)
        middleware(RequestFactory().get("/page/"))
        assert store.lookup(store.request_key(RequestFactory().get("/page/")))[0] is None


def test_a_page_rendered_while_a_purge_happens_is_not_stored():
    def view(request):
        purging.purge(["elsewhere"])  # an editor's save lands while this page renders
        return mark(HttpResponse("rendered from rows read before the save"), ["x"])

    page_middleware(view)(RequestFactory().get("/page/"))
    assert store.lookup(store.request_key(RequestFactory().get("/page/")))[0] is None
    page_middleware(lambda request: mark(HttpResponse("later"), ["x"]))(
        RequestFactory().get("/page/")
    )
    assert store.lookup(store.request_key(RequestFactory().get("/page/")))[0].content == b"later"


class PurgeRecorder(BaseHTTPRequestHandler):
    received: list = []

    def do_PURGE(self):
        self.received.append((self.path, self.headers["Surrogate-Key"]))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def front_cache(settings):
    server = HTTPServer(("127.0.0.1", 0), PurgeRecorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    PurgeRecorder.received = []
    settings.QUIRE_CACHE_PURGE_URLS = [f"http://127.0.0.1:{server.server_port}/purge"]
    yield PurgeRecorder.received
    server.shutdown()


def test_a_publish_tells_the_cache_in_front_once_committed(
    front_cache, make_post, django_capture_on_commit_callbacks
):
    post = make_post("Harbours", slug="harbours")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        post.title = "Harbours, reopened"
        post.save()
    assert front_cache == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert any(f"post-{post.pk}" in keys.split() for _, keys in front_cache)
    assert all(path == "/purge" for path, _ in front_cache)


def test_an_unreachable_cache_in_front_is_logged_not_fatal(settings, caplog):
    settings.QUIRE_CACHE_PURGE_URLS = ["http://127.0.0.1:9/purge"]
    purging.tell_front_cache("http://127.0.0.1:9/purge", {"post-1"})
    assert "Could not purge post-1" in caplog.text


def test_a_batch_purges_once_on_the_way_out(front_cache, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), purging.batch():
        purging.purge(["post-1"])
        purging.purge(["post-2"])
    assert [set(keys.split()) for _, keys in front_cache] == [{"post-1", "post-2"}]
