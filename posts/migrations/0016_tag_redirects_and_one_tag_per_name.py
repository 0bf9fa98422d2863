import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Count

from posts.tagging import merge_tags

# Tags are case-insensitive from now on (TAGGIT_CASE_INSENSITIVE): "NATO", "Nato" and "nato"
# stored before become one tag, the most used spelling (the oldest of equals), and the others'
# URLs redirect to it.


def merge_spellings(apps, schema_editor):
    Tag = apps.get_model("taggit", "Tag")
    spellings = {}
    tags = Tag.objects.annotate(uses=Count("taggit_taggeditem_items")).order_by("-uses", "pk")
    for tag in tags:
        spellings.setdefault(tag.name.casefold(), []).append(tag)
    for target, *others in spellings.values():
        if others:
            merge_tags(target, others, apps=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("posts", "0015_bodies_credits_and_redirect_targets"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [
        migrations.CreateModel(
            name="TagRedirect",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("old_slug", models.CharField(max_length=100, unique=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "tag",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="redirects",
                        to="taggit.tag",
                    ),
                ),
            ],
            options={"ordering": ["old_slug"]},
        ),
        # Merging cannot be undone: going back keeps the merged tags.
        migrations.RunPython(merge_spellings, migrations.RunPython.noop),
    ]
