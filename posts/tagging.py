"""Tags as editors type them and as readers find them: names split on commas only (a
multi-word name stays whole), and a merged or renamed tag's old URLs kept answering.

`parse_tags` and `format_tags` are taggit's TAGGIT_TAGS_FROM_STRING and
TAGGIT_STRING_FROM_TAGS (cms/settings.py): every tag field and `parse_tags` call reads this way.
"""

import csv

from django.apps import apps as global_apps
from django.db import transaction
from django.db.models.signals import m2m_changed
from django.http import Http404, HttpResponsePermanentRedirect
from django.urls import reverse

from .models import Post, TagRedirect


def parse_tags(text: str) -> list[str]:
    """The tag names in `text`, split on commas (never on spaces), sorted; a name in double
    quotes may hold a comma. Names differing only in case are one tag: the first spelling."""
    if not text:
        return []
    # csv reads quoted names so (a stray quote is kept); a pasted line break is a space to it.
    row = next(csv.reader([" ".join(text.splitlines())], skipinitialspace=True), [])
    names = {}
    for name in row:
        name = " ".join(name.split())
        if name:
            names.setdefault(name.casefold(), name)
    return sorted(names.values())


def format_tags(tags) -> str:
    """The names of `tags`, comma-separated, as `parse_tags` reads them back: only a name with a
    comma (or opening with a quote) is quoted."""
    return ", ".join(sorted(_quoted(tag.name) for tag in tags))


def _quoted(name: str) -> str:
    if "," in name or name.startswith('"'):
        return '"' + name.replace('"', '""') + '"'
    return name


def record_old_slug(tag, old_slug: str, apps=global_apps):
    """A tag that leaves `old_slug` keeps it answering: its URLs redirect to the tag's."""
    redirects = apps.get_model("posts", "TagRedirect").objects
    # The tag answers at its own slug again: an old redirect there would only shadow it.
    redirects.filter(old_slug=tag.slug).delete()
    redirects.update_or_create(old_slug=old_slug, defaults={"tag": tag})


def merge_tags(target, merged, apps=global_apps) -> list[int]:
    """Every item tagged with one of `merged` is tagged with `target` instead (once), their
    redirects and slugs lead to `target`, and they are deleted; in one transaction. The ids of
    the posts that gained `target` are returned.

    With `apps` a migration's registry, no signal reaches anyone; with the project's, each post
    that gained the tag is told of it as `post.tags.add()` would tell it (page cache, search).
    """
    Tag = apps.get_model("taggit", "Tag")
    TaggedItem = apps.get_model("taggit", "TaggedItem")
    redirects = apps.get_model("posts", "TagRedirect").objects
    ContentType = apps.get_model("contenttypes", "ContentType")
    merged = [tag for tag in merged if tag.pk != target.pk]
    post_type = ContentType.objects.filter(app_label="posts", model="post").first()
    with transaction.atomic():
        tagged = set(TaggedItem.objects.filter(tag=target).values_list("content_type", "object_id"))
        moving, moved = [], []
        items = TaggedItem.objects.filter(tag__in=merged).order_by("pk")
        for pk, content_type, object_id in items.values_list("pk", "content_type", "object_id"):
            # An item already tagged with the target keeps that one; deleting its tag drops this.
            if (content_type, object_id) not in tagged:
                tagged.add((content_type, object_id))
                moving.append(pk)
                if post_type and content_type == post_type.pk:
                    moved.append(object_id)
        TaggedItem.objects.filter(pk__in=moving).update(tag=target)
        redirects.filter(tag__in=merged).update(tag=target)
        slugs = [tag.slug for tag in merged]
        redirects.filter(old_slug__in=[target.slug, *slugs]).delete()
        redirects.bulk_create(redirects.model(old_slug=slug, tag=target) for slug in slugs)
        Tag.objects.filter(pk__in=[tag.pk for tag in merged]).delete()
        if apps is global_apps:
            tell_posts_of_tag(target, moved)
    return sorted(moved)


def tell_posts_of_tag(tag, post_ids):
    """m2m_changed for each post, as `post.tags.add(tag)` sends it, in one query for them all."""
    for post in Post.objects.filter(pk__in=post_ids).only("status"):
        m2m_changed.send(
            sender=Post.tags.through,
            instance=post,
            action="post_add",
            reverse=False,
            model=type(tag),
            pk_set={tag.pk},
            using=post._state.db,
        )


def moved_tag(slug: str, view_name: str, query: str = "") -> HttpResponsePermanentRedirect:
    """The old URL of a merged or renamed tag, sent on (with its `query`, a page number say) to
    the tag's page or feed; a 404 for a slug no tag has had."""
    found = TagRedirect.objects.filter(old_slug=slug).select_related("tag").first()
    if found is None:
        raise Http404("No tag has this slug.")
    url = reverse(view_name, kwargs={"slug": found.tag.slug})
    return HttpResponsePermanentRedirect(f"{url}?{query}" if query else url)
