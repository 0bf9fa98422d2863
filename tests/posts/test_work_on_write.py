"""What a page shows that depends only on the post is computed when the post is saved, and
listings read only the columns they print."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from posts.models import LISTING_LEAVES_OUT, Post

pytestmark = pytest.mark.django_db

BODY = (
    "_A lead._\n\n<excerpt/>\n\n## First part\n\nText of the first part.\n\n"
    "### A detail\n\nMore.\n\n## Second part\n\nThe end."
)


def test_saving_stores_the_contents_word_count_reading_time_and_summary(make_post):
    post = Post.objects.get(pk=make_post(body=BODY).pk)
    assert post.toc == [
        {"id": "first-part", "text": "First part", "children": [
            {"id": "a-detail", "text": "A detail", "children": []},
        ]},
        {"id": "second-part", "text": "Second part", "children": []},
    ]  # fmt: skip
    assert post.word_count == 16 and post.reading_minutes == 1
    assert post.summary == "A lead." and post.meta_description == "A lead."
    post.description = "Said for search engines."
    assert post.meta_description == "Said for search engines."


def test_the_article_prints_the_stored_contents_without_reading_the_html(client, make_post):
    post = make_post(body=BODY)
    Post.objects.filter(pk=post.pk).update(
        toc=[{"id": "stored", "text": "What was stored", "children": []}] * 3
    )
    page = client.get(post.get_absolute_url()).content.decode()
    assert '<a href="#stored">What was stored</a>' in page
    assert '<a href="#first-part">' not in page


def test_changing_only_the_title_keeps_the_derived_fields(make_post):
    post = make_post(body=BODY)
    post.title = "Renamed"
    post.save(update_fields=["title"])
    assert Post.objects.get(pk=post.pk).toc[0]["id"] == "first-part"
    post.body = "## Only\n\nOne heading."
    post.save(update_fields=["body"])
    stored = Post.objects.get(pk=post.pk)
    assert stored.toc == [] and stored.word_count == 3 and stored.summary == "Only"


def test_loaded_fixtures_get_their_derived_fields(db):
    call_command("loaddata", "demo", verbosity=0)
    long_reads = [post for post in Post.objects.all() if post.word_count > 300]
    assert long_reads and all(post.summary for post in Post.objects.all())
    assert all(post.reading_minutes >= 1 for post in long_reads)


@pytest.mark.parametrize("url", ["/", "/tags/shipping/", "/search/?q=harbour"])
def test_listings_read_no_body_or_markdown(client, make_post, url):
    make_post("Harbour notes", body=BODY, tags=["shipping"])
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    post_reads = [q["sql"] for q in queries if 'FROM "posts_post"' in q["sql"]]
    assert post_reads
    for sql in post_reads:
        for column in LISTING_LEAVES_OUT:
            assert f'"posts_post"."{column}"' not in sql, (column, sql)
    # The article page does read them.
    with CaptureQueriesContext(connection) as queries:
        client.get(Post.objects.get().get_absolute_url())
    assert any('"posts_post"."body_html"' in q["sql"] for q in queries)
