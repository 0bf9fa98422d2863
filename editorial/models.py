"""The editors' desk's own records: each saved state of a post, and shared preview links."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from posts.models import Post


class Revision(models.Model):
    """A post as one save left it: who saved, when, and every field an editor can change."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True)
    data = models.JSONField(encoder=DjangoJSONEncoder)

    class Meta:
        # Tables keep the names they had in the posts app.
        db_table = "posts_revision"
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["post", "number"], name="one_revision_number_per_post")
        ]

    def __str__(self):
        return f"Revision {self.number} of {self.post}"


class PreviewLink(models.Model):
    """A signed link to a post's preview for readers without an account, until it expires or is
    revoked."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="preview_links")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "posts_previewlink"
        ordering = ["-created_at"]

    def __str__(self):
        return f"Preview of {self.post} until {self.expires_at:%Y-%m-%d %H:%M}"
