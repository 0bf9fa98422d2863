"""Who may change which library image, what its "Used in" list shows them, and what replacing
its file does to the files in storage."""

import io

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from helpers import admin_form_data
from PIL import Image as PILImage

from editorial import roles
from media.models import Image
from media.renditions import stored_names
from posts.models import Post

pytestmark = pytest.mark.django_db


def jpeg(colour="sienna", size=(1200, 800)) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", size, colour).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def login(django_user_model):
    """A client logged in as a new staff user in `role`'s group; `client.user` is the user."""

    def make(role):
        user = django_user_model.objects.create_user(
            f"{role.lower()}-{django_user_model.objects.count()}", password=None, is_staff=True
        )
        user.groups.add(Group.objects.get(name=role))
        client = Client()
        client.force_login(user)
        client.user = user
        return client

    return make


def uploaded_by(user, alt_text="Harbour cranes") -> Image:
    return Image.objects.create(
        file=ContentFile(jpeg(), name="x.jpg"), alt_text=alt_text, uploaded_by=user
    )


def change_url(image) -> str:
    return f"/admin/media/image/{image.pk}/change/"


def post_change(client, image, **changes):
    data = admin_form_data(client.get(change_url(image)), **changes)
    return client.post(change_url(image), data)


def test_an_author_changes_their_own_image_but_only_an_editor_anyones(login):
    me, other, editor = login("Author"), login("Author"), login("Editor")
    mine, theirs = uploaded_by(me.user, "Mine"), uploaded_by(other.user, "Theirs")

    assert post_change(me, mine, alt_text="Mine, rewritten").status_code == 302
    assert Image.objects.get(pk=mine.pk).alt_text == "Mine, rewritten"

    data = {"alt_text": "Vandalised", "caption": "Vandalised", "credit": "Vandalised"}
    assert me.post(change_url(theirs), data).status_code == 403
    assert Image.objects.get(pk=theirs.pk).alt_text == "Theirs"

    assert post_change(editor, theirs, credit="Agency").status_code == 302
    assert Image.objects.get(pk=theirs.pk).credit == "Agency"


def test_an_author_sees_anyone_elses_image_read_only(login):
    me, other = login("Author"), login("Author")
    theirs, mine = uploaded_by(other.user, "Theirs"), uploaded_by(me.user, "Mine")

    page = me.get(change_url(theirs))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Theirs" in html and 'name="alt_text"' not in html
    assert 'name="alt_text"' in me.get(change_url(mine)).content.decode()


def test_deleting_an_image_needs_the_right_to_change_it(login):
    editor, author = login("Editor"), login("Author")
    # An author granted deletion still deletes only what they uploaded.
    author.user.user_permissions.add(Permission.objects.get(codename="delete_image"))
    mine, theirs = uploaded_by(author.user), uploaded_by(editor.user)

    assert (
        author.post(f"/admin/media/image/{theirs.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    assert author.post(f"/admin/media/image/{mine.pk}/delete/", {"post": "yes"}).status_code == 302
    assert list(Image.objects.all()) == [theirs]
    assert (
        editor.post(f"/admin/media/image/{theirs.pk}/delete/", {"post": "yes"}).status_code == 302
    )
    assert not Image.objects.exists()


def test_the_ownership_rule(login):
    author, editor, contributor = login("Author"), login("Editor"), login("Contributor")
    image = uploaded_by(author.user)
    assert roles.can_change_image(author.user, image)
    assert roles.can_change_image(editor.user, image)
    assert not roles.can_change_image(login("Author").user, image)
    assert not roles.can_change_image(author.user, uploaded_by(None))
    # A contributor has no right to change images, not even one they are recorded as uploading.
    assert not roles.can_change_image(contributor.user, uploaded_by(contributor.user))


def test_a_contributor_sees_an_image_read_only(login):
    contributor = login("Contributor")
    image = uploaded_by(login("Author").user, "Harbour cranes")
    page = contributor.get(change_url(image))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Harbour cranes" in html and image.file.url in html
    assert 'name="alt_text"' not in html and 'name="_save"' not in html


def test_used_in_lists_only_the_posts_the_viewer_may_open(login, make_post):
    author, editor, other = login("Author"), login("Editor"), login("Contributor")
    image = uploaded_by(author.user)
    own = make_post("My column", image=image, created_by=author.user)
    draft = make_post(
        "Secret scoop", status=Post.Status.DRAFT, created_by=other.user,
        body=f"![Cranes]({image.file.url})",
    )  # fmt: skip

    def usage(client):
        return client.get(change_url(image)).content.decode()

    link = '<a href="/admin/posts/post/{}/change/">{}</a>'
    mine = usage(author)
    assert link.format(own.pk, own.title) in mine
    assert "Secret scoop" not in mine and f"/admin/posts/post/{draft.pk}/" not in mine
    everything = usage(editor)
    assert link.format(own.pk, own.title) in everything
    assert link.format(draft.pk, draft.title) in everything


def test_a_contributor_is_told_an_image_is_in_no_post_they_can_open(login, make_post):
    contributor = login("Contributor")
    image = uploaded_by(None)
    make_post("Secret scoop", status=Post.Status.DRAFT, image=image)
    html = contributor.get(change_url(image)).content.decode()
    assert "Not used in any post you can open." in html and "Secret scoop" not in html


def stored(image) -> set[str]:
    return {image.file.name, *stored_names(image.renditions)}


def test_replacing_the_file_makes_new_renditions_and_removes_the_old_files(
    login, django_capture_on_commit_callbacks
):
    author = login("Author")
    image = uploaded_by(author.user)
    old = stored(image)
    assert all(default_storage.exists(name) for name in old)

    data = admin_form_data(author.get(change_url(image)))
    data["file"] = SimpleUploadedFile("new.jpg", jpeg("navy", (800, 600)), "image/jpeg")
    with django_capture_on_commit_callbacks(execute=True):
        assert author.post(change_url(image), data).status_code == 302

    image.refresh_from_db()
    new = stored(image)
    assert not new & old
    assert [entry["width"] for entry in image.renditions["fallback"]] == [480, 800]
    assert all(default_storage.exists(name) for name in new)
    assert not any(default_storage.exists(name) for name in old)
    with default_storage.open(image.rendition_url(800).removeprefix("/media/")) as rendition:
        assert PILImage.open(rendition).getpixel((10, 10))[2] > 100  # navy, not sienna


def test_the_old_files_stay_until_the_replacement_is_committed(
    login, django_capture_on_commit_callbacks
):
    image = uploaded_by(login("Author").user)
    old = stored(image)
    with django_capture_on_commit_callbacks() as pending:
        image.caption = "Dawn"
        image.save()
    assert pending == [] and stored(image) == old  # words alone leave the files be
    with django_capture_on_commit_callbacks() as pending:
        image.file = ContentFile(jpeg("navy"), name="new.jpg")
        image.save()
        assert all(default_storage.exists(name) for name in old)
    assert len(pending) == len(old)
    for callback in pending:
        callback()
    assert not any(default_storage.exists(name) for name in old)
    assert all(default_storage.exists(name) for name in stored(image))


def test_a_replaced_file_shows_in_the_texts_that_showed_the_old_one(
    login, client, make_post, django_capture_on_commit_callbacks
):
    image = uploaded_by(login("Author").user)
    old_name = image.file.name
    post = make_post(slug="cranes", body=f"Lead.\n\n![Harbour cranes]({image.file.url})\n")
    other = make_post(slug="other", body="No picture here.")
    with django_capture_on_commit_callbacks(execute=True):
        image.file = ContentFile(jpeg("navy"), name="new.jpg")
        image.save()

    post.refresh_from_db()
    assert old_name not in post.body and image.file.name in post.body
    page = client.get("/posts/cranes/").text
    assert image.file.url in page and old_name not in page
    assert image.rendition_url(480, "webp") in page  # the new file's renditions are offered
    other.refresh_from_db()
    assert other.body == "No picture here."
