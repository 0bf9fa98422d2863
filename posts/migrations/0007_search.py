"""Site search's FTS5 table, on SQLite only (PostgreSQL searches the posts' own columns).

`rowid` is the post's id; every post has a row, public or not (see search/index.py). The
tokenizer stems English (porter) and folds diacritics, so "defense" finds "défense".
"""

from collections import defaultdict

from django.db import migrations
from django.db.models import F

CREATE = (
    "CREATE VIRTUAL TABLE posts_search USING fts5("
    "title, description, tags, authors, body, "
    "tokenize = 'porter unicode61 remove_diacritics 2')"
)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    schema_editor.execute(CREATE)
    fill_index(apps, schema_editor)


def fill_index(apps, schema_editor):
    """A row for each existing post, written as search.index writes them."""
    from search.index import INSERT_SQL, document

    db = schema_editor.connection.alias
    Post = apps.get_model("posts", "Post")
    Byline = apps.get_model("posts", "Byline")
    TaggedItem = apps.get_model("taggit", "TaggedItem")
    authors = defaultdict(list)
    bylines = Byline.objects.using(db).order_by("post_id", F("position").asc(nulls_last=True), "id")
    for post_id, name in bylines.values_list("post_id", "author__name"):
        authors[post_id].append(name)
    tags = defaultdict(list)
    items = TaggedItem.objects.using(db).filter(
        content_type__app_label="posts", content_type__model="post"
    )
    for post_id, name in items.order_by("id").values_list("object_id", "tag__name"):
        tags[post_id].append(name)
    posts = Post.objects.using(db).values_list("pk", "title", "description", "body_html")
    rows = [
        (pk, *document(title, description, tags[pk], authors[pk], body_html))
        for pk, title, description, body_html in posts.iterator(chunk_size=500)
    ]
    with schema_editor.connection.cursor() as cursor:
        for first in range(0, len(rows), 500):
            cursor.executemany(INSERT_SQL, rows[first : first + 500])


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS posts_search")


class Migration(migrations.Migration):
    dependencies = [
        ("posts", "0006_canonical_url"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [migrations.RunPython(create_index, drop_index)]
