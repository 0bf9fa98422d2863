from django.apps import AppConfig
from django.db.models.signals import pre_save


class PostsConfig(AppConfig):
    name = "posts"
    verbose_name = "Publishing"

    def ready(self):
        from taggit.models import Tag

        from . import search
        from .models import Author, Section
        from .slugs import fill_blank_slug

        search.connect_signals()
        for model in (Tag, Author, Section):
            pre_save.connect(fill_blank_slug, sender=model, dispatch_uid=f"slug_{model.__name__}")
