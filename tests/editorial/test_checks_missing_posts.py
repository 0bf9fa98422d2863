"""The content check names links to posts that do not exist, in one sentence."""

import pytest
from django.contrib.auth.models import User

from editorial import checks
from posts.models import Post, Redirect

pytestmark = pytest.mark.django_db

EDITOR = User(username="editor", is_active=True, is_superuser=True)


def test_links_to_posts_that_do_not_exist_are_listed(make_post, django_assert_num_queries):
    make_post("Out already", slug="live")
    moved = make_post("Moved", slug="moved")
    Redirect.objects.create(old_path="/posts/old-name", post=moved)
    body = (
        "See [a](/posts/gone/), [b](/posts/live/), [c](/posts/old-name/), "
        "[d](http://localhost/posts/never/#x) and [e](/posts/gone/?again)."
    )
    post = Post(title="Linking", slug="linking", body=body, description="A description.")
    with django_assert_num_queries(2):
        found = checks.checks(post, EDITOR)
    assert found == [
        "Links to a post that does not exist: /posts/gone/, /posts/never/ (readers get “not "
        "found”; correct or remove the links)."
    ]


def test_no_query_for_missing_posts_when_every_linked_post_exists(
    make_post, django_assert_num_queries
):
    make_post("Out already", slug="live")
    post = Post(title="Linking", slug="linking", body="See [b](/posts/live/).", description="D.")
    with django_assert_num_queries(1):
        assert checks.checks(post, EDITOR) == []
