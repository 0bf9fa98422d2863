"""What changed between two revisions: the changed fields, a summary in a few words, and each
change shown as a word diff (text) or as the old value and the new one (everything else).

A diff is a list of (kind, text) segments: kind "" for unchanged text, else the element that
marks it ("del", "ins", "em" for a note) or "gap" for unchanged lines left out between changes.
admin/posts/post/revision_change.html turns them into HTML, escaping every piece of text.
"""

import difflib
import re

from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime

from posts.models import Author, Post, byline_entry

from .revisions import FIELDS, FOREIGN_KEYS, completed, label

# Shown as a word diff (and, for the multi-line ones, only around what changed).
TEXT_FIELDS = {"title", "description", "body", "excerpt", "image_alt", "image_caption"}
MULTILINE_FIELDS = {"body", "excerpt"}
# Lines of unchanged text kept around each change in a multi-line diff.
CONTEXT_LINES = 2
EMPTY = "—"

_WORDS = re.compile(r"\s+|\w+|[^\w\s]")
_NEWLINE = ("", "\n")
_GAP = ("gap", "…")


def changed_fields(old: dict, new: dict) -> list[str]:
    """The names of the fields that differ, in form order: cheap, for summaries."""
    old, new = completed(old), completed(new)
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
    "html": the change rendered, a word diff with <del>/<ins> for text, else the old value → the
    new one, with authors, section and image named.
    """
    old, new = completed(old), completed(new)
    names = changed_fields(old, new)
    lookups = _names_for(names, old, new)
    entries = []
    for name in names:
        before, after = old.get(name), new.get(name)
        shown = {}
        if name in TEXT_FIELDS:
            shown["segments"] = text_diff(
                before or "", after or "", multiline=name in MULTILINE_FIELDS
            )
        else:
            shown["before"] = _display(name, before, lookups)
            shown["after"] = _display(name, after, lookups)
        entries.append(
            {
                "name": name,
                "field": label(name),
                "old": before,
                "new": after,
                "html": render_to_string("admin/posts/post/revision_change.html", shown),
            }
        )
    return entries


def _names_for(names, old, new) -> dict:
    """The objects the changed relations point at, by field and id, in one query per field."""
    lookups = {}
    if "authors" in names:
        entries = [*(old.get("authors") or []), *(new.get("authors") or [])]
        lookups["authors"] = Author.objects.in_bulk({byline_entry(e)[0] for e in entries})
    for name, model in FOREIGN_KEYS.items():
        if name in names:
            ids = {pk for pk in (old.get(name), new.get(name)) if pk is not None}
            lookups[name] = model.objects.in_bulk(ids)
    return lookups


def _display(name, value, lookups) -> str:
    if value in (None, "", []):
        return EMPTY
    if name == "authors":
        return ", ".join(_credit(byline_entry(entry), lookups["authors"]) for entry in value)
    if name in FOREIGN_KEYS:
        target = lookups[name].get(value)
        return str(target) if target is not None else f"deleted {name} #{value}"
    if name == "tags":
        return ", ".join(value)
    if name in ("status", "body_format"):
        return str(dict(Post._meta.get_field(name).choices).get(value, value))
    if name == "published_at":
        moment = parse_datetime(value)
        if moment is None:
            return value
        local = timezone.localtime(moment, timezone.get_default_timezone())
        return formats.date_format(local, "DATETIME_FORMAT")
    return str(value)


def _credit(entry, known) -> str:
    """An author of a revision's byline by name, with the spelling the post credited."""
    pk, credited_as = entry
    name = known[pk].name if pk in known else f"deleted author #{pk}"
    return f"{name} as “{credited_as}”" if credited_as else name


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """`old` turned into `new`, word by word."""
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    segments = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            segments.append(("", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            segments.append(("del", "".join(a[i1:i2])))
        if j2 > j1:
            segments.append(("ins", "".join(b[j1:j2])))
    return segments


def text_diff(old: str, new: str, *, multiline: bool = False) -> list[tuple[str, str]]:
    """A readable diff of two texts.

    Single-line fields diff word by word. Multi-line ones are compared line by line and only the
    changed lines, with a little context, are shown: changed lines word by word, wholly added or
    removed lines as a whole. Gaps between the shown parts are marked with an ellipsis.
    """
    if not multiline:
        return word_diff(old, new)
    a, b = old.splitlines(), new.splitlines()
    if a == b:
        return [("em", "Only line endings changed.")]
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    parts = []
    groups = list(matcher.get_grouped_opcodes(CONTEXT_LINES))
    for index, group in enumerate(groups):
        if index == 0 and group[0][1] > 0:
            parts.append([_GAP])
        lines = []
        for op, i1, i2, j1, j2 in group:
            if op == "equal":
                lines += [[("", line)] for line in a[i1:i2]]
            elif op == "delete":
                lines += [[("del", line)] for line in a[i1:i2]]
            elif op == "insert":
                lines += [[("ins", line)] for line in b[j1:j2]]
            else:
                lines.append(word_diff("\n".join(a[i1:i2]), "\n".join(b[j1:j2])))
        parts += lines
        if group[-1][2] < len(a):
            parts.append([_GAP])
    segments = []
    for index, part in enumerate(parts):
        if index:
            segments.append(_NEWLINE)
        segments += part
    return segments
