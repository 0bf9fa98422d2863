from django.apps import AppConfig


class PostsConfig(AppConfig):
    name = "posts"
    verbose_name = "Publishing"

    def ready(self):
        from . import search

        search.connect_signals()
