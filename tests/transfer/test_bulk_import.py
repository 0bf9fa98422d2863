"""New posts are written in bulk: the same stored fields and search rows as a post saved one at a
time, a fixed number of queries however many there are, rendering in another process that gives
what rendering here gives, and a failed index write that leaves nothing behind."""

import pytest
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext
from helpers import run_command

from posts.models import DERIVED_FROM_MARKDOWN, Post
from search import index
from search.models import SearchDocument
from transfer import importer, rendering

pytestmark = pytest.mark.django_db

BODY = """_A lead with a note[^1]._

<excerpt/>

## Ports and trade

Shipping lanes, tariffs & markets.

### The northern route

Ice, "insurance" -- and don't forget the well-known costs.

## What follows

More text, a [link](https://example.org/) and ![a chart](/static/chart.png).

[^1]: The note.
"""
FRONT = (
    "title: Harbours and trade\nauthor: Ines Duarte\ntags: [ports, arctic]\n"
    "description: Where the ships go.\nimage: https://images.example.org/1.jpeg\n"
)
# What a post stores beyond what the file says: derived on save, or kept by the model.
COMPARED = (*DERIVED_FROM_MARKDOWN, "status", "published_at", "published_offset", "version")


def write(folder, name, front=FRONT, body=BODY):
    path = folder / name
    path.write_text(f"---\n{front}---\n{body}", encoding="utf-8")
    return path


def index_row(post) -> tuple:
    """The post's row of the search index, as the database stores it."""
    if connection.vendor == "postgresql":
        table, key = SearchDocument._meta.db_table, "post_id"
        columns = "body, vector::text"
    else:
        table, key = index.TABLE, "rowid"
        columns = "title, description, tags, authors, body"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {table} WHERE {key} = %s", [post.pk])
        return cursor.fetchone()


def test_an_imported_post_stores_what_saving_it_one_at_a_time_stores(tmp_path):
    run_command("import_posts", write(tmp_path, "2025-05-14-harbours.md"))
    imported = Post.objects.get()
    saved = Post(
        slug="harbours-saved",
        **{name: getattr(imported, name) for name in importer.STORED_FIELDS if name != "slug"},
    )
    saved.save()
    saved.set_authors(imported.authors.all())
    saved.tags.set(list(imported.tags.all()))
    saved.refresh_from_db()
    assert imported.toc and imported.word_count > 20  # the body has what derived fields read
    assert {name: getattr(imported, name) for name in COMPARED} == {
        name: getattr(saved, name) for name in COMPARED
    }
    assert index_row(imported) == index_row(saved)


def write_posts(folder, number, names):
    """`number` new posts naming the same two authors and two tags, whatever their number."""
    folder.mkdir()
    for day in range(1, number + 1):
        front = f"title: Post {day}\nauthor: {names} {day % 2}\ntags: [{names}-{day % 2}]\n"
        write(folder, f"2025-05-{day:02}-{names}-{day}.md", front)


def test_new_posts_cost_the_same_queries_however_many_there_are(
    tmp_path, django_assert_num_queries
):
    write_posts(tmp_path / "few", 2, "few")
    write_posts(tmp_path / "many", 24, "many")
    with CaptureQueriesContext(connection) as few:
        run_command("import_posts", tmp_path / "few")
    with django_assert_num_queries(len(few)):
        assert run_command("import_posts", tmp_path / "many").startswith("24 created")
    assert Post.objects.count() == 26


@pytest.fixture
def in_chunks(monkeypatch):
    """Imports written two posts at a time, each chunk's rendering in another process."""
    monkeypatch.setattr(importer, "CHUNK", 2)
    monkeypatch.setattr(rendering, "MIN_POSTS", 1)
    monkeypatch.setattr(rendering, "spare_cores", lambda: 1)


def test_posts_rendered_in_another_process_store_what_rendering_here_gives(
    tmp_path, client, in_chunks
):
    for number in range(5):
        body = BODY.replace("Ports", f"Ports {number}").replace("note", f"note {number}")
        write(tmp_path, f"2025-05-1{number}-harbours-{number}.md", body=body)
    assert run_command("import_posts", tmp_path).startswith("5 created")
    for post in Post.objects.all():
        here = Post(body=post.body, excerpt=post.excerpt, excerpt_separator=post.excerpt_separator)
        here.render_markup()
        assert {name: getattr(post, name) for name in DERIVED_FROM_MARKDOWN} == {
            name: getattr(here, name) for name in DERIVED_FROM_MARKDOWN
        }
    page = client.get("/search/", {"q": "northern"})
    assert page.content.decode().count('href="/posts/harbours-') == 5


def test_an_index_write_that_fails_leaves_nothing_written(tmp_path, monkeypatch, in_chunks):
    for number in range(5):
        write(tmp_path, f"2025-05-1{number}-harbours-{number}.md")
    # The first chunk's index rows are written while the second chunk is rendered.
    if connection.vendor == "postgresql":
        monkeypatch.setattr(index, "POSTGRES_CONFIG", "no_such_configuration")
    else:
        monkeypatch.setattr(index, "INSERT_SQL", index.INSERT_SQL.replace(index.TABLE, "nowhere"))
    with pytest.raises(DatabaseError):
        run_command("import_posts", tmp_path)
    assert not Post.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TOAST compression is PostgreSQL's")
def test_an_import_compresses_its_text_with_lz4_where_the_server_has_it(tmp_path):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
        )
        (has_lz4,) = cursor.fetchone()
        run_command("import_posts", write(tmp_path, "2025-05-14-long.md", body="Harbours. " * 900))
        cursor.execute("SELECT pg_column_compression(body) FROM posts_post")
        assert cursor.fetchone()[0] == ("lz4" if has_lz4 else "pglz")
