"""A batch writer indexes as it goes: write_noted() within deferred() writes the rows noted so
far while the writer goes on, the next query waits for them, and leaving writes the rest."""

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from posts.models import Byline, Post
from search import index

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_page_cache(settings):
    settings.QUIRE_PAGE_CACHE_SECONDS = 0


def found(client, query):
    response = client.get("/search/", {"q": query})
    return sorted(post.title for post in response.context["page_obj"])


def bulk_post(title, author):
    """A published post and its byline, bulk-created: no signal tells the index of them."""
    due = timezone.now() - timedelta(hours=1)
    post = Post(title=title, slug=title.lower(), status=Post.Status.PUBLISHED, published_at=due)
    Post.objects.bulk_create([post])
    Byline.objects.bulk_create([Byline(post=post, author=author, position=0)])
    return post


def test_rows_noted_are_written_before_the_next_query_and_the_rest_on_leaving(client, make_author):
    author = make_author("Tobias Renner")
    with index.deferred():
        index.reindex([bulk_post("Early", author).pk])
        index.write_noted()
        # The search runs on the connection the write went out on, after it.
        assert found(client, "renner") == ["Early"]
        index.reindex([bulk_post("Late", author).pk])
        assert found(client, "renner") == ["Early"]
    assert found(client, "renner") == ["Early", "Late"]


def test_a_failed_write_is_raised_by_the_next_query_and_nothing_stays(make_author, monkeypatch):
    author = make_author()
    if connection.vendor == "postgresql":
        monkeypatch.setattr(index, "POSTGRES_CONFIG", "no_such_configuration")
    else:
        monkeypatch.setattr(index, "INSERT_SQL", index.INSERT_SQL.replace(index.TABLE, "nowhere"))
    reached = []
    with pytest.raises(DatabaseError), transaction.atomic(), index.deferred():
        index.reindex([bulk_post("Doomed", author).pk])
        index.write_noted()
        Post.objects.count()
        reached.append("the query after the write")
    assert reached == []
    assert not Post.objects.exists()
