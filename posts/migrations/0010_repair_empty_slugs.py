"""Tags, authors and sections saved with an empty slug (or taggit's "_1" after one) get one."""

from django.db import migrations
from django.db.models import Q

from posts.slugs import unique_slug

MODELS = [("taggit", "Tag"), ("posts", "Author"), ("posts", "Section")]


def repair_empty_slugs(apps, schema_editor):
    for app_label, model_name in MODELS:
        model = apps.get_model(app_label, model_name)
        max_length = model._meta.get_field("slug").max_length
        # taggit numbers an empty slug "_1", "_2"…; no slug it makes from a name starts with "_".
        broken = model.objects.filter(Q(slug="") | Q(slug__regex=r"^_[0-9]+$")).order_by("pk")
        for row in broken:
            others = model.objects.exclude(pk=row.pk)
            slug = unique_slug(row.name, model_name.lower(), others, max_length)
            model.objects.filter(pk=row.pk).update(slug=slug)


class Migration(migrations.Migration):
    dependencies = [
        ("posts", "0009_canonical_url_http_only"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [migrations.RunPython(repair_empty_slugs, migrations.RunPython.noop)]
