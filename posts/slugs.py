"""The one slug rule for tags, authors and sections: never empty, never shared."""

import itertools

from anyascii import anyascii
from django.utils.text import slugify


def readable_slug(name: str) -> str:
    """The name's own letters where a URL can keep them (CJK, Arabic, Greek), else their ASCII
    spelling (🇪🇺 → "eu", 🦀 → "crab"); empty for a name of punctuation alone."""
    # anyascii spells emoji as ":earth_africa:": words joined like any others in a slug.
    return slugify(name, allow_unicode=True) or slugify(anyascii(name).replace("_", " "))


def unique_slug(name: str, kind: str, others, max_length: int) -> str:
    """A slug for `name` that no row of `others` (a queryset of the same model) holds: the
    readable slug, else "<kind>-1", numbered "-2", "-3"… while the one before is taken."""
    readable = readable_slug(name)
    stem = readable or kind
    numbers = (f"-{number}" for number in itertools.count(2 if readable else 1))
    suffixes = itertools.chain([""] if readable else [], numbers)
    # Every candidate begins with this much of the stem (suffixes stay under ten characters).
    head = stem[: max_length - 10]
    taken = set(others.filter(slug__startswith=head).values_list("slug", flat=True))
    for suffix in suffixes:
        slug = stem[: max_length - len(suffix)] + suffix
        if slug not in taken:
            return slug


def fill_blank_slug(sender, instance, **kwargs):
    """A tag, author or section saved without a slug (taggit's for a name of emoji or
    punctuation, a fixture's, an editor's left empty) gets one by the rule above."""
    if not instance.slug:
        others = sender._default_manager.exclude(pk=instance.pk)
        max_length = sender._meta.get_field("slug").max_length
        instance.slug = unique_slug(instance.name, sender._meta.model_name, others, max_length)
