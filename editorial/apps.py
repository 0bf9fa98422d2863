from django.apps import AppConfig
from django.db.models.signals import post_migrate


class EditorialConfig(AppConfig):
    name = "editorial"
    verbose_name = "Editorial desk"

    def ready(self):
        from .roles import grant_administrators_everything

        post_migrate.connect(grant_administrators_everything, dispatch_uid="administrators_all")
