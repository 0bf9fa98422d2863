"""Indexes that keep public pages' queries to index ranges as the archive grows.

The public-order index is built on PostgreSQL only: SQLite refuses NULLS LAST in an index, and
needs none there, its descending order putting nulls last already. So is the index of tagged
posts: Post.tags joins a tagged item's integer object_id to the post's bigint id through a cast
on PostgreSQL, which none of taggit's indexes can serve; with this one a tag's listing and feed
walk the public-order index and look each post's tags up, instead of hashing all the tag's
items (SQLite joins without a cast, through taggit's own unique index).
"""

from django.db import migrations, models

from posts.operations import AddIndexOnPostgreSQL

TAGGED_POSTS = "taggit_taggeditem_post_cast"


def index_tagged_posts(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX {TAGGED_POSTS} ON taggit_taggeditem "
            "(content_type_id, (object_id::bigint), tag_id)"
        )


def drop_tagged_posts_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {TAGGED_POSTS}")


class Migration(migrations.Migration):
    dependencies = [
        ("posts", "0013_derived_page_fields"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [
        # Replaced by post_public, which begins with its columns: what read it reads that one.
        migrations.RemoveIndex(model_name="post", name="posts_post_status_384c95_idx"),
        migrations.AddIndex(
            model_name="post",
            index=models.Index(
                fields=["status", "published_at", "id", "updated_at"], name="post_public"
            ),
        ),
        AddIndexOnPostgreSQL(
            model_name="post",
            index=models.Index(
                models.F("status"),
                models.OrderBy(models.F("published_at"), descending=True, nulls_last=True),
                models.OrderBy(models.F("id"), descending=True),
                name="post_public_order",
            ),
        ),
        migrations.AddIndex(
            model_name="post",
            index=models.Index(
                fields=["status", "updated_at", "published_at"], name="post_public_updates"
            ),
        ),
        migrations.AddIndex(
            model_name="post",
            index=models.Index(
                fields=["status", "id", "published_at", "updated_at", "slug"], name="post_sitemap"
            ),
        ),
        migrations.AddIndex(
            model_name="post",
            index=models.Index(
                fields=["section", "status", "published_at"], name="post_section_order"
            ),
        ),
        migrations.RunPython(index_tagged_posts, drop_tagged_posts_index),
    ]
