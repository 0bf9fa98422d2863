from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from taggit.apps import TaggitAppConfig


class TagsConfig(TaggitAppConfig):
    """taggit under the name editors know it by in the admin ("Tags", not "Taggit")."""

    verbose_name = "Tags"
    # Named in INSTALLED_APPS; "posts" alone still means PostsConfig.
    default = False


class PostsConfig(AppConfig):
    default = True
    name = "posts"
    verbose_name = "Publishing"

    def ready(self):
        from taggit.models import Tag

        from media.models import file_replaced

        from .models import Author, Post, Section
        from .signals import refuse_unsafe_canonical_url, render_raw_rows, show_replaced_file
        from .slugs import fill_blank_slug

        pre_save.connect(render_raw_rows, sender=Post, dispatch_uid="render_raw_posts")
        pre_save.connect(render_raw_rows, sender=Author, dispatch_uid="render_raw_authors")
        pre_save.connect(refuse_unsafe_canonical_url, sender=Post, dispatch_uid="canonical_url")
        for model in (Tag, Author, Section):
            pre_save.connect(fill_blank_slug, sender=model, dispatch_uid=f"slug_{model.__name__}")
        file_replaced.connect(show_replaced_file, dispatch_uid="show_replaced_file")
        self.purge_pages_on_change()

    def purge_pages_on_change(self):
        """Every change a reader could see reaches the page cache (see posts.caching)."""
        from taggit.models import Tag

        from media.models import Image

        from . import caching
        from .models import Author, Byline, Post, Section

        receivers = [
            (pre_save, caching.remember_stored, Post),
            (post_save, caching.post_saved, Post),
            (pre_delete, caching.post_deleting, Post),
            (post_delete, caching.post_deleted, Post),
            (m2m_changed, caching.tags_changed, Post.tags.through),
            (post_save, caching.tagged_item_loaded, Post.tags.through),
            (post_save, caching.byline_saved, Byline),
            (post_delete, caching.byline_saved, Byline),
            (m2m_changed, caching.bylines_set, Byline),
            (post_save, caching.author_changed, Author),
            (post_delete, caching.author_changed, Author),
            (post_save, caching.tag_changed, Tag),
            (post_delete, caching.tag_changed, Tag),
            (post_save, caching.section_changed, Section),
            (post_delete, caching.section_changed, Section),
            (post_save, caching.image_changed, Image),
            (pre_delete, caching.image_changed, Image),
        ]
        for signal, receiver, sender in receivers:
            uid = f"pagecache.{receiver.__name__}.{sender.__name__}.{id(signal)}"
            signal.connect(receiver, sender=sender, dispatch_uid=uid)
