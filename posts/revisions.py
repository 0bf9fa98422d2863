"""Revisions of a post: a snapshot of every editable field at each admin save, and the admin pages
that list them, compare any two and restore one.

A revision's `data` is plain JSON: datetimes as ISO 8601 text, foreign keys as ids, the byline as
an ordered list of author ids and the tags as a sorted list of names. Restoring writes a revision
back onto the post and records the result as a new revision, so nothing is ever overwritten.
"""

import difflib
import json
import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.views.decorators.http import require_POST

from . import roles, search
from .models import Author, Byline, Image, Post, Revision, Section

# The post's own columns a revision keeps, then the two relations it keeps by value.
COLUMNS = [
    "title",
    "slug",
    "description",
    "body",
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

# Shown as a word diff (and, for the multi-line ones, only around what changed).
TEXT_FIELDS = {"title", "description", "body", "excerpt", "image_alt", "image_caption"}
MULTILINE_FIELDS = {"body", "excerpt"}
FOREIGN_KEYS = {"section": Section, "image": Image}
# Lines of unchanged text kept around each change in a multi-line diff.
CONTEXT_LINES = 2
EMPTY = "—"

_WORDS = re.compile(r"\s+|\w+|[^\w\s]")


def label(field: str) -> str:
    """A field's name as the post's form labels it."""
    if field in ("authors", "tags"):
        return capfirst(field)
    return capfirst(Post._meta.get_field(field).verbose_name)


# Taking a snapshot and recording it.


def snapshot(post, authors=None, tags=None) -> dict:
    """Every field a revision keeps, as JSON-ready values, read from the post and its rows.

    The byline and tags are read from the database, never from a prefetch cache that an admin
    save may have left stale, unless the caller that just wrote them passes them (an import).
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
        authors = [
            byline.author_id
            for byline in Byline.objects.filter(post=post).order_by("position", "id")
        ]
    data["authors"] = [getattr(author, "pk", author) for author in authors]
    if tags is None:
        tags = post.tags.through.tags_for(type(post), post)
    names = [getattr(tag, "name", tag) for tag in tags]
    data["tags"] = sorted(names, key=lambda name: (name.casefold(), name))
    return data


def _as_stored(data: dict) -> dict:
    """`data` as it reads back from the JSON column, for comparing a snapshot with a revision."""
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


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
    `skipped` (labels with reasons): a deleted section, image or author, a slug another post has
    taken since, or a status the user may not set. If the post was changed since its latest
    revision without being recorded (an import, a bulk action), that state is recorded first,
    so restoring never loses it.
    """
    data = revision.data
    skipped = []
    allowed_statuses = roles.allowed_statuses(user, post) if user is not None else None
    with transaction.atomic():
        latest = Revision.objects.filter(post=post).order_by("-number").first()
        if latest is None or _as_stored(latest.data) != _as_stored(snapshot(post)):
            record(post, user, note=f"Before restoring revision {revision.number}")

        for name in COLUMNS:
            if name not in data or name in FOREIGN_KEYS or name in ("published_at", "status"):
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

        if "status" in data:
            status = data["status"]
            published_at = (
                parse_datetime(data["published_at"]) if data.get("published_at") else None
            )
            moves = status != post.status or published_at != post.published_at
            if moves and allowed_statuses is not None and status not in allowed_statuses:
                skipped.append(f"{label('status')} and {label('published_at').lower()}")
            else:
                post.status, post.published_at = status, published_at
        post.save()

        if "authors" in data:
            ids = data["authors"]
            existing = set(Author.objects.filter(pk__in=ids).values_list("pk", flat=True))
            if len(existing) < len(set(ids)):
                skipped.append(f"{len(set(ids) - existing)} deleted author(s)")
            Byline.objects.filter(post=post).delete()
            kept = [pk for pk in dict.fromkeys(ids) if pk in existing]
            Byline.objects.bulk_create(
                Byline(post=post, author_id=pk, position=index) for index, pk in enumerate(kept)
            )
            # Bulk-created rows are reported by no signal: the search index is told here.
            search.reindex([post.pk])
        if "tags" in data:
            post.tags.set(data["tags"])
        # Whatever the caller prefetched no longer describes the post.
        getattr(post, "_prefetched_objects_cache", {}).pop("authors", None)
        getattr(post, "_prefetched_objects_cache", {}).pop("tags", None)

        restored = record(post, user, note=f"Restored revision {revision.number}")
    restored.skipped = skipped
    return restored


# Comparing two snapshots.


def changed_fields(old: dict, new: dict) -> list[str]:
    """The names of the fields that differ, in form order: cheap, for summaries."""
    return [name for name in FIELDS if old.get(name) != new.get(name)]


def summary(old: dict | None, new: dict) -> str:
    """What a revision changed from the one before, in a few words."""
    if old is None:
        return "First revision"
    names = changed_fields(old, new)
    if not names:
        return "No changes"
    return "Changed " + ", ".join(label(name).lower() for name in names)


def changes(old: dict, new: dict) -> list[dict]:
    """One entry per changed field, in form order.

    Each entry: "name" (the field), "field" (its label), "old" and "new" (the stored values) and
    "html": a safe HTML rendering of the change, a word diff with <del>/<ins> for text, else the
    old value → the new one, with authors, section and image named.
    """
    names = changed_fields(old, new)
    lookups = _names_for(names, old, new)
    entries = []
    for name in names:
        before, after = old.get(name), new.get(name)
        if name in TEXT_FIELDS:
            html = text_diff(before or "", after or "", multiline=name in MULTILINE_FIELDS)
        else:
            html = format_html(
                '<del>{}</del> <span class="revision-arrow">→</span> <ins>{}</ins>',
                _display(name, before, lookups),
                _display(name, after, lookups),
            )
        entries.append(
            {"name": name, "field": label(name), "old": before, "new": after, "html": html}
        )
    return entries


def _names_for(names, old, new) -> dict:
    """The objects the changed relations point at, by field and id, in one query per field."""
    lookups = {}
    if "authors" in names:
        ids = {*(old.get("authors") or []), *(new.get("authors") or [])}
        lookups["authors"] = Author.objects.in_bulk(ids)
    for name, model in FOREIGN_KEYS.items():
        if name in names:
            ids = {pk for pk in (old.get(name), new.get(name)) if pk is not None}
            lookups[name] = model.objects.in_bulk(ids)
    return lookups


def _display(name, value, lookups) -> str:
    if value in (None, "", []):
        return EMPTY
    if name == "authors":
        known = lookups["authors"]
        return ", ".join(known[pk].name if pk in known else f"deleted author #{pk}" for pk in value)
    if name in FOREIGN_KEYS:
        target = lookups[name].get(value)
        return str(target) if target is not None else f"deleted {name} #{value}"
    if name == "tags":
        return ", ".join(value)
    if name == "status":
        return str(dict(Post.Status.choices).get(value, value))
    if name == "published_at":
        moment = parse_datetime(value)
        if moment is None:
            return value
        local = timezone.localtime(moment, timezone.get_default_timezone())
        return formats.date_format(local, "DATETIME_FORMAT")
    return str(value)


def _words(text: str) -> list[str]:
    return _WORDS.findall(text)


def word_diff(old: str, new: str) -> str:
    """`old` turned into `new`, word by word: escaped text with <del> and <ins>."""
    a, b = _words(old), _words(new)
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(escape("".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(f"<del>{escape(''.join(a[i1:i2]))}</del>")
        if j2 > j1:
            out.append(f"<ins>{escape(''.join(b[j1:j2]))}</ins>")
    return "".join(out)


def text_diff(old: str, new: str, *, multiline: bool = False) -> str:
    """A readable diff of two texts, safe HTML.

    Single-line fields diff word by word. Multi-line ones are compared line by line and only the
    changed lines, with a little context, are shown: changed lines word by word, wholly added or
    removed lines as a whole. Gaps between the shown parts are marked with an ellipsis.
    """
    if not multiline:
        return mark_safe(f'<div class="revision-diff">{word_diff(old, new)}</div>')
    a, b = old.splitlines(), new.splitlines()
    if a == b:
        return mark_safe('<div class="revision-diff"><em>Only line endings changed.</em></div>')
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    hunks = []
    for group in matcher.get_grouped_opcodes(CONTEXT_LINES):
        lines = []
        for op, i1, i2, j1, j2 in group:
            if op == "equal":
                lines += [escape(line) for line in a[i1:i2]]
            elif op == "delete":
                lines += [f"<del>{escape(line)}</del>" for line in a[i1:i2]]
            elif op == "insert":
                lines += [f"<ins>{escape(line)}</ins>" for line in b[j1:j2]]
            else:
                lines.append(word_diff("\n".join(a[i1:i2]), "\n".join(b[j1:j2])))
        first, last = group[0], group[-1]
        hunks.append((first[1] > 0, "\n".join(lines), last[2] < len(a)))
    parts = []
    for index, (gap_before, text, gap_after) in enumerate(hunks):
        if gap_before and index == 0:
            parts.append('<span class="revision-gap">…</span>')
        parts.append(text)
        if gap_after:
            parts.append('<span class="revision-gap">…</span>')
    return mark_safe('<div class="revision-diff">' + "\n".join(parts) + "</div>")


# The admin pages.


def admin_urls(model_admin) -> list:
    """The revision pages, for PostAdmin.get_urls(): history, compare and restore."""
    site = model_admin.admin_site
    prefix = f"{model_admin.opts.app_label}_{model_admin.opts.model_name}"

    def context(request, post, title, **extra):
        return {
            **site.each_context(request),
            "opts": model_admin.opts,
            "post": post,
            "title": title,
            "subtitle": None,
            "time_zone": timezone.get_default_timezone(),
            "can_restore": model_admin.has_change_permission(request, post),
            "history_url": reverse(
                f"{site.name}:{prefix}_revisions", args=[post.pk], current_app=site.name
            ),
            **extra,
        }

    def viewable_post(request, post_id):
        if not (
            model_admin.has_view_permission(request) or model_admin.has_change_permission(request)
        ):
            raise PermissionDenied
        post = get_object_or_404(model_admin.get_queryset(request), pk=post_id)
        if not (
            model_admin.has_view_permission(request, post)
            or model_admin.has_change_permission(request, post)
        ):
            raise PermissionDenied
        return post

    def history(request, post_id):
        post = viewable_post(request, post_id)
        revisions = list(post.revisions.select_related("created_by").order_by("-number"))
        current = _as_stored(snapshot(post))
        rows = []
        for index, revision in enumerate(revisions):
            previous = revisions[index + 1] if index + 1 < len(revisions) else None
            rows.append(
                {
                    "revision": revision,
                    "summary": summary(previous.data if previous else None, revision.data),
                    "is_current": index == 0 and _as_stored(revision.data) == current,
                }
            )
        request.current_app = site.name
        return TemplateResponse(
            request,
            "admin/posts/post/revisions.html",
            context(
                request,
                post,
                f"Revisions of “{post}”",
                rows=rows,
                default_from=revisions[1].number if len(revisions) > 1 else None,
                default_to=revisions[0].number if revisions else None,
            ),
        )

    def compare(request, post_id):
        post = viewable_post(request, post_id)
        revisions = list(post.revisions.select_related("created_by").order_by("-number"))
        by_number = {revision.number: revision for revision in revisions}
        if not revisions:
            raise Http404("This post has no revisions yet.")

        def chosen(key, default):
            value = request.GET.get(key, "")
            if not value:
                return default
            try:
                return by_number[int(value)]
            except (ValueError, KeyError):
                raise Http404(f"No revision {value} of this post.") from None

        new = chosen("to", revisions[0])
        old = chosen("from", revisions[1] if len(revisions) > 1 else revisions[0])
        request.current_app = site.name
        return TemplateResponse(
            request,
            "admin/posts/post/revision_compare.html",
            context(
                request,
                post,
                f"Revision {old.number} → revision {new.number} of “{post}”",
                old=old,
                new=new,
                revisions=revisions,
                entries=changes(old.data, new.data),
            ),
        )

    @require_POST
    def restore_view(request, post_id, number):
        post = get_object_or_404(model_admin.get_queryset(request), pk=post_id)
        if not model_admin.has_change_permission(request, post):
            raise PermissionDenied
        revision = get_object_or_404(post.revisions, number=number)
        restored = restore(post, revision, request.user)
        model_admin.message_user(
            request,
            f"Restored revision {revision.number}; the post is now revision {restored.number}.",
            messages.SUCCESS,
        )
        if restored.skipped:
            model_admin.message_user(
                request,
                "Kept as they were: " + "; ".join(restored.skipped) + ".",
                messages.WARNING,
            )
        return HttpResponseRedirect(
            reverse(f"{site.name}:{prefix}_change", args=[post.pk], current_app=site.name)
        )

    return [
        path(
            "<int:post_id>/revisions/",
            site.admin_view(history),
            name=f"{prefix}_revisions",
        ),
        path(
            "<int:post_id>/revisions/compare/",
            site.admin_view(compare),
            name=f"{prefix}_revision_compare",
        ),
        path(
            "<int:post_id>/revisions/<int:number>/restore/",
            site.admin_view(restore_view),
            name=f"{prefix}_revision_restore",
        ),
    ]
