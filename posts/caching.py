"""What the page cache must know of the publication: the keys of what each page shows, and which
keys every change a reader could see purges (wired in PostsConfig.ready()).

Keys: "post-<id>" (its page, and every page that prints it: listings, feeds, neighbours, related
posts), "author-<id>", "tag-<id>", "section-<id>" (their pages, and every page printing their
names), "posts" (the site-wide listings: home, site feeds, topics), "archive-<y>" and
"archive-<y>-<m>", "sitemap", "search", and "schedule" (when the next scheduled post is due).

A post's listings are purged when it enters, leaves or moves in them: publishing, unpublishing,
scheduling, re-dating, a section, tag or byline change. A plain edit purges only "post-<id>",
which every page showing it carries. A scheduled post's listings are purged when it is
scheduled, and every page is kept no later than the next scheduled publication, so it appears at
its second with no job running.
"""

import functools
import math

from django.utils import timezone
from taggit.models import Tag

from pagecache import purging
from pagecache.middleware import mark
from pagecache.purging import purge
from pagecache.store import remembered

from .models import Author, Byline, Post

LISTS = "posts"
SITEMAP = "sitemap"
SEARCH = "search"
SCHEDULE = "schedule"
# What a change to any public post changes besides its own pages.
EVERY_CHANGE = {SITEMAP, SEARCH}


def post_key(pk) -> str:
    return f"post-{pk}"


def author_key(pk) -> str:
    return f"author-{pk}"


def tag_key(pk) -> str:
    return f"tag-{pk}"


def section_key(pk) -> str:
    return f"section-{pk}"


def archive_key(year, month=None) -> str:
    return f"archive-{year}" if month is None else f"archive-{year}-{month}"


def archive_keys(published_at) -> set[str]:
    """The year's and the month's archive, in the site's time zone, as the archive filters."""
    if published_at is None:
        return set()
    day = timezone.localtime(published_at)
    return {archive_key(day.year), archive_key(day.year, day.month)}


def shown(posts) -> set[str]:
    """The keys of posts as pages print them (prefetched): each post, its byline, tags, section."""
    keys = set()
    for post in posts:
        keys.add(post_key(post.pk))
        keys.update(author_key(author.pk) for author in post.authors.all())
        keys.update(tag_key(tag.pk) for tag in post.tags.all())
        if post.section_id:
            keys.add(section_key(post.section_id))
    return keys


# Serving ---------------------------------------------------------------------------------------


def next_publication() -> float:
    """When the next scheduled post is due, as a timestamp (infinity if none is)."""

    def due():
        scheduled = Post.objects.scheduled().order_by("published_at")
        moment = scheduled.values_list("published_at", flat=True).first()
        return moment.timestamp() if moment else math.inf

    return remembered("next-publication", [SCHEDULE], due, until=lambda moment: moment)


def public(response, keys):
    """A public page, cached until what it shows changes or the next scheduled post is due."""
    return mark(response, keys, valid_until=next_publication())


def public_view(view, keys):
    """`view` (one of Django's, say) answering public pages that show `keys`."""

    @functools.wraps(view)
    def cached_view(request, *args, **kwargs):
        return public(view(request, *args, **kwargs), keys)

    return cached_view


# Purging -------------------------------------------------------------------------------------


def receiver(handler):
    """A signal receiver purging what a change touched; within an import's batch, working out
    the keys of each of thousands of writes costs more than rebuilding every page once."""

    @functools.wraps(handler)
    def receive(sender, instance, **kwargs):
        if purging.batching():
            purging.purge_everything()
        else:
            handler(sender, instance, **kwargs)

    return receive


def _listed(status) -> bool:
    """Published or scheduled: on public pages now, or at its moment."""
    return status == Post.Status.PUBLISHED


def _is_listed(post_id) -> bool:
    status = Post.objects.filter(pk=post_id).values_list("status", flat=True).first()
    return _listed(status)


def footprint(post, *, published_at, section_id) -> set[str]:
    """The listings a published or scheduled post appears in, with these values."""
    keys = {LISTS, SCHEDULE, *archive_keys(published_at)}
    if section_id:
        keys.add(section_key(section_id))
    keys.update(tag_key(pk) for pk in post.tags.values_list("pk", flat=True))
    bylines = Byline.objects.filter(post=post).values_list("author", flat=True)
    keys.update(author_key(pk) for pk in bylines)
    return keys


@receiver
def remember_stored(sender, instance, raw=False, **kwargs):
    """A post's place in the listings before this save: what the save may move it from."""
    instance._listed_before = (
        Post.objects.filter(pk=instance.pk).values("status", "published_at", "section_id").first()
        if instance.pk
        else None
    )


@receiver
def post_saved(sender, instance, created, raw=False, **kwargs):
    before = getattr(instance, "_listed_before", None)
    after = {
        "status": instance.status,
        "published_at": instance.published_at,
        "section_id": instance.section_id,
    }
    if not _listed(after["status"]) and not (before and _listed(before["status"])):
        return  # a draft or a piece in review: on no public page
    keys = {post_key(instance.pk), *EVERY_CHANGE}
    if before != after:
        for state in (before, after):
            if state and _listed(state["status"]):
                keys |= footprint(
                    instance, published_at=state["published_at"], section_id=state["section_id"]
                )
        if _listed(after["status"]):
            # The posts it now stands between: their previous/next links change.
            among = Post.objects.filter(status=Post.Status.PUBLISHED)
            keys.update(post_key(other.pk) for other in among.around(instance) if other)
    purge(keys)


@receiver
def post_deleting(sender, instance, **kwargs):
    if _listed(instance.status):
        instance._footprint = footprint(
            instance, published_at=instance.published_at, section_id=instance.section_id
        )


@receiver
def post_deleted(sender, instance, **kwargs):
    """Its neighbours and related posts carry its key: they lose their link to it."""
    if hasattr(instance, "_footprint"):
        purge({post_key(instance.pk), *EVERY_CHANGE, *instance._footprint})


@receiver
def tags_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """Tags added to or removed from a post (or posts to or from a tag)."""
    if action == "pre_clear":
        cleared = Post.objects.filter(tags=instance) if reverse else instance.tags.all()
        instance._cleared = set(cleared.values_list("pk", flat=True))
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    changed = pk_set if action != "post_clear" else getattr(instance, "_cleared", set())
    if isinstance(instance, Post):
        if _listed(instance.status):
            purge({post_key(instance.pk), LISTS, *EVERY_CHANGE, *map(tag_key, changed or ())})
    elif isinstance(instance, Tag):
        purge({tag_key(instance.pk), LISTS, *EVERY_CHANGE, *map(post_key, changed or ())})


@receiver
def tagged_item_loaded(sender, instance, raw=False, **kwargs):
    """`loaddata` writes tagged items without the m2m_changed signal that tags.add() sends."""
    if raw and instance.content_type.model_class() is Post and _is_listed(instance.object_id):
        purge({post_key(instance.object_id), tag_key(instance.tag_id), LISTS, *EVERY_CHANGE})


@receiver
def byline_saved(sender, instance, raw=False, **kwargs):
    post = instance.post if Byline.post.is_cached(instance) else None
    if _listed(post.status) if post else _is_listed(instance.post_id):
        purge({post_key(instance.post_id), author_key(instance.author_id), *EVERY_CHANGE})


@receiver
def bylines_set(sender, instance, action, reverse, pk_set, **kwargs):
    """Post.set_authors(), and author.posts changes: the new byline's authors."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if isinstance(instance, Post):
        if _listed(instance.status):
            purge({post_key(instance.pk), *map(author_key, pk_set or ()), *EVERY_CHANGE})
    elif isinstance(instance, Author):
        purge({author_key(instance.pk), *map(post_key, pk_set or ()), *EVERY_CHANGE})


@receiver
def author_changed(sender, instance, **kwargs):
    purge({author_key(instance.pk), *EVERY_CHANGE})


@receiver
def tag_changed(sender, instance, **kwargs):
    purge({tag_key(instance.pk), LISTS, *EVERY_CHANGE})


@receiver
def section_changed(sender, instance, **kwargs):
    purge({section_key(instance.pk), SITEMAP})


@receiver
def image_changed(sender, instance, created=False, **kwargs):
    """Every post showing the image, as the featured image or in its text."""
    if created:
        return
    showing = Post.objects.showing(instance.pk, instance.file.name).values_list("pk", flat=True)
    purge(map(post_key, showing))
