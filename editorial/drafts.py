"""Changes that are not on a post yet, so that no work is lost and nothing reaches readers early.

- An **autosave** is one person's post form as their browser last sent it (static/js/autosave.js):
  the form's fields as [name, value] pairs, with the labels of chosen options. It never touches
  the post; it is offered back when that person opens the form again, and deleted once they save.
- **Pending changes** are edits to a live post kept aside: saved from the form, or a revision
  restored onto a post readers can see. They are a revision's data (editorial/revisions.py) and
  fill the post form when it is opened; the live post changes only when someone saves the form.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from taggit.models import Tag

from posts.models import Post, byline_entry

from . import revisions
from .models import Draft

# The fields a form sends that are the form's machinery, never the post's content.
NOT_CONTENT = {"csrfmiddlewaretoken", "started_from"}
# An autosaved form larger than this is refused (a body of some 400,000 words).
AUTOSAVE_LIMIT = 2_000_000


class AutosaveError(ValueError):
    """An autosave the server cannot keep, with the reason to show the editor."""


# Autosaves


def autosave_of(user, post_id) -> Draft | None:
    return Draft.objects.filter(kind=Draft.Kind.AUTOSAVE, user=user, post_id=post_id).first()


def keep_autosave(user, post, payload) -> Draft:
    """Store `payload` ({"fields": [[name, value], ...], "labels": {name: label}}) as the user's
    autosave of `post` (None: the post being added), replacing the one before."""
    fields = payload.get("fields") if isinstance(payload, dict) else None
    labels = payload.get("labels", {}) if isinstance(payload, dict) else None
    if not isinstance(fields, list) or not isinstance(labels, dict):
        raise AutosaveError("An autosave is an object with a list of fields and their labels.")
    if not all(
        isinstance(pair, list) and len(pair) == 2 and all(isinstance(item, str) for item in pair)
        for pair in fields
    ):
        raise AutosaveError("Each autosaved field is a [name, value] pair of strings.")
    data = {
        "fields": [pair for pair in fields if pair[0] not in NOT_CONTENT],
        "labels": {str(name): str(label) for name, label in labels.items()},
    }
    with transaction.atomic():
        draft, _ = Draft.objects.update_or_create(
            kind=Draft.Kind.AUTOSAVE,
            user=user,
            post=post,
            defaults={"data": data, "base_version": post.version if post else None},
        )
    return draft


def forget_autosave(user, post_id) -> None:
    Draft.objects.filter(kind=Draft.Kind.AUTOSAVE, user=user, post_id=post_id).delete()


def autosave_for_page(draft: Draft | None) -> dict | None:
    """What the post form's script needs to offer an autosave back (json_script)."""
    if draft is None:
        return None
    return {
        **draft.data,
        "saved_at": draft.updated_at.isoformat(),
        "base_version": draft.base_version,
    }


# Pending changes


def pending_of(post) -> Draft | None:
    if post is None or post.pk is None:
        return None
    return Draft.objects.filter(kind=Draft.Kind.PENDING, post=post).select_related("user").first()


def keep_pending(post, data: dict, user, note: str) -> Draft:
    """Keep `data` (a revision's data) as the post's pending changes, replacing any before. The
    live post's status and date are kept: pending changes change what readers see only when
    published."""
    data = {**data, "status": post.status}
    data["published_at"] = post.published_at.isoformat() if post.published_at else None
    with transaction.atomic():
        draft, _ = Draft.objects.update_or_create(
            kind=Draft.Kind.PENDING,
            post=post,
            defaults={"data": data, "user": user, "base_version": post.version, "note": note[:200]},
        )
    return draft


def pending_from_form(post, form, byline_formset, user) -> Draft:
    """The post form's valid changes to a live post, kept aside: `post` is the form's instance
    (holding the new values in memory, never saved), the byline from its formset."""
    authors = byline_formset.authors()
    stored = Post.objects.get(pk=post.pk)
    data = revisions.snapshot(post, authors=authors, tags=form.cleaned_data.get("tags", []))
    data["canonical_url"] = post.canonical_url
    return keep_pending(stored, data, user, note="Saved from the post form")


def discard_pending(post) -> None:
    Draft.objects.filter(kind=Draft.Kind.PENDING, post=post).delete()


def form_initial(draft: Draft) -> dict:
    """The post form's initial values from pending changes (a revision's data)."""
    data = revisions.completed(draft.data)
    initial = {}
    for name in [*revisions.COLUMNS, "canonical_url"]:
        if name not in data:
            continue
        value = data[name]
        if name == "published_at":
            value = parse_datetime(value) if value else None
        elif value is None and name not in revisions.FOREIGN_KEYS:
            value = ""
        initial[name] = value
    # The tag widget prints tags by name, as it prints a post's own.
    initial["tags"] = [Tag(name=name) for name in data.get("tags", [])]
    return initial


def byline_initial(draft: Draft) -> list[dict]:
    """The byline inline's rows from pending changes, in order."""
    entries = [byline_entry(entry) for entry in draft.data.get("authors", [])]
    return [
        {"author": pk, "credited_as": credited_as, "position": position}
        for position, (pk, credited_as) in enumerate(entries, start=1)
    ]


def pending_notice(draft: Draft, post) -> dict:
    """What the post form says about the pending changes it shows."""
    return {
        "who": draft.user.get_full_name() or draft.user.get_username(),
        "when": timezone.localtime(draft.updated_at),
        "note": draft.note,
        "saved_since": draft.base_version is not None and draft.base_version < post.version,
    }


def restore_onto_live(post, revision, user) -> Draft:
    """A revision restored onto a live post becomes its pending changes: loaded into the form,
    published only when someone saves it."""
    data = revisions.completed(revision.data)
    data.setdefault("canonical_url", post.canonical_url)
    return keep_pending(post, data, user, note=f"Revision {revision.number}, restored")
