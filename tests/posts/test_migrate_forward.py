"""A database made before the apps split (images, revisions and preview links in `posts`) migrates
forward with every row, link, file name and permission intact. Runs on SQLite and PostgreSQL."""

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from editorial.models import PreviewLink, Revision
from media.models import Image
from posts.models import Post

# The last migration of `posts` before Image, Revision and PreviewLink left it.
BEFORE_SPLIT = ("posts", "0011_canonical_url_from_front_matter")
# Apps that had no migrations before the split.
NEW_APPS = ("media", "editorial", "search")
WHEN = datetime(2025, 5, 22, 4, tzinfo=UTC)
RENDITIONS = {
    "webp": [
        {"width": 480, "height": 320, "name": "renditions/harbour-480.webp", "bytes": 12345},
        {"width": 960, "height": 640, "name": "renditions/harbour-960.webp", "bytes": 34567},
    ]
}
# What a group was granted before the split, and what it holds after it.
GRANTED = {
    "change_image": ("image", "media"),
    "add_image": ("image", "media"),
    "view_revision": ("revision", "editorial"),
    "add_previewlink": ("previewlink", "editorial"),
}


def latest(executor):
    return executor.loader.graph.leaf_nodes()


def migrate_to_latest():
    executor = MigrationExecutor(connection)
    executor.migrate(latest(executor))
    ContentType.objects.clear_cache()


@pytest.fixture
def old_apps():
    """The models as they stood before the split, on a database migrated back to them; the
    database is migrated to the latest state again afterwards, whatever the test's outcome."""
    executor = MigrationExecutor(connection)
    unchanged = [node for node in latest(executor) if node[0] not in ("posts", *NEW_APPS)]
    targets = [*unchanged, BEFORE_SPLIT]
    executor.migrate([*targets, *((app, None) for app in NEW_APPS)])
    try:
        yield MigrationExecutor(connection).loader.project_state(targets).apps
    finally:
        migrate_to_latest()


def make_old_database(apps):
    """Two posts with bylines and tags, a library image with renditions featured on the first,
    revisions and preview links, and a group granted image and revision permissions."""
    user = apps.get_model("auth", "User").objects.create(username="ana")
    post_type = apps.get_model("contenttypes", "ContentType").objects.get_or_create(
        app_label="posts", model="post"
    )[0]
    author_model, post_model = apps.get_model("posts", "Author"), apps.get_model("posts", "Post")
    lima = author_model.objects.create(name="Ana Lima", slug="ana-lima", user=user)
    chen = author_model.objects.create(name="Bo Chen", slug="bo-chen")
    image = apps.get_model("posts", "Image").objects.create(
        file="images/harbour.jpeg",
        alt_text="Cranes over the harbour",
        credit="Bo Chen",
        width=1200,
        height=800,
        renditions=RENDITIONS,
        uploaded_by=user,
    )
    featured = post_model.objects.create(
        title="Harbours", slug="harbours", status="published", published_at=WHEN, image=image
    )
    draft = post_model.objects.create(title="Straits", slug="straits", status="draft")
    byline = apps.get_model("posts", "Byline")
    byline.objects.create(post=featured, author=chen, position=0)
    byline.objects.create(post=featured, author=lima, position=1)
    byline.objects.create(post=draft, author=lima, position=0)
    tag_model, tagged = apps.get_model("taggit", "Tag"), apps.get_model("taggit", "TaggedItem")
    for post, names in ((featured, ["Trade", "Asia"]), (draft, ["Trade"])):
        for name in names:
            tag = tag_model.objects.get_or_create(name=name, slug=name.lower())[0]
            tagged.objects.create(tag=tag, content_type=post_type, object_id=post.pk)
    revision = apps.get_model("posts", "Revision")
    revision.objects.create(post=featured, number=1, data={"title": "Harbour"}, created_by=user)
    revision.objects.create(post=featured, number=2, data={"title": "Harbours"}, note="Title")
    apps.get_model("posts", "PreviewLink").objects.create(
        post=draft, expires_at=WHEN, created_by=user
    )
    permission = apps.get_model("auth", "Permission")
    group = apps.get_model("auth", "Group").objects.create(name="Picture desk")
    for codename, (model, _) in GRANTED.items():
        content_type = apps.get_model("contenttypes", "ContentType").objects.get_or_create(
            app_label="posts", model=model
        )[0]
        group.permissions.add(
            permission.objects.get_or_create(
                codename=codename, content_type=content_type, defaults={"name": codename}
            )[0]
        )
    user.groups.add(group)
    return {"image": image.pk, "featured": featured.pk, "draft": draft.pk, "user": user.pk}


@pytest.mark.django_db(transaction=True)
def test_a_database_from_before_the_split_migrates_forward_with_nothing_lost(old_apps):
    ids = make_old_database(old_apps)
    migrate_to_latest()

    image = Image.objects.get()
    assert image.pk == ids["image"]
    assert image.file.name == "images/harbour.jpeg"
    assert (image.width, image.height, image.alt_text, image.credit) == (
        1200,
        800,
        "Cranes over the harbour",
        "Bo Chen",
    )
    assert image.renditions == RENDITIONS
    assert image.uploaded_by_id == ids["user"]

    featured, draft = Post.objects.get(pk=ids["featured"]), Post.objects.get(pk=ids["draft"])
    assert featured.image == image
    assert list(image.featured_in.all()) == [featured]
    assert [author.name for author in featured.authors.all()] == ["Bo Chen", "Ana Lima"]
    assert [author.name for author in draft.authors.all()] == ["Ana Lima"]
    assert sorted(featured.tags.names()) == ["Asia", "Trade"]
    assert list(draft.tags.names()) == ["Trade"]
    assert featured.authors.get(slug="ana-lima").user_id == ids["user"]

    revisions = Revision.objects.filter(post=featured).order_by("number")
    assert [(r.number, r.data, r.note) for r in revisions] == [
        (1, {"title": "Harbour"}, ""),
        (2, {"title": "Harbours"}, "Title"),
    ]
    assert revisions[0].created_by_id == ids["user"]
    link = PreviewLink.objects.get()
    assert (link.post, link.expires_at, link.created_by_id) == (draft, WHEN, ids["user"])

    granted = {
        f"{permission.content_type.app_label}.{permission.codename}"
        for permission in Group.objects.get(name="Picture desk").permissions.all()
    }
    assert granted == {f"{app}.{codename}" for codename, (_, app) in GRANTED.items()}
    user = User.objects.get(pk=ids["user"])
    assert user.has_perm("media.change_image")
    assert user.has_perm("editorial.view_revision")
    assert not user.has_perm("posts.change_image")  # the old label grants nothing any more
