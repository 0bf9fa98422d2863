"""Revisions of a post: a snapshot of every editable field at each save, recorded as the next
numbered revision, and restoring one (editorial/diff.py compares them; PostAdmin shows them).

A revision's `data` is plain JSON: datetimes as ISO 8601 text, foreign keys as ids, the byline as
an ordered list of author ids ([id, credited_as] for an author the post credits by another
spelling) and the tags as a sorted list of names. Restoring writes a revision back onto the post
and records the result as a new revision, so nothing is ever overwritten.
"""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.text import capfirst

from media.models import Image
from posts.markup import counted
from posts.models import Author, Byline, Post, Section, byline_entry
from search import index as search_index

from .models import Revision

# The post's own columns a revision keeps, then the two relations it keeps by value.
COLUMNS = [
    "title",
    "slug",
    "description",
    "body",
    "body_format",
    "excerpt",
    "excerpt_separator",
    "status",
    "published_at",
    "section",
    "image",
    "external_image",
    "image_alt",
    "image_caption",
]
FIELDS = [*COLUMNS, "authors", "tags"]

FOREIGN_KEYS = {"section": Section, "image": Image}
# What restoring a revision never changes.
KEPT_ON_RESTORE = ("status", "published_at")
# Fields revisions came to keep later, with the value a revision from before meant by leaving
# them out: every post was Markdown then.
ADDED_LATER = {"body_format": Post.BodyFormat.MARKDOWN}


def label(field: str) -> str:
    """A field's name as the post's form labels it."""
    if field in ("authors", "tags"):
        return capfirst(field)
    return capfirst(Post._meta.get_field(field).verbose_name)


# Taking a snapshot and recording it.


def snapshot(post, authors=None, tags=None) -> dict:
    """Every field a revision keeps, as JSON-ready values, read from the post and its rows.

    The byline and tags are read from the database, never from a prefetch cache that an admin
    save may have left stale, unless the caller that just wrote them passes them (an import:
    byline entries as Post.set_authors() takes them).
    """
    data = {}
    for name in COLUMNS:
        if name in FOREIGN_KEYS:
            data[name] = getattr(post, f"{name}_id")
        elif name == "published_at":
            data[name] = post.published_at.isoformat() if post.published_at else None
        else:
            data[name] = getattr(post, name)
    if authors is None:
        rows = Byline.objects.filter(post=post).order_by("position", "id")
    else:
        rows = post.byline_rows(authors)
    data["authors"] = [
        [row.author_id, row.credited_as] if row.credited_as else row.author_id for row in rows
    ]
    if tags is None:
        tags = post.tags.through.tags_for(type(post), post)
    names = [getattr(tag, "name", tag) for tag in tags]
    data["tags"] = sorted(names, key=lambda name: (name.casefold(), name))
    return data


def completed(data: dict) -> dict:
    """A revision's `data` with what a revision from before a field was kept meant by it."""
    return {**ADDED_LATER, **data}


def as_stored(data: dict) -> dict:
    """`data` as it reads back from the JSON column, completed, for comparing a snapshot with a
    revision."""
    return json.loads(json.dumps(completed(data), cls=DjangoJSONEncoder))


def record(post, user=None, note="") -> Revision:
    """Record the post as it stands now as its next revision (numbered the highest so far + 1)."""
    data = snapshot(post)
    created_by = user if user is not None and user.is_authenticated else None
    for attempt in range(2):
        try:
            with transaction.atomic():
                # Saves of one post queue here (a no-op on SQLite, which locks the whole file).
                list(Post.objects.select_for_update().filter(pk=post.pk).values_list("pk"))
                latest = Revision.objects.filter(post=post).aggregate(n=Max("number"))["n"]
                return Revision.objects.create(
                    post=post,
                    number=(latest or 0) + 1,
                    created_by=created_by,
                    note=note[:200],
                    data=data,
                )
        except IntegrityError:
            # Another save took the number between the read and the write: take the next one.
            if attempt:
                raise
    raise AssertionError("unreachable")


def keep_before_change(post) -> Revision | None:
    """A post without a history yet (an import made it) has its stored state recorded before
    its first change, so that what was imported can always be restored."""
    if post.pk is None or Revision.objects.filter(post_id=post.pk).exists():
        return None
    return record(Post.objects.get(pk=post.pk), note="As it was before its first recorded change")


def restore(post, revision, user) -> Revision:
    """Write `revision` back onto `post` and record the result as a new revision.

    Whatever can no longer be restored is left as it is and listed on the returned revision's
    `skipped` (labels with reasons): a deleted section, image or author, or a slug another post
    has taken since. The status and date stay as they are: publishing or withdrawing a post is
    its own step, never a side effect of restoring (a live post's restore waits aside as
    pending changes, editorial/drafts.py). If the post was changed since its latest
    revision without being recorded (an import, a bulk action), that state is recorded first,
    so restoring never loses it.
    """
    data = completed(revision.data)
    skipped = []
    with transaction.atomic():
        latest = Revision.objects.filter(post=post).order_by("-number").first()
        if latest is None or as_stored(latest.data) != as_stored(snapshot(post)):
            record(post, user, note=f"Before restoring revision {revision.number}")

        for name in COLUMNS:
            if name not in data or name in FOREIGN_KEYS or name in KEPT_ON_RESTORE:
                continue
            value = data[name]
            taken = Post.objects.filter(slug=value).exclude(pk=post.pk)
            if name == "slug" and value != post.slug and taken.exists():
                skipped.append(f"{label(name)} ({value} is now another post's)")
                continue
            setattr(post, name, value if value is not None else "")

        for name, model in FOREIGN_KEYS.items():
            if name not in data:
                continue
            pk = data[name]
            if pk is not None and not model.objects.filter(pk=pk).exists():
                skipped.append(f"{label(name)} (deleted since)")
                pk = None
            setattr(post, f"{name}_id", pk)

        post.save()

        if "authors" in data:
            entries = [byline_entry(entry) for entry in data["authors"]]
            ids = {pk for pk, _ in entries}
            existing = Author.objects.in_bulk(ids)
            if len(existing) < len(ids):
                skipped.append(counted(len(ids - existing.keys()), "deleted author"))
            with search_index.deferred():  # one reindex for the whole byline, not one a row
                post.set_authors(
                    (existing[pk], credited_as) for pk, credited_as in entries if pk in existing
                )
        if "tags" in data:
            post.tags.set(data["tags"])
            # Whatever the caller prefetched no longer describes the post.
            getattr(post, "_prefetched_objects_cache", {}).pop("tags", None)

        restored = record(post, user, note=f"Restored revision {revision.number}")
    restored.skipped = skipped
    return restored
