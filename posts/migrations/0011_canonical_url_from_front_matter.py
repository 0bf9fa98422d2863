"""Posts imported before canonical_url was read from front matter kept it there: move it."""

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import migrations

# The field's own rule, as it stood when this migration was written.
validate_canonical_url = URLValidator(schemes=["http", "https"])


def move_canonical_urls(apps, schema_editor):
    """A valid http(s) canonical_url kept in front matter becomes the field; anything else
    stays in front matter, where an export still writes it back."""
    Post = apps.get_model("posts", "Post")
    for post in Post.objects.filter(front_matter__has_key="canonical_url").iterator():
        value = post.front_matter["canonical_url"]
        try:
            validate_canonical_url(value)
        except (ValidationError, TypeError):
            continue
        if not post.canonical_url:
            post.canonical_url = value
        del post.front_matter["canonical_url"]
        post.save(update_fields=["canonical_url", "front_matter"])


class Migration(migrations.Migration):
    dependencies = [("posts", "0010_repair_empty_slugs")]

    operations = [migrations.RunPython(move_canonical_urls, migrations.RunPython.noop)]
