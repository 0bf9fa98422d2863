"""The image library, moved from the posts app with its table (posts_image) and rows."""

import django.db.models.deletion
import media.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The tables stay where they are: only Django's idea of which app owns them moves.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Image',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('file', models.ImageField(height_field='height', upload_to=media.models.generated_image_name, width_field='width')),
                        ('alt_text', models.CharField(blank=True, help_text='What the image shows, for readers who cannot see it.', max_length=300)),
                        ('caption', models.CharField(blank=True, max_length=500)),
                        ('credit', models.CharField(blank=True, max_length=300)),
                        ('width', models.PositiveIntegerField(editable=False, null=True)),
                        ('height', models.PositiveIntegerField(editable=False, null=True)),
                        ('source_url', models.URLField(blank=True, editable=False, help_text='Where the image was fetched from.', max_length=1000)),
                        ('renditions', models.JSONField(blank=True, default=dict, editable=False)),
                        ('uploaded_at', models.DateTimeField(auto_now_add=True)),
                        ('uploaded_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'posts_image',
                        'ordering': ['-uploaded_at'],
                    },
                ),
            ],
        ),
    ]
