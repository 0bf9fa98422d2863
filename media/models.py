"""The image library: every picture a post shows, re-encoded on intake, with its renditions.

Replacing an image's file sends `file_replaced`, so that whatever shows the old file (the posts
app's texts) can show the new one without this app knowing who they are.
"""

import uuid
from functools import partial

from django.conf import settings
from django.db import models, transaction
from django.dispatch import Signal

from . import renditions

# Sent with `image` and `old_name` once a replaced file's renditions are made.
file_replaced = Signal()


def generated_image_name(instance, filename):
    """Stored names are generated: an uploaded name is never trusted."""
    extension = filename.rsplit(".", 1)[-1].lower()
    return f"images/{uuid.uuid4().hex}.{extension}"


class Image(models.Model):
    file = models.ImageField(
        upload_to=generated_image_name, width_field="width", height_field="height"
    )
    # Blank only for images dropped into the editor without one: they are flagged until written.
    alt_text = models.CharField(
        max_length=300,
        blank=True,
        help_text="What the image shows, for readers who cannot see it.",
    )
    caption = models.CharField(max_length=500, blank=True)
    credit = models.CharField(max_length=300, blank=True)
    width = models.PositiveIntegerField(null=True, editable=False)
    height = models.PositiveIntegerField(null=True, editable=False)
    source_url = models.URLField(
        max_length=1000, blank=True, editable=False, help_text="Where the image was fetched from."
    )
    # {"webp": [{"width", "height", "name"}, ...], "fallback": [...]}, narrowest first.
    renditions = models.JSONField(default=dict, blank=True, editable=False)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, editable=False
    )

    class Meta:
        # The table the library has had since it lived in the posts app.
        db_table = "posts_image"
        ordering = ["-uploaded_at"]

    def __str__(self):
        return self.alt_text or f"{self.file.name} (no alt text)"

    def save(self, **kwargs):
        stored = (
            Image.objects.filter(pk=self.pk).values("file", "renditions").first()
            if self.pk
            else None
        )
        replaced = stored and stored["file"] != self.file.name
        with transaction.atomic():
            super().save(**kwargs)
            if replaced:
                # A replaced file needs its own renditions; the old files go only once the new
                # ones are committed, so a failed save still serves the old.
                self.renditions = {}
                for name in [stored["file"], *renditions.stored_names(stored["renditions"])]:
                    transaction.on_commit(partial(self.file.storage.delete, name))
            if self.file and not self.renditions:
                # Made once, when the image is stored; pages only ever read them.
                self.renditions = renditions.generate(self)
                super().save(update_fields=["renditions"])
            if replaced:
                file_replaced.send(sender=Image, image=self, old_name=stored["file"])

    def srcset(self, kind: str = "fallback") -> str:
        """`srcset` for the WebP or the fallback renditions: "url 480w, url 960w, ..."."""
        return ", ".join(
            f"{self.file.storage.url(r['name'])} {r['width']}w"
            for r in self.renditions.get(kind, [])
        )

    @property
    def webp_srcset(self) -> str:
        return self.srcset("webp")

    @property
    def fallback_srcset(self) -> str:
        return self.srcset("fallback")

    @property
    def small_url(self) -> str:
        """For listings: a rendition about as wide as a card."""
        return self.rendition_url(480)

    @property
    def large_url(self) -> str:
        return self.rendition_url(1600)

    def rendition(self, width: int, kind: str = "fallback") -> dict | None:
        """The narrowest rendition at least `width` wide, else the widest; None without any."""
        made = self.renditions.get(kind, [])
        return next((r for r in made if r["width"] >= width), made[-1] if made else None)

    def rendition_url(self, width: int, kind: str = "fallback") -> str:
        """The URL of rendition(width), else of the original."""
        chosen = self.rendition(width, kind)
        return self.file.storage.url(chosen["name"]) if chosen else self.file.url


def responsive_images(html: str) -> str:
    """Library images in rendered HTML become responsive, and lend their alt text to an image
    written without one; posts and the editor's preview both go through here."""
    names = [
        url.removeprefix(settings.MEDIA_URL)
        for url in renditions.library_urls(html)
        if url.startswith(settings.MEDIA_URL)
    ]
    if not names:
        return html
    images = {image.file.url: image for image in Image.objects.filter(file__in=names)}
    return renditions.responsive_html(html, images)
