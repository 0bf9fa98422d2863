"""The admin's home page for the desk: what each person who may view posts has to do next.

`desk(user)` gives the panels templates/admin/index.html shows above the admin's sections, each
counted and cut to a few items, in the same number of queries however many posts there are; a
user who may not view posts gets None, and with it the admin's stock index. Every panel lists
only what roles.visible() lets the user see.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from media.models import Image
from posts.models import Post

from . import checks, roles
from .models import ReviewStep

PANEL_ITEMS = 5
QUEUE_ITEMS = 10  # the review queue is the desk's main work
CHECKED_POSTS = 30  # content checks read each body: only the posts updated last are checked

# What no panel prints: the texts only the post's own page shows.
_UNPRINTED = ["body", "body_html", "excerpt", "excerpt_html", "front_matter", "toc"]


@dataclass
class Entry:
    """One line of a panel: a post (or an image), the date that matters there and its label."""

    url: str
    when: datetime
    when_label: str  # what happened then, and who did it where it matters
    post: Post | None = None
    image: Image | None = None
    note: str = ""
    problem: str = ""  # the first content check a post fails
    problems: int = 0

    @property
    def byline(self) -> str:
        """The post's authors as it credits them (from the prefetched bylines)."""
        if self.post is None:
            return ""
        return ", ".join(author.credited_name for author in self.post.authors.all())


@dataclass
class Panel:
    slug: str
    title: str
    count: int
    entries: list[Entry]
    all_url: str = ""
    all_label: str = ""
    help: str = ""
    empty: str = "Nothing here."
    kind: str = "post"  # which item template shows the entries


def desk(user) -> dict | None:
    """The desk's panels and actions for `user`, or None if they may not view posts."""
    if not user.has_perm("posts.view_post"):
        return None
    posts = roles.visible(user, Post.objects.all())
    now = timezone.now().replace(microsecond=0)
    panels = [
        _my_drafts(user, posts),
        _review_queue(posts),
        _scheduled(posts, now),
        _published(posts, now),
    ]
    if user.has_perm("media.change_image"):
        panels.append(_images_missing_alt(user))
    panels.append(_failing_checks(user, posts))
    return {"panels": panels, "actions": _actions(user)}


def _display_name(user) -> str:
    if user is None:
        return "a former user"
    return user.get_full_name() or user.get_username()


def _changelist(**filters) -> str:
    return f"{reverse('admin:posts_post_changelist')}?{urlencode(filters)}"


def _first(queryset, size):
    """The count of `queryset` and its first `size` rows with their bylines."""
    return queryset.count(), list(queryset.defer(*_UNPRINTED).prefetch_related("authors")[:size])


def _my_drafts(user, posts) -> Panel:
    mine = posts.filter(roles._own_posts(user), status=Post.Status.DRAFT).order_by(
        "-updated_at", "-pk"
    )
    count, found = _first(mine, PANEL_ITEMS)
    return Panel(
        "drafts",
        "My drafts",
        count,
        [Entry(post.get_admin_url(), post.updated_at, "Updated", post=post) for post in found],
        all_url=_changelist(status__exact=Post.Status.DRAFT),
        all_label="All drafts",
        empty="Nothing here: no draft of yours is waiting.",
    )


def _review_queue(posts) -> Panel:
    """Posts in review, the one waiting longest first: by their latest submission, else by
    their last update."""
    submissions = ReviewStep.objects.filter(action=ReviewStep.Action.SUBMITTED)
    latest = submissions.filter(post=OuterRef("pk")).order_by("-created_at", "-id")
    queue = (
        posts.filter(status=Post.Status.REVIEW)
        .annotate(waiting_since=Coalesce(Subquery(latest.values("created_at")[:1]), "updated_at"))
        .select_related("created_by")
        .prefetch_related(
            Prefetch("review_steps", submissions.select_related("actor"), to_attr="submissions")
        )
        .order_by("waiting_since", "pk")
    )
    count, found = _first(queue, QUEUE_ITEMS)
    return Panel(
        "review",
        "In review",
        count,
        [_queued(post) for post in found],
        all_url=_changelist(status__exact=Post.Status.REVIEW),
        all_label="All posts in review",
        help="Waiting longest first.",
        empty="Nothing here: no post waits for review.",
    )


def _queued(post) -> Entry:
    url = post.get_admin_url()
    if post.submissions:  # newest first (ReviewStep's ordering)
        step = post.submissions[0]
        return Entry(
            url,
            step.created_at,
            f"Submitted by {_display_name(step.actor)},",
            post=post,
            note=step.note,
        )
    # Set to review without the submit button (an import, an older version of the desk).
    started = f"Started by {_display_name(post.created_by)}, updated" if post.created_by_id else ""
    return Entry(url, post.updated_at, started or "Updated", post=post)


def _scheduled(posts, now) -> Panel:
    due = posts.scheduled().order_by("published_at", "pk")
    count, found = _first(due, PANEL_ITEMS)
    return Panel(
        "scheduled",
        "Scheduled next",
        count,
        [Entry(post.get_admin_url(), post.published_at, "Publishes", post=post) for post in found],
        all_url=_changelist(status__exact=Post.Status.PUBLISHED, published_at__gt=now.isoformat()),
        all_label="All scheduled posts",
        help="Soonest first.",
        empty="Nothing here: no post is scheduled.",
    )


def _published(posts, now) -> Panel:
    public = posts.published().order_by("-published_at", "-pk")
    count, found = _first(public, PANEL_ITEMS)
    return Panel(
        "published",
        "Recently published",
        count,
        [Entry(post.get_admin_url(), post.published_at, "Published", post=post) for post in found],
        all_url=_changelist(status__exact=Post.Status.PUBLISHED, published_at__lte=now.isoformat()),
        all_label="All published posts",
        empty="Nothing here: no post is published yet.",
    )


def _images_missing_alt(user) -> Panel:
    """Library images without alt text that this user may write it for (roles.can_change_image)."""
    images = Image.objects.filter(alt_text="").order_by("-uploaded_at", "-pk")
    if not user.has_perm("posts.edit_others_posts"):
        images = images.filter(uploaded_by=user)
    count = images.count()
    entries = [
        Entry(
            reverse("admin:media_image_change", args=[image.pk]),
            image.uploaded_at,
            "Uploaded",
            image=image,
        )
        for image in images[:PANEL_ITEMS]
    ]
    return Panel(
        "images",
        "Images missing alt text",
        count,
        entries,
        all_url=f"{reverse('admin:media_image_changelist')}?{urlencode({'alt': 'missing'})}",
        all_label="All images missing alt text",
        help="Readers who cannot see an image get only its alt text.",
        empty="Nothing here: every image has alt text.",
        kind="image",
    )


def _failing_checks(user, posts) -> Panel:
    """The unpublished posts (drafts, in review, scheduled) updated last that fail a content
    check, with the first thing to fix and how many there are."""
    # The checks read the body and the featured image, nothing else of the post.
    checked = list(
        posts.unpublished()
        .defer("front_matter", "toc")
        .select_related("image")
        .prefetch_related("authors")
        .order_by("-updated_at", "-pk")[:CHECKED_POSTS]
    )
    failing = []
    for post, found in zip(checked, checks.checks_of(checked, user), strict=True):
        if found:
            failing.append(
                Entry(
                    post.get_admin_url(),
                    post.updated_at,
                    "Updated",
                    post=post,
                    problem=found[0],
                    problems=len(found),
                )
            )
    return Panel(
        "checks",
        "Posts failing content checks",
        len(failing),
        failing[:PANEL_ITEMS],
        help=f"Of the {len(checked)} unpublished posts updated last; each post's form lists "
        "everything to fix.",
        empty="Nothing here: every unpublished post passes its checks.",
    )


def _actions(user) -> list[tuple[str, str]]:
    """The desk's shortcuts the user may follow: (label, URL)."""
    actions = []
    if user.has_perm("posts.add_post"):
        actions.append(("Write a post", reverse("admin:posts_post_add")))
    actions += [
        ("Calendar", reverse("admin:posts_post_calendar")),
        ("All posts", reverse("admin:posts_post_changelist")),
    ]
    if user.has_perm("media.view_image"):
        actions.append(("Media library", reverse("admin:media_image_changelist")))
    return actions
