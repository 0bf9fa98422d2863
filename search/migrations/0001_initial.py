"""Search documents for PostgreSQL; their GIN index exists on PostgreSQL only.

SQLite searches the FTS5 table of migration posts 0007 and leaves this table empty: it exists
there only so that deleting a post cascades the same way on both databases.
"""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models

from posts.operations import AddIndexOnPostgreSQL


def keep_vectors_inline(apps, schema_editor):
    """A post's vector stays in its row (up to a page's worth), not in TOAST: ranking reads
    hundreds of them per search, and a TOAST fetch costs several times a heap read."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE search_searchdocument ALTER COLUMN vector SET STORAGE MAIN, "
            "SET (toast_tuple_target = 8160)"
        )


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("posts", "0012_models_move_to_media_and_editorial"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                (
                    "post",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_document",
                        serialize=False,
                        to="posts.post",
                    ),
                ),
                ("body", models.TextField(blank=True, editable=False)),
                ("vector", django.contrib.postgres.search.SearchVectorField(editable=False)),
            ],
            options={"default_permissions": ()},
        ),
        migrations.RunPython(keep_vectors_inline, migrations.RunPython.noop),
        AddIndexOnPostgreSQL(
            model_name="searchdocument",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["vector"], name="search_document_vector"
            ),
        ),
    ]
