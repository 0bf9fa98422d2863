"""Existing posts get their search documents on PostgreSQL (SQLite's FTS5 rows exist already)."""

from django.db import migrations


def fill(apps, schema_editor):
    """Every post's document, written as search.index writes them (it reads only columns that
    posts have had since their first migration)."""
    from search.index import rebuild

    if schema_editor.connection.vendor == "postgresql":
        rebuild(schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_initial"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
