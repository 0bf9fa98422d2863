"""Old URLs keep working: imported Jekyll URLs and earlier slugs answer 301 to the post."""

from datetime import timedelta

import pytest
from django.utils import timezone

from posts.middleware import old_url_variants
from posts.models import Post, Redirect

pytestmark = pytest.mark.django_db


def test_an_old_url_answers_301_to_the_post(client, make_post):
    post = make_post(slug="arctic-lanes")
    Redirect.objects.create(old_path="/2025/02/18/arctic-lanes.html", post=post)
    response = client.get("/2025/02/18/arctic-lanes.html")
    assert (response.status_code, response["Location"]) == (301, "/posts/arctic-lanes/")


@pytest.mark.parametrize(
    ("stored", "requested"),
    [
        ("/blog/x/", "/blog/x/index.html"),
        ("/blog/x/", "/blog/x"),
        ("/blog/x.html", "/blog/x"),
        ("/blog/x", "/blog/x.html"),
        ("/school-exclusions and more/", "/school-exclusions%20and%20more/"),
        ("/2024/03/15/orbáns-allies.html", "/2024/03/15/orb%C3%A1ns-allies.html"),
    ],
)
def test_the_forms_a_static_host_answered_to_redirect_too(client, make_post, stored, requested):
    post = make_post()
    Redirect.objects.create(old_path=stored, post=post)
    response = client.get(requested)
    assert (response.status_code, response["Location"]) == (301, post.get_absolute_url())


def test_the_exact_old_url_wins_over_a_variant(client, make_post):
    Redirect.objects.create(old_path="/x", post=make_post(slug="other"))
    Redirect.objects.create(old_path="/x.html", post=make_post(slug="exact"))
    assert client.get("/x.html")["Location"] == "/posts/exact/"


def test_a_draft_or_scheduled_post_is_not_revealed(client, make_post):
    draft = make_post(status=Post.Status.DRAFT)
    Redirect.objects.create(old_path="/draft.html", post=draft)
    scheduled = make_post(published_at=timezone.now() + timedelta(days=1))
    Redirect.objects.create(old_path="/later.html", post=scheduled)
    assert client.get("/draft.html").status_code == 404
    assert client.get("/later.html").status_code == 404
    Redirect.objects.create(old_path="/live.html", post=make_post(slug="live"))
    assert client.get("/live.html")["Location"] == "/posts/live/"


def test_a_live_page_is_never_redirected(client, make_post):
    live = make_post(slug="live")
    Redirect.objects.create(old_path="/posts/live/", post=make_post(slug="elsewhere"))
    assert client.get("/posts/live/").status_code == 200
    assert live.slug == "live"


def test_a_renamed_slug_redirects_from_the_old_one(client, make_post):
    post = make_post(slug="first-name")
    post = Post.objects.get(pk=post.pk)
    post.slug = "second-name"
    post.save()
    post.slug = "third-name"
    post.save()
    for old in ("/posts/first-name/", "/posts/second-name/"):
        response = client.get(old)
        assert (response.status_code, response["Location"]) == (301, "/posts/third-name/")


def test_a_slug_taken_back_serves_its_page_and_drops_the_redirect(client, make_post):
    post = Post.objects.get(pk=make_post(slug="a").pk)
    post.slug = "b"
    post.save()
    post.slug = "a"
    post.save()
    assert client.get("/posts/a/").status_code == 200
    assert client.get("/posts/b/")["Location"] == "/posts/a/"
    assert list(Redirect.objects.values_list("old_path", flat=True)) == ["/posts/b/"]


def test_a_slug_edited_in_the_admin_redirects_and_old_urls_can_be_added(
    admin_client, make_post, client
):
    post = make_post(slug="before", title="Before")
    data = {
        "title": "Before",
        "slug": "after",
        "status": "published",
        "published_at_0": "2025-05-22",
        "published_at_1": "12:00:00",
        "excerpt_separator": "<excerpt/>",
        "body": "Body.",
        "body_format": "markdown",
        "bylines-TOTAL_FORMS": "0",
        "bylines-INITIAL_FORMS": "0",
        "redirects-TOTAL_FORMS": "1",
        "redirects-INITIAL_FORMS": "0",
        "redirects-0-old_path": "/2019/05/before.html",
        "started_from": str(post.version),
    }
    response = admin_client.post(f"/admin/posts/post/{post.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    for old in ("/posts/before/", "/2019/05/before.html"):
        response = client.get(old)
        assert (response.status_code, response["Location"]) == (301, "/posts/after/")


def test_a_missing_page_without_a_redirect_is_still_a_404(client, make_post):
    Redirect.objects.create(old_path="/somewhere/", post=make_post())
    assert client.get("/nowhere/").status_code == 404
    assert client.get("/somewhere/").status_code == 301


def test_variants_of_an_old_url():
    assert old_url_variants("/a/") == ["/a/", "/a/index.html", "/a", "/a.html"]
    assert old_url_variants("/a/index.html") == ["/a/index.html", "/a/"]
    assert old_url_variants("/a.html") == ["/a.html", "/a", "/a/"]
    assert old_url_variants("/a") == ["/a", "/a.html", "/a/"]


def test_an_old_url_costs_one_query(client, make_post, django_assert_num_queries):
    Redirect.objects.create(old_path="/old.html", post=make_post())
    with django_assert_num_queries(1):
        assert client.get("/old.html").status_code == 301
    with django_assert_num_queries(1):
        assert client.get("/never-was.html").status_code == 404
