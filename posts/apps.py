from django.apps import AppConfig
from django.db.models.signals import pre_save


class PostsConfig(AppConfig):
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
