"""The editorial roles: the groups migration 0005 makes, the checks in editorial.roles, and every
role against every editorial action, made as raw requests to the admin's own URLs."""

import importlib
import io
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.http import QueryDict
from django.test import Client
from django.utils import timezone
from helpers import ADMINISTRATOR, AUTHOR, CONTRIBUTOR, EDITOR, SUPERUSER, admin_form_data
from PIL import Image as PILImage
from taggit.models import Tag, TaggedItem

from editorial import roles
from media.models import Image
from posts.models import Author, Byline, Post, Redirect, Section

pytestmark = pytest.mark.django_db

ROLE_NAMES = [CONTRIBUTOR, AUTHOR, EDITOR, ADMINISTRATOR]

DRAFT, REVIEW, PUBLISHED = Post.Status.DRAFT, Post.Status.REVIEW, Post.Status.PUBLISHED

_serial = iter(range(1, 1_000_000))


# --- People and posts ---------------------------------------------------------------------------


def write(user, status=DRAFT, *, created_by=True, byline=True, **fields):
    """A post of `user`'s: created by them and/or with their author profile in the byline."""
    number = next(_serial)
    fields.setdefault("slug", f"post-{number}")
    if status == PUBLISHED:
        fields.setdefault("published_at", timezone.now() - timedelta(days=1))
    post = Post.objects.create(
        title=f"Post {number}",
        status=status,
        body=f"Body of post {number}.",
        created_by=user if created_by else None,
        **fields,
    )
    if byline:
        post.authors.add(user.author)
    return post


def fresh(post):
    return Post.objects.get(pk=post.pk)


# --- The groups ---------------------------------------------------------------------------------


def permission_names(permissions):
    return {f"{p.content_type.app_label}.{p.codename}" for p in permissions}


def every_permission():
    return permission_names(Permission.objects.select_related("content_type"))


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_the_migration_made_each_role_with_exactly_its_permissions(role):
    group = Group.objects.get(name=role)
    expected = set(roles.ROLES[role])
    if expected == {roles.ALL}:
        expected = every_permission()
    assert permission_names(group.permissions.select_related("content_type")) == expected


def test_the_migrations_copy_of_the_roles_is_the_current_one_once_models_moved_apps():
    migration = importlib.import_module("posts.migrations.0005_roles")
    moved = importlib.import_module("posts.migrations.0012_models_move_to_media_and_editorial")
    now_in = dict(moved.MOVED)

    def relabelled(name):
        app, codename = name.split(".") if "." in name else ("", name)
        model = codename.split("_", 1)[-1]
        return f"{now_in[model]}.{codename}" if app == "posts" and model in now_in else name

    copy = {role: [relabelled(name) for name in names] for role, names in migration.ROLES.items()}
    assert copy == roles.ROLES


def test_the_role_table_names_only_permissions_that_exist():
    named = {name for names in roles.ROLES.values() for name in names if name != roles.ALL}
    assert named <= every_permission()


def test_the_administrator_has_users_groups_and_everything_else():
    permissions = permission_names(Group.objects.get(name=ADMINISTRATOR).permissions.all())
    assert {"auth.view_user", "auth.change_user", "auth.add_group"} <= permissions
    assert permissions == every_permission()


def test_each_role_holds_the_one_before_it():
    assert set(roles.CONTRIBUTOR) < set(roles.AUTHOR) < set(roles.EDITOR)


def test_the_migration_reverses_to_no_groups_and_runs_again():
    """Its two functions, run on the migration state (a real unapply would flush other tests'
    data and unapply later migrations)."""
    migration = importlib.import_module("posts.migrations.0005_roles")
    state = MigrationLoader(connection).project_state(("posts", "0005_roles")).apps
    schema_editor = SimpleNamespace(connection=connection)
    moved = importlib.import_module("posts.migrations.0012_models_move_to_media_and_editorial")
    before = {g.name: set(g.permissions.all()) for g in Group.objects.filter(name__in=roles.ROLES)}
    # As the database stood at 0005: the image, revision and preview models still in posts.
    moved.move_content_types_back(django_apps, schema_editor)
    migration.delete_roles(state, schema_editor)
    assert not Group.objects.filter(name__in=roles.ROLES).exists()
    migration.create_roles(state, schema_editor)
    moved.move_content_types(django_apps, schema_editor)
    ContentType.objects.clear_cache()
    after = {g.name: set(g.permissions.all()) for g in Group.objects.filter(name__in=roles.ROLES)}
    assert after == before and set(after) == set(roles.ROLES)


# --- The checks, one by one ---------------------------------------------------------------------


def test_own_means_created_by_the_user_or_in_their_byline(member):
    me, other = member(CONTRIBUTOR), member(CONTRIBUTOR)
    assert roles.is_own(me, write(me, byline=False))
    bylined = write(other, created_by=False)
    assert not roles.is_own(me, bylined)
    bylined.authors.add(me.author)
    assert roles.is_own(me, bylined)
    assert not roles.is_own(me, write(other))
    assert not roles.is_own(me, Post(title="Unsaved"))
    assert not roles.is_own(AnonymousUser(), write(me))


def test_a_contributor_sees_their_own_posts_once_each_and_nobody_elses(member):
    me, other = member(CONTRIBUTOR), member(CONTRIBUTOR)
    created, bylined, both = write(me, byline=False), write(other), write(me)
    bylined.authors.add(me.author)
    write(other)
    seen = list(roles.visible(me, Post.objects.all()))
    assert sorted(p.pk for p in seen) == sorted([created.pk, bylined.pk, both.pk])


@pytest.mark.parametrize("role", [EDITOR, ADMINISTRATOR, SUPERUSER])
def test_editors_and_up_see_every_post(member, role):
    me, other = member(role), member(CONTRIBUTOR)
    write(me), write(other, PUBLISHED), write(other, created_by=False, byline=False)
    assert roles.visible(me, Post.objects.all()).count() == Post.objects.count() == 3


def test_anonymous_sees_nothing(member):
    contributor = member(CONTRIBUTOR)
    write(contributor)
    assert not roles.visible(AnonymousUser(), Post.objects.all()).exists()
    assert not roles.can_edit(AnonymousUser(), Post.objects.get())
    assert roles.visible(contributor, Post.objects.all()).exists()
    assert roles.can_edit(contributor, Post.objects.get())


ANY_POST = [
    ("own", DRAFT),
    ("own", REVIEW),
    ("own", PUBLISHED),
    ("other", DRAFT),
    ("other", PUBLISHED),
]
# (role, whose, status) -> (can_edit, can_delete, can_publish)
CHECKS = {
    CONTRIBUTOR: {
        ("own", DRAFT): (True, False, False),
        ("own", REVIEW): (True, False, False),
        ("own", PUBLISHED): (False, False, False),
        ("other", DRAFT): (False, False, False),
        ("other", PUBLISHED): (False, False, False),
    },
    AUTHOR: {
        ("own", DRAFT): (True, False, True),
        ("own", REVIEW): (True, False, True),
        ("own", PUBLISHED): (True, False, True),
        ("other", DRAFT): (False, False, False),
        ("other", PUBLISHED): (False, False, False),
    },
    **{
        role: dict.fromkeys(ANY_POST, (True, True, True))
        for role in (EDITOR, ADMINISTRATOR, SUPERUSER)
    },
}


@pytest.mark.parametrize(
    ("role", "whose", "status"),
    [(role, whose, status) for role, cells in CHECKS.items() for whose, status in cells],
)
def test_edit_delete_and_publish_checks(member, role, whose, status):
    me, other = member(role), member(CONTRIBUTOR)
    post = write(me if whose == "own" else other, status)
    expected = CHECKS[role][(whose, status)]
    assert (
        roles.can_edit(me, post),
        roles.can_delete(me, post),
        roles.can_publish(me, post),
    ) == expected


def test_edit_others_posts_without_publish_edits_but_cannot_unpublish(member, django_user_model):
    other = member(CONTRIBUTOR)
    user = django_user_model.objects.create_user("fixer", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="posts", codename__in=["change_post", "edit_others_posts"]
        )
    )
    user = django_user_model.objects.get(pk=user.pk)
    published = write(other, PUBLISHED)
    assert roles.can_edit(user, published) and not roles.can_publish(user, published)
    assert roles.allowed_statuses(user, published) == [PUBLISHED]
    later = {"published_at": published.published_at + timedelta(days=3)}
    assert set(roles.publication_errors(user, published, later)) == {"published_at"}
    assert roles.publication_errors(user, published, {"status": DRAFT}) == {
        "status": "You may not give this post that status."
    }


def test_no_model_permission_no_check_passes(member, django_user_model):
    nobody = django_user_model.objects.create_user("nobody", is_staff=True)
    post = write(member(CONTRIBUTOR))
    post.authors.add(Author.objects.create(name="Nobody", slug="nobody", user=nobody))
    assert roles.is_own(nobody, post)
    assert not (roles.can_edit(nobody, post) or roles.can_delete(nobody, post))
    assert not roles.can_publish(nobody, post)


@pytest.mark.parametrize(
    ("role", "whose", "status", "allowed"),
    [
        (CONTRIBUTOR, None, DRAFT, [DRAFT, REVIEW]),
        (CONTRIBUTOR, "own", DRAFT, [DRAFT, REVIEW]),
        (CONTRIBUTOR, "own", REVIEW, [DRAFT, REVIEW]),
        (CONTRIBUTOR, "own", PUBLISHED, [PUBLISHED]),
        (AUTHOR, None, DRAFT, [DRAFT, REVIEW, PUBLISHED]),
        (AUTHOR, "own", REVIEW, [DRAFT, REVIEW, PUBLISHED]),
        (AUTHOR, "own", PUBLISHED, [DRAFT, REVIEW, PUBLISHED]),
        (AUTHOR, "other", DRAFT, [DRAFT, REVIEW]),
        (EDITOR, "other", DRAFT, [DRAFT, REVIEW, PUBLISHED]),
        (EDITOR, "other", PUBLISHED, [DRAFT, REVIEW, PUBLISHED]),
        (ADMINISTRATOR, None, DRAFT, [DRAFT, REVIEW, PUBLISHED]),
        (SUPERUSER, "other", REVIEW, [DRAFT, REVIEW, PUBLISHED]),
    ],
)
def test_allowed_statuses(member, role, whose, status, allowed):
    me, other = member(role), member(CONTRIBUTOR)
    if whose is None:
        post = Post(title="Unsaved", status=status)
    else:
        post = write(me if whose == "own" else other, status)
    assert roles.allowed_statuses(me, post) == allowed


def test_the_form_check_refuses_publishing_without_the_right(member):
    contributor, author = member(CONTRIBUTOR), member(AUTHOR)
    assert set(roles.publication_errors(contributor, Post(), {"status": PUBLISHED})) == {"status"}
    assert roles.publication_errors(contributor, Post(), {"status": REVIEW}) == {}
    assert roles.publication_errors(author, Post(), {"status": PUBLISHED}) == {}
    draft = write(contributor)
    assert set(roles.publication_errors(author, draft, {"status": PUBLISHED})) == {"status"}


def test_the_form_check_keeps_a_published_posts_date_from_non_publishers(member):
    contributor, author = member(CONTRIBUTOR), member(AUTHOR)
    mine, theirs = write(contributor, PUBLISHED), write(author, PUBLISHED)
    moved = {"status": PUBLISHED, "published_at": mine.published_at + timedelta(days=1)}
    assert set(roles.publication_errors(contributor, mine, moved)) == {"published_at"}
    same = {"status": PUBLISHED, "published_at": mine.published_at}
    assert roles.publication_errors(contributor, mine, same) == {}
    moved["published_at"] = theirs.published_at + timedelta(days=1)
    assert roles.publication_errors(author, theirs, moved) == {}
    # A draft's date is not a publication yet.
    draft = write(contributor)
    assert roles.publication_errors(contributor, draft, {"published_at": timezone.now()}) == {}


def action_post(action, *posts, **extra):
    data = QueryDict(mutable=True)
    data.setlist("action", [action])
    data.setlist("_selected_action", [str(p.pk) for p in posts])
    for key, value in extra.items():
        data[key] = value
    return data


def test_the_action_check(member):
    contributor, author, editor = member(CONTRIBUTOR), member(AUTHOR), member(EDITOR)
    mine, theirs = write(author), write(contributor)
    offered = {"publish": None, "unpublish": None, "delete_selected": None}
    with pytest.raises(PermissionDenied):
        roles.check_action(contributor, {}, action_post("publish", theirs))
    with pytest.raises(PermissionDenied):
        roles.check_action(author, offered, action_post("publish", mine, theirs))
    with pytest.raises(PermissionDenied):
        roles.check_action(author, offered, action_post("unpublish", theirs))
    roles.check_action(author, offered, action_post("publish", mine))
    roles.check_action(editor, offered, action_post("unpublish", mine, theirs))
    roles.check_action(contributor, {}, action_post("", theirs))
    roles.check_action(author, offered, action_post("publish", mine, _selected_action="x"))
    assert list(roles.publishable(contributor, Post.objects.all())) == []
    assert list(roles.publishable(author, Post.objects.all())) == [mine]


@pytest.mark.parametrize("check", [roles.can_edit, roles.can_delete, roles.can_publish])
def test_superusers_pass_every_check(member, check):
    assert check(member(SUPERUSER), write(member(CONTRIBUTOR), PUBLISHED))


# --- Turning an admin page into the POST a browser would send -----------------------------------


def page_data(world, url, **changes) -> dict:
    """The acting user's own form where they may open it; else the form as a superuser sees it,
    as someone forging the request would send it."""
    response = world.client.get(url)
    if response.status_code != 200:
        response = world.root.get(url)
    return admin_form_data(response, **changes)


def png():
    buffer = io.BytesIO()
    PILImage.new("RGB", (64, 48), "teal").save(buffer, format="PNG")
    return SimpleUploadedFile("drop.png", buffer.getvalue(), content_type="image/png")


# --- The matrix ---------------------------------------------------------------------------------

EVERYONE = {CONTRIBUTOR, AUTHOR, EDITOR, ADMINISTRATOR, SUPERUSER}
PUBLISHERS = EVERYONE - {CONTRIBUTOR}
EDITORS = PUBLISHERS - {AUTHOR}
ADMINS = EDITORS - {EDITOR}
# How a denied cell answers: a status code, or "form": the form comes back (200) with an error on
# the field named, and nothing is saved.
FORBIDDEN, NOT_FOUND = 403, 404


def change_url(post):
    return f"/admin/posts/post/{post.pk}/change/"


@pytest.fixture
def world(member, client, django_user_model):
    def build(role):
        me, other = member(role), member(CONTRIBUTOR)
        root = Client()
        root.force_login(django_user_model.objects.create_superuser("root", "r@example.org", None))
        client.force_login(me)
        first, second = Tag.objects.create(name="first"), Tag.objects.create(name="second")
        world = SimpleNamespace(
            role=role,
            me=me,
            other=other,
            client=client,
            root=root,
            my_draft=write(me, DRAFT),
            my_published=write(me, PUBLISHED),
            others_draft=write(other, DRAFT),
            others_published=write(other, PUBLISHED),
            tags=(first, second),
        )
        world.others_draft.tags.add(first)
        return world

    return build


def snapshot():
    """Every row an editorial action could change."""
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (Post, Byline, Author, Image, Redirect, Section, Tag, TaggedItem)
    }


class Cell:
    """One editorial action: who may do it, the raw request, what success leaves behind."""

    def __init__(self, send, allowed, denied, ok):
        self.send, self.allowed, self.denied, self.ok = send, allowed, denied, ok
        self.effect = None

    def then(self, effect):
        self.effect = effect
        return effect


CELLS: dict[str, Cell] = {}


def cell(name, allowed, denied=FORBIDDEN, ok=302):
    """Registers the request of an action; `@action.then` registers the check of its effect."""

    def register(send):
        CELLS[name] = Cell(send, allowed, denied, ok)
        return CELLS[name]

    return register


@cell("view the post list", EVERYONE, ok=200)
def view_the_post_list(w):
    return w.client.get("/admin/posts/post/")


@view_the_post_list.then
def _(w, response):
    listed = {post.pk for post in response.context["cl"].result_list}
    assert {w.my_draft.pk, w.my_published.pk} <= listed
    assert (w.others_draft.pk in listed) == (w.role in EDITORS)


@cell("open own draft", EVERYONE, ok=200)
def open_own_draft(w):
    return w.client.get(change_url(w.my_draft))


@cell("open other's draft", EDITORS, denied=NOT_FOUND, ok=200)
def open_other_s_draft(w):
    return w.client.get(change_url(w.others_draft))


@cell("add a draft", EVERYONE)
def add_a_draft(w):
    data = page_data(w, "/admin/posts/post/add/", title="Ports", slug="ports", status=DRAFT)
    data["bylines-0-author"] = str(w.me.author.pk)
    return w.client.post("/admin/posts/post/add/", data)


@add_a_draft.then
def _(w, response):
    post = Post.objects.get(slug="ports")
    assert (post.status, post.created_by) == (DRAFT, w.me)
    assert list(post.authors.all()) == [w.me.author]


@cell("add a published post", PUBLISHERS, denied="status")
def add_a_published_post(w):
    data = page_data(w, "/admin/posts/post/add/", title="Now", slug="now", status=PUBLISHED)
    return w.client.post("/admin/posts/post/add/", data)


@add_a_published_post.then
def _(w, response):
    assert Post.objects.get(slug="now").status == PUBLISHED


@cell("edit own draft", EVERYONE)
def edit_own_draft(w):
    url = change_url(w.my_draft)
    return w.client.post(url, page_data(w, url, title="Reworked"))


@edit_own_draft.then
def _(w, response):
    assert fresh(w.my_draft).title == "Reworked"


@cell("submit own draft for review", EVERYONE)
def submit_own_draft_for_review(w):
    url = change_url(w.my_draft)
    return w.client.post(url, page_data(w, url, status=REVIEW))


@submit_own_draft_for_review.then
def _(w, response):
    assert fresh(w.my_draft).status == REVIEW


@cell("publish own draft in the form", PUBLISHERS, denied="status")
def publish_own_draft_in_the_form(w):
    url = change_url(w.my_draft)
    return w.client.post(url, page_data(w, url, status=PUBLISHED))


@publish_own_draft_in_the_form.then
def _(w, response):
    post = fresh(w.my_draft)
    assert post.status == PUBLISHED and post.published_at is not None


@cell("edit own published post", PUBLISHERS)
def edit_own_published_post(w):
    url = change_url(w.my_published)
    return w.client.post(url, page_data(w, url, title="Corrected"))


@edit_own_published_post.then
def _(w, response):
    post = fresh(w.my_published)
    assert (post.title, post.status) == ("Corrected", PUBLISHED)


@cell("reschedule own published post", PUBLISHERS)
def reschedule_own_published_post(w):
    url = change_url(w.my_published)
    later = w.my_published.published_at + timedelta(days=7)
    return w.client.post(url, page_data(w, url, published_at=later.replace(microsecond=0)))


@reschedule_own_published_post.then
def _(w, response):
    assert fresh(w.my_published).published_at > w.my_published.published_at


@cell("edit other's draft", EDITORS, denied=NOT_FOUND)
def edit_other_s_draft(w):
    url = change_url(w.others_draft)
    return w.client.post(url, page_data(w, url, title="Taken over"))


@edit_other_s_draft.then
def _(w, response):
    assert fresh(w.others_draft).title == "Taken over"


def run_action(w, action, post):
    data = {"action": action, "index": "0", "_selected_action": [str(post.pk)]}
    return w.client.post("/admin/posts/post/", data)


@cell("publish own draft (action)", PUBLISHERS)
def publish_own_draft_action(w):
    return run_action(w, "publish", w.my_draft)


@publish_own_draft_action.then
def _(w, response):
    assert fresh(w.my_draft).status == PUBLISHED


@cell("publish other's draft (action)", EDITORS)
def publish_other_s_draft_action(w):
    return run_action(w, "publish", w.others_draft)


@publish_other_s_draft_action.then
def _(w, response):
    assert fresh(w.others_draft).status == PUBLISHED


@cell("unpublish own post (action)", PUBLISHERS)
def unpublish_own_post_action(w):
    return run_action(w, "unpublish", w.my_published)


@unpublish_own_post_action.then
def _(w, response):
    assert fresh(w.my_published).status == DRAFT


@cell("unpublish other's post (action)", EDITORS)
def unpublish_other_s_post_action(w):
    return run_action(w, "unpublish", w.others_published)


@unpublish_other_s_post_action.then
def _(w, response):
    assert fresh(w.others_published).status == DRAFT


@cell("delete own post", EDITORS)
def delete_own_post(w):
    return w.client.post(f"/admin/posts/post/{w.my_draft.pk}/delete/", {"post": "yes"})


@delete_own_post.then
def _(w, response):
    assert not Post.objects.filter(pk=w.my_draft.pk).exists()


@cell("delete other's post", EDITORS, denied=(FORBIDDEN, NOT_FOUND))
def delete_other_s_post(w):
    return w.client.post(f"/admin/posts/post/{w.others_draft.pk}/delete/", {"post": "yes"})


@delete_other_s_post.then
def _(w, response):
    assert not Post.objects.filter(pk=w.others_draft.pk).exists()


@cell("upload in the editor", PUBLISHERS, ok=200)
def upload_in_the_editor(w):
    headers = {"x-requested-with": "XMLHttpRequest"}
    return w.client.post("/markdownx/upload/", {"image": png(), "alt": "Map"}, headers=headers)


@upload_in_the_editor.then
def _(w, response):
    assert Image.objects.get().uploaded_by == w.me
    assert response.json()["image_code"].startswith("![Map](/media/images/")


@cell("upload to the library", PUBLISHERS)
def upload_to_the_library(w):
    data = page_data(w, "/admin/media/image/add/", alt_text="Cranes")
    return w.client.post("/admin/media/image/add/", {**data, "file": png()})


@upload_to_the_library.then
def _(w, response):
    assert Image.objects.get().alt_text == "Cranes"


@cell("add a tag", EDITORS)
def add_a_tag(w):
    data = page_data(w, "/admin/taggit/tag/add/", name="Sea power", slug="sea-power")
    return w.client.post("/admin/taggit/tag/add/", data)


@add_a_tag.then
def _(w, response):
    assert Tag.objects.filter(slug="sea-power").exists()


@cell("rename a tag", EDITORS)
def rename_a_tag(w):
    url = f"/admin/taggit/tag/{w.tags[0].pk}/change/"
    return w.client.post(url, page_data(w, url, name="Renamed"))


@rename_a_tag.then
def _(w, response):
    assert Tag.objects.get(pk=w.tags[0].pk).name == "Renamed"


@cell("merge tags", EDITORS)
def merge_tags(w):
    # taggit's merge view reads the tags to merge from the session its action fills.
    session = w.client.session
    session["selected_tag_ids"] = ",".join(str(tag.pk) for tag in w.tags)
    session.save()
    return w.client.post("/admin/taggit/tag/merge-tags/", {"new_tag_name": "merged"})


@merge_tags.then
def _(w, response):
    assert list(fresh(w.others_draft).tags.names()) == ["merged"]


@cell("add an author", EDITORS)
def add_an_author(w):
    data = page_data(w, "/admin/posts/author/add/", name="Ines Duarte", slug="ines-duarte")
    return w.client.post("/admin/posts/author/add/", data)


@add_an_author.then
def _(w, response):
    assert Author.objects.filter(slug="ines-duarte").exists()


@cell("view users", ADMINS, ok=200)
def view_users(w):
    return w.client.get("/admin/auth/user/")


MATRIX = [(role, name) for name in CELLS for role in [*ROLE_NAMES, SUPERUSER]]


@pytest.mark.parametrize(("role", "action"), MATRIX)
def test_role_matrix(world, role, action):
    w, spec = world(role), CELLS[action]
    before = snapshot()
    response = spec.send(w)
    if role in spec.allowed:
        assert response.status_code == spec.ok, describe(response)
        if spec.effect:
            spec.effect(w, response)
        return
    if isinstance(spec.denied, str):  # refused by the form, field `denied`
        assert response.status_code == 200, describe(response)
        assert spec.denied in response.context["adminform"].form.errors
    else:
        expected = spec.denied if isinstance(spec.denied, tuple) else (spec.denied,)
        assert response.status_code in expected, describe(response)
    assert snapshot() == before


def describe(response):
    """What went wrong, for the assertion message: form errors, else where it redirected."""
    context = response.context
    if context is not None and "adminform" in context:
        errors = dict(context["adminform"].form.errors)
        for inline in context.get("inline_admin_formsets", []):
            errors[inline.formset.prefix] = inline.formset.errors
            errors[f"{inline.formset.prefix} (non-form)"] = inline.formset.non_form_errors()
        return f"{response.status_code}: {errors}"
    return f"{response.status_code} {response.get('Location', '')}"


def test_every_role_is_in_the_matrix():
    assert {role for role, _ in MATRIX} == {*ROLE_NAMES, SUPERUSER}


# --- Nobody gets raw HTML -----------------------------------------------------------------------


def test_a_superusers_script_is_sanitised_like_anyone_elses(staff_client, client):
    data = admin_form_data(
        staff_client.get("/admin/posts/post/add/"),
        title="Payload",
        slug="payload",
        status=PUBLISHED,
        body="Hello <script>alert(1)</script> <img src=x onerror=alert(2)>",
    )
    response = staff_client.post("/admin/posts/post/add/", data)
    assert response.status_code == 302, describe(response)
    post = Post.objects.get(slug="payload")
    assert "<script" not in post.body_html and "onerror" not in post.body_html
    assert "Hello" in post.body_html
    page = client.get(post.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in page and "onerror" not in page
    assert "Hello" in page
