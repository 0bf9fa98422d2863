"""The editorial roles as auth groups: Contributor, Author, Editor and Administrator.

A copy of posts.roles.ROLES as it stood when this was written: a migration must not import
code that may change. A later change to the roles needs a migration of its own.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations
from django.db.models import Q

ALL = "*"

CONTRIBUTOR = [
    "posts.add_post",
    "posts.change_post",
    "posts.view_post",
    "posts.add_byline",
    "posts.change_byline",
    "posts.delete_byline",
    "posts.view_byline",
    "posts.view_author",
    "posts.view_image",
    "posts.view_section",
    "taggit.view_tag",
]

AUTHOR = [
    *CONTRIBUTOR,
    "posts.add_image",
    "posts.change_image",
    "posts.publish_post",
]

EDITOR = [
    *AUTHOR,
    "posts.delete_post",
    "posts.edit_others_posts",
    "posts.add_author",
    "posts.change_author",
    "posts.delete_author",
    "posts.delete_image",
    "posts.add_section",
    "posts.change_section",
    "posts.delete_section",
    "posts.add_redirect",
    "posts.change_redirect",
    "posts.delete_redirect",
    "posts.view_redirect",
    "posts.add_previewlink",
    "posts.change_previewlink",
    "posts.delete_previewlink",
    "posts.view_previewlink",
    "posts.view_revision",
    "taggit.add_tag",
    "taggit.change_tag",
    "taggit.delete_tag",
]

ROLES = {
    "Contributor": CONTRIBUTOR,
    "Author": AUTHOR,
    "Editor": EDITOR,
    "Administrator": [ALL],
}


def create_roles(apps, schema_editor):
    # Permissions are made by post_migrate, after every migration: on a new database none exist
    # yet, so make them (and their content types) here first.
    using = schema_editor.connection.alias
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0, using=using)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, names in ROLES.items():
        if names == [ALL]:
            permissions = list(Permission.objects.using(using).all())
        else:
            wanted = Q()
            for full_name in names:
                app_label, codename = full_name.split(".", 1)
                wanted |= Q(content_type__app_label=app_label, codename=codename)
            permissions = list(
                Permission.objects.using(using)
                .filter(wanted)
                .select_related("content_type")
            )
            found = {f"{p.content_type.app_label}.{p.codename}" for p in permissions}
            missing = sorted(set(names) - found)
            if missing:
                raise LookupError(f"Role {name}: no such permission(s): {', '.join(missing)}")
        group, _ = Group.objects.using(using).get_or_create(name=name)
        group.permissions.set(permissions)


def delete_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("posts", "0004_workflow"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        # Administrator gets every permission: the admin log's and sessions' too.
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("sessions", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_roles, delete_roles)]
