"""The editors' desk's own records: each saved state of a post, shared preview links, changes
not saved onto a post yet (autosaves, pending changes) and the steps of its review."""

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


class Draft(models.Model):
    """Changes to a post that are not on it yet: one person's autosaved form, or the pending
    changes to a live post (saved from the form or restored from a revision) that wait for
    someone to publish them. Readers never see a draft."""

    class Kind(models.TextChoices):
        AUTOSAVE = "autosave", "autosaved"
        PENDING = "pending", "pending"

    # Null for the autosave of a post not created yet (the add form).
    post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.CASCADE, related_name="drafts"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # Whose autosave this is; for pending changes, who saved them last.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # An autosave: the form as the browser would send it; pending changes: a revision's data.
    data = models.JSONField(encoder=DjangoJSONEncoder)
    # The post's version the changes were made on: an older one means someone saved since.
    base_version = models.PositiveIntegerField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["post", "user"],
                condition=models.Q(kind="autosave", post__isnull=False),
                name="one_autosave_per_post_and_user",
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(kind="autosave", post__isnull=True),
                name="one_new_post_autosave_per_user",
            ),
            models.UniqueConstraint(
                fields=["post"],
                condition=models.Q(kind="pending"),
                name="one_pending_draft_per_post",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display().capitalize()} changes to {self.post or 'a new post'}"


class ReviewStep(models.Model):
    """One step of a post's review, as the post's history shows it: who did what, when, and
    the note they left."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", "Submitted for review"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        PUBLISHED = "published", "Published"
        SCHEDULED = "scheduled", "Scheduled"
        UNPUBLISHED = "unpublished", "Unpublished"

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="review_steps")
    action = models.CharField(max_length=20, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["post", "-created_at"], name="review_steps_of_a_post")]

    def __str__(self):
        return f"{self.get_action_display()}: {self.post}"
