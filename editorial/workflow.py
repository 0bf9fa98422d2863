"""A post's review as a newsroom runs it: a writer submits it, an editor publishes it, schedules
it or asks for changes, each with a note.

The post form's review buttons decide here, on the server, the status a save gives the post,
whatever the form offered. Every save that moves a post from one state to another (a button, the
status drop-down or the change list's actions) records the matching ReviewStep, and once the save
commits the people concerned are e-mailed (editorial/notifications.py).
"""

from django import forms
from django.conf import settings
from django.utils import timezone

from posts.models import Post

from . import notifications, roles
from .forms import PostForm
from .models import ReviewStep
from .notifications import when

Action = ReviewStep.Action
Status = Post.Status

# What a post is to its readers and editors: a published post is live or scheduled.
DRAFT, REVIEW, SCHEDULED, LIVE = "draft", "review", "scheduled", "live"

# The review buttons, by the name each submits: the status each gives the post. The most
# privileged come first, so that a POST naming several is judged by the one that needs most.
REQUEST_CHANGES, SCHEDULE, PUBLISH, SUBMIT, SAVE_DRAFT = (
    "_request_changes",
    "_schedule",
    "_publish",
    "_submit",
    "_save_draft",
)
STATUS_OF = {
    REQUEST_CHANGES: Status.DRAFT,
    SCHEDULE: Status.PUBLISHED,
    PUBLISH: Status.PUBLISHED,
    SUBMIT: Status.REVIEW,
    SAVE_DRAFT: Status.DRAFT,
}
PUBLISHING_BUTTONS = {REQUEST_CHANGES, SCHEDULE, PUBLISH}
# Django's own "Save" keeps the status the form gives.
SAVE = "_save"
# On a live post: the changes are kept aside (editorial/drafts.py), readers keep the live version.
KEEP_PENDING = "_pending"


def stage(post) -> tuple[str, object]:
    """The post's state and its publication date, as a save found or left it."""
    if post.status == Status.PUBLISHED:
        return (SCHEDULED if post.is_scheduled else LIVE), post.published_at
    return post.status, post.published_at


def step_for(before, post, *, changes_requested) -> str | None:
    """The review step a save from `before` (a stage()) to the post as saved amounts to, if any.

    A post sent back from review to draft is a request for changes only when the caller says so:
    a writer taking back their own post asks nobody for anything.
    """
    was, date_before = before
    now, date_now = stage(post)
    if now == was:
        return Action.SCHEDULED if now == SCHEDULED and date_now != date_before else None
    if now == LIVE:
        return Action.PUBLISHED
    if now == SCHEDULED:
        return Action.SCHEDULED
    if was in (LIVE, SCHEDULED):
        return Action.UNPUBLISHED
    if now == REVIEW:
        return Action.SUBMITTED
    return Action.CHANGES_REQUESTED if changes_requested else None


def record_change(request, post, before, *, note="", changes_requested=False):
    """Record the step the save of `post` from `before` made, if any, and e-mail the people it
    concerns once the save commits; gives the step or None."""
    action = step_for(before, post, changes_requested=changes_requested)
    if action is None:
        return None
    step = ReviewStep.objects.create(post=post, action=action, actor=request.user, note=note)
    notifications.send_on_commit(request, step)
    return step


def may_publish(user, post) -> bool:
    # An unsaved post becomes its writer's own (the admin sets created_by when adding).
    return roles.can_publish(user, post) if post.pk else user.has_perm("posts.publish_post")


def buttons(user, post) -> list[tuple[str, str]]:
    """The review buttons (name, label) the post form offers this user for this post."""
    post = post or Post()
    if not may_publish(user, post):
        offered = [(SAVE_DRAFT, "Save draft"), (SUBMIT, "Submit for review")]
    else:
        offered = [(SAVE, "Save"), (PUBLISH, "Publish"), (SCHEDULE, "Schedule")]
        if post.pk and post.status == Status.REVIEW:
            offered.append((REQUEST_CHANGES, "Request changes"))
    if is_live(post):
        offered.append((KEEP_PENDING, "Save as pending changes"))
    return offered


def is_live(post) -> bool:
    """Readers can see the post, or will when its date comes: changes to it may wait aside."""
    return post.pk is not None and post.status == Status.PUBLISHED


def pressed(data) -> str | None:
    """The review button a POST names (the most privileged if several), or None."""
    return next((name for name in STATUS_OF if name in data), None)


def button_errors(user, post, button, cleaned) -> dict[str | None, str]:
    """Why this button may not do its work on the post as stored, field by field (None: the
    form as a whole)."""
    if button in PUBLISHING_BUTTONS and not may_publish(user, post):
        return {
            None: "You may not publish, schedule or send back this post, so nothing was saved: "
            "“Submit for review” asks an editor to."
        }
    errors = {}
    if button == SCHEDULE and "published_at" in cleaned:
        when = cleaned["published_at"]
        if when is None or when <= timezone.now():
            errors["published_at"] = (
                "To schedule the post, give a date and time in the future "
                f"(in the site's time zone, {settings.TIME_ZONE})."
            )
    if button == REQUEST_CHANGES:
        if post.status != Status.REVIEW:
            errors[None] = "Only a post in review can be sent back for changes."
        if not cleaned.get("review_note", "").strip():
            errors["review_note"] = "Say what needs changing: the note is what the writer receives."
    return errors


class ReviewPostForm(PostForm):
    """The post form with the review's note, where the button pressed sets the status."""

    review_note = forms.CharField(
        label="Note for the review",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "aria-describedby": "review_note_help"}),
        help_text="Sent with “Submit for review”, “Publish”, “Schedule” or “Request changes”, "
        "and kept in the post's review history.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.stage_before = stage(self.instance)
        self.button = pressed(self.data)
        self.keeps_pending = KEEP_PENDING in self.data and is_live(self.instance)

    def clean(self):
        cleaned = self.cleaned_data
        if self.button and not self.keeps_pending:
            errors = button_errors(self.user, self.instance, self.button, cleaned)
            for field, message in errors.items():
                self.add_error(field, message)
            if not errors and "status" in cleaned:
                cleaned["status"] = STATUS_OF[self.button]
        return super().clean()

    def record_change(self, request, post):
        """Record the review step this save made (see record_change())."""
        asked_for_changes = self.button == REQUEST_CHANGES or (
            self.button is None and not roles.is_own(request.user, post)
        )
        return record_change(
            request,
            post,
            self.stage_before,
            note=self.cleaned_data.get("review_note", "").strip(),
            changes_requested=asked_for_changes,
        )


def history(post):
    """The post's review steps, newest first, with who took each."""
    if post is None or post.pk is None:
        return []
    return list(post.review_steps.select_related("actor"))


STEP_OUTCOMES = {
    Action.SUBMITTED: "Submitted {title} for review.",
    Action.CHANGES_REQUESTED: "Asked for changes to {title}.",
    Action.PUBLISHED: "Published {title}.",
    Action.SCHEDULED: "Scheduled {title} for {when}.",
    Action.UNPUBLISHED: "Unpublished {title}: it is {status} now.",
}
SAVE_OUTCOMES = {
    DRAFT: "Saved {title} as a draft.",
    REVIEW: "Saved {title}; it is in review.",
    SCHEDULED: "Saved {title}, scheduled for {when}.",
    LIVE: "Saved {title}; it is published.",
}


def outcome(post, step) -> str:
    """What a save did to the post, in the words of the message the editor is shown."""
    state, published_at = stage(post)
    template = STEP_OUTCOMES[step.action] if step else SAVE_OUTCOMES[state]
    return template.format(
        title=f"“{post}”",
        when=when(published_at) if published_at else "",
        status=post.get_status_display().lower() if post.status != Status.DRAFT else "a draft",
    )
