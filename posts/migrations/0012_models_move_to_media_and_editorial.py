"""Image moves to the media app, Revision and PreviewLink to editorial: their content types
(and so every permission and group that grants them) go with them."""

import django.db.models.deletion
from django.db import migrations, models

MOVED = [("image", "media"), ("revision", "editorial"), ("previewlink", "editorial")]


def relabel(apps, moves):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model, source, target in moves:
        ContentType.objects.filter(app_label=source, model=model).update(app_label=target)


def move_content_types(apps, schema_editor):
    relabel(apps, [(model, "posts", app) for model, app in MOVED])


def move_content_types_back(apps, schema_editor):
    relabel(apps, [(model, app, "posts") for model, app in MOVED])


class Migration(migrations.Migration):

    dependencies = [
        ('media', '0001_initial'),
        ('posts', '0011_canonical_url_from_front_matter'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        # The tables stay where they are: only Django's idea of which app owns them moves.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='post',
                    name='image',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='featured_in', to='media.image'),
                ),
                migrations.RemoveField(
                    model_name='previewlink',
                    name='created_by',
                ),
                migrations.RemoveField(
                    model_name='previewlink',
                    name='post',
                ),
                migrations.RemoveField(
                    model_name='revision',
                    name='created_by',
                ),
                migrations.RemoveField(
                    model_name='revision',
                    name='post',
                ),
                migrations.DeleteModel(
                    name='Image',
                ),
                migrations.DeleteModel(
                    name='PreviewLink',
                ),
                migrations.DeleteModel(
                    name='Revision',
                ),
            ],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
