"""Keeping the search index (FTS5 on SQLite, documents on PostgreSQL) in step with posts,
bylines, authors and tags: every change a signal reports reindexes the posts it touches.
`SearchConfig.ready()` connects them."""

from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from taggit.models import Tag

from posts.models import Author, Byline, Post

from .index import reindex


def _post_saved(sender, instance, using, **kwargs):
    reindex([instance.pk], using)


def _byline_changed(sender, instance, using, **kwargs):
    reindex([instance.post_id], using)


def _tagged_item_loaded(sender, instance, using, raw=False, **kwargs):
    """`loaddata` writes tagged items without the m2m_changed signal that tags.add() sends."""
    if raw:
        content_type = ContentType.objects.db_manager(using).get_for_id(instance.content_type_id)
        if content_type.model_class() is Post:
            reindex([instance.object_id], using)


def _relation_changed(sender, instance, action, reverse, pk_set, using, **kwargs):
    """Post.tags.add/remove/set/clear, and Post.authors (or author.posts) likewise."""
    if not isinstance(instance, Post | Author):
        return  # another model's tags
    if action == "pre_clear" and reverse:
        instance._search_post_ids = list(
            Byline.objects.using(using).filter(author=instance).values_list("post_id", flat=True)
        )
    elif action in ("post_add", "post_remove", "post_clear"):
        if not reverse:
            reindex([instance.pk], using)
        elif action == "post_clear":
            reindex(getattr(instance, "_search_post_ids", []), using)
        else:
            reindex(pk_set or [], using)


def _remember_name(sender, instance, using, **kwargs):
    """An author's or tag's stored name, before a save that may rename it."""
    if instance.pk is None:
        instance._search_old_name = None
        return
    stored = sender._default_manager.using(using).filter(pk=instance.pk)
    instance._search_old_name = stored.values_list("name", flat=True).first()


def _author_saved(sender, instance, using, **kwargs):
    old = getattr(instance, "_search_old_name", None)
    if old is not None and old != instance.name:
        posts = (
            Byline.objects.using(using).filter(author=instance).values_list("post_id", flat=True)
        )
        reindex(posts, using)


def _tag_posts(tag, using):
    return (
        Post.tags.through.objects.using(using)
        .filter(
            tag=tag,
            content_type__app_label=Post._meta.app_label,
            content_type__model=Post._meta.model_name,
        )
        .values_list("object_id", flat=True)
    )


def _tag_saved(sender, instance, using, **kwargs):
    old = getattr(instance, "_search_old_name", None)
    if old is not None and old != instance.name:
        reindex(_tag_posts(instance, using), using)


def _tag_deleting(sender, instance, using, **kwargs):
    instance._search_post_ids = list(_tag_posts(instance, using))


def _tag_deleted(sender, instance, using, **kwargs):
    reindex(getattr(instance, "_search_post_ids", []), using)


def connect_signals():
    """Keep the index in step with every post, byline and tag change a signal reports."""
    tagged = Post.tags.through
    receivers = [
        ("post_save", post_save, _post_saved, Post),
        ("post_delete", post_delete, _post_saved, Post),
        ("post_save", post_save, _byline_changed, Byline),
        ("post_delete", post_delete, _byline_changed, Byline),
        ("m2m_changed", m2m_changed, _relation_changed, Byline),
        ("m2m_changed", m2m_changed, _relation_changed, tagged),
        ("post_save", post_save, _tagged_item_loaded, tagged),
        ("pre_save", pre_save, _remember_name, Author),
        ("post_save", post_save, _author_saved, Author),
        ("pre_save", pre_save, _remember_name, Tag),
        ("post_save", post_save, _tag_saved, Tag),
        ("pre_delete", pre_delete, _tag_deleting, Tag),
        ("post_delete", post_delete, _tag_deleted, Tag),
    ]
    for name, signal, receiver, sender in receivers:
        uid = f"search.{name}.{sender.__name__}"
        signal.connect(receiver, sender=sender, dispatch_uid=uid)
