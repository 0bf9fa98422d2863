"""Who may do what: the editorial roles as groups of permissions, and the checks on one post.

Roles are auth groups (made by migration 0005_roles from a copy of ROLES); the checks below
combine a user's model permissions with whether the post is their own. Superusers have every
permission, so every check says yes to them. A login also needs "staff status" to use the admin:
a group does not give it.

- Contributor: writes and edits their own drafts and submits them for review.
- Author: as Contributor, and uploads images, publishes and edits their own published posts.
- Editor: edits, publishes, unpublishes and deletes anyone's posts; manages tags and authors.
- Administrator: every permission, users and groups included.

Nobody gets unsanitised HTML: rendering sanitises whoever wrote the post.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from posts.models import Byline, Post

# In ROLES: every permission there is, whatever app it belongs to.
ALL = "*"

CONTRIBUTOR = [
    "posts.add_post",
    "posts.change_post",
    "posts.view_post",
    # The byline inline of their own posts.
    "posts.add_byline",
    "posts.change_byline",
    "posts.delete_byline",
    "posts.view_byline",
    # The byline's author autocomplete and the featured-image chooser need these.
    "posts.view_author",
    "media.view_image",
    "posts.view_section",
    "taggit.view_tag",
]

AUTHOR = [
    *CONTRIBUTOR,
    "media.add_image",
    "media.change_image",
    "posts.publish_post",
]

EDITOR = [
    *AUTHOR,
    "posts.delete_post",
    "posts.edit_others_posts",
    "posts.add_author",
    "posts.change_author",
    "posts.delete_author",
    "media.delete_image",
    "posts.add_section",
    "posts.change_section",
    "posts.delete_section",
    "posts.add_redirect",
    "posts.change_redirect",
    "posts.delete_redirect",
    "posts.view_redirect",
    "editorial.add_previewlink",
    "editorial.change_previewlink",
    "editorial.delete_previewlink",
    "editorial.view_previewlink",
    "editorial.view_revision",
    "taggit.add_tag",
    "taggit.change_tag",
    "taggit.delete_tag",
]

# Group name -> "app_label.codename" permissions. Migration 0005_roles holds a copy: a change
# here needs a new migration to reach existing databases.
ROLES: dict[str, list[str]] = {
    "Contributor": CONTRIBUTOR,
    "Author": AUTHOR,
    "Editor": EDITOR,
    "Administrator": [ALL],
}

# Change-list actions that publish or unpublish the posts selected.
PUBLISHING_ACTIONS = frozenset({"publish", "unpublish"})


def grant_administrators_everything(using="default", **kwargs):
    """post_migrate: the Administrator role holds every permission, those of models added after
    the roles were made included (migrate makes their permissions only after its migrations)."""
    from django.contrib.auth.models import Group, Permission

    group = Group.objects.using(using).filter(name="Administrator").first()
    if group is not None:
        group.permissions.set(Permission.objects.using(using).all())


def _own_posts(user) -> Q:
    return Q(created_by=user) | Q(pk__in=Byline.objects.filter(author__user=user).values("post"))


def is_own(user, post) -> bool:
    """The user created the post, or their author profile is in its byline."""
    if not getattr(user, "is_authenticated", False) or post is None:
        return False
    if post.created_by_id is not None and post.created_by_id == user.pk:
        return True
    return post.pk is not None and post.bylines.filter(author__user=user).exists()


def visible(user, queryset):
    """The posts of `queryset` the user may see in the admin: all of them with
    edit_others_posts, else their own."""
    if user.has_perm("posts.edit_others_posts"):
        return queryset
    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    return queryset.filter(_own_posts(user))


def publishable(user, queryset):
    """The posts of `queryset` the user may publish and unpublish."""
    if not user.has_perm("posts.publish_post"):
        return queryset.none()
    return visible(user, queryset)


def can_edit(user, post) -> bool:
    """May save changes to the post: anyone's with edit_others_posts; else their own, and once
    it is published only with publish_post."""
    if not user.has_perm("posts.change_post"):
        return False
    if user.has_perm("posts.edit_others_posts"):
        return True
    return is_own(user, post) and (
        user.has_perm("posts.publish_post") or post.status != Post.Status.PUBLISHED
    )


def can_delete(user, post) -> bool:
    return user.has_perm("posts.delete_post") and (
        user.has_perm("posts.edit_others_posts") or is_own(user, post)
    )


def can_publish(user, post) -> bool:
    """May publish, schedule or unpublish the post."""
    return user.has_perm("posts.publish_post") and (
        user.has_perm("posts.edit_others_posts") or is_own(user, post)
    )


def can_change_image(user, image) -> bool:
    """May change a library image (file, alt text, caption, credit): anyone's with
    edit_others_posts, else only one they uploaded, since others' images appear in others'
    articles."""
    if not user.has_perm("media.change_image"):
        return False
    if user.has_perm("posts.edit_others_posts"):
        return True
    return image.uploaded_by_id is not None and image.uploaded_by_id == user.pk


def _may_publish(user, post) -> bool:
    # An unsaved post becomes its writer's own (the admin sets created_by when adding).
    if post.pk is None:
        return user.has_perm("posts.publish_post")
    return can_publish(user, post)


def allowed_statuses(user, post) -> list[str]:
    """The statuses the user may give this post (unsaved or as stored), in Status order.

    Without the right to publish it: draft and review, except that a published post stays
    published (unpublishing is publishing's to do).
    """
    if _may_publish(user, post):
        return list(Post.Status.values)
    if post.pk is not None and post.status == Post.Status.PUBLISHED:
        return [Post.Status.PUBLISHED]
    return [Post.Status.DRAFT, Post.Status.REVIEW]


def publication_errors(user, post, cleaned_data) -> dict[str, str]:
    """What the post form must refuse, field by field: a status the user may not set, or a
    change to a published post's date by someone who may not publish it.

    `post` is the post as stored (a ModelForm's instance during clean()), `cleaned_data` the
    form's.
    """
    errors = {}
    status = cleaned_data.get("status")
    if status is not None and status not in allowed_statuses(user, post):
        errors["status"] = "You may not give this post that status."
    if (
        "published_at" in cleaned_data
        and post.pk is not None
        and post.status == Post.Status.PUBLISHED
        and cleaned_data["published_at"] != post.published_at
        and not _may_publish(user, post)
    ):
        errors["published_at"] = "Only someone who may publish this post can change its date."
    return errors


def check_action(user, allowed_actions, data) -> None:
    """Refuse (PermissionDenied) a change-list POST naming an action the user is not offered,
    or publishing or unpublishing a selected post the user may not publish.

    `allowed_actions` is ModelAdmin.get_actions(request), `data` the request's POST.
    """
    from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

    names = {name for name in data.getlist("action") if name}
    if names - set(allowed_actions):
        raise PermissionDenied
    if names & PUBLISHING_ACTIONS:
        ids = [value for value in data.getlist(ACTION_CHECKBOX_NAME) if value.isdigit()]
        selected = Post.objects.filter(pk__in=ids)
        if publishable(user, selected).count() != selected.count():
            raise PermissionDenied
