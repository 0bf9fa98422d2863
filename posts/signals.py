"""What the posts app does when rows are saved elsewhere or raw; wired in PostsConfig.ready()."""

from django.core.exceptions import ValidationError

from .models import Post, body_shows, validate_canonical_url


def render_raw_rows(sender, instance, raw, **kwargs):
    """`loaddata` saves rows raw, bypassing save(): derive their HTML here instead."""
    if raw:
        instance.render_markup()


def refuse_unsafe_canonical_url(sender, instance, **kwargs):
    """No write path, fixtures included, stores a canonical URL a browser would run."""
    if instance.canonical_url:
        try:
            validate_canonical_url(instance.canonical_url)
        except ValidationError as error:
            raise ValidationError({"canonical_url": error.messages}) from None


def show_replaced_file(sender, image, old_name, **kwargs):
    """Texts that showed a replaced file show the new one: replacing a picture replaces it
    everywhere, as it does where it is the featured image."""
    for post in Post.objects.filter(body_shows(old_name)):
        post.body = post.body.replace(old_name, image.file.name)
        post.save(update_fields=["body"])
