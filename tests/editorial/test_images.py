"""Images on the post form, server side: who may drop one and what a refusal says, and the
featured-image chooser's thumbnails, search and upload-in-place."""

import io
import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from helpers import AUTHOR, CONTRIBUTOR, EDITOR, admin_form_data
from PIL import Image as PILImage

from editorial.editor import NO_UPLOAD_RIGHT
from media.models import Image
from posts.models import Post

pytestmark = pytest.mark.django_db

UPLOAD = "/markdownx/upload/"
CHOOSE = "/admin/media/image/choose/"


def png(colour="teal") -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (64, 48), colour).save(buffer, "PNG")
    return buffer.getvalue()


def library_image(user, alt_text, caption="", name="x.png") -> Image:
    return Image.objects.create(
        file=ContentFile(png(), name=name), alt_text=alt_text, caption=caption, uploaded_by=user
    )


def drop(client, content, name="map.png", **extra):
    upload = SimpleUploadedFile(name, content, content_type="image/png")
    return client.post(UPLOAD, {"image": upload, **extra})


def drops_config(page: str) -> str:
    return re.search(r'<div id="image-drops"[^>]*>', page)[0]


def test_a_contributors_form_says_before_any_drop_that_they_may_not_upload(
    client, member, make_post
):
    writer = member(CONTRIBUTOR)
    post = make_post(status="draft", published_at=None, authors=[writer.author], created_by=writer)
    client.force_login(writer)
    page = client.get(reverse("admin:posts_post_change", args=[post.pk])).content.decode()
    config = drops_config(page)
    assert 'data-can-upload="false"' in config
    assert f'data-refusal="{NO_UPLOAD_RIGHT}"' in config
    assert 'id="image-alt-dialog"' not in page
    assert "You may not upload images: an editor can add one" in page  # the chooser says so too


def test_a_contributors_drop_is_refused_in_json_naming_why_and_nothing_is_kept(client, member):
    client.force_login(member(CONTRIBUTOR))
    response = drop(client, png())
    assert response.status_code == 403
    assert response.json() == {"image": [NO_UPLOAD_RIGHT]}
    assert not Image.objects.exists()


def test_a_logged_out_drop_is_refused_in_json(client):
    response = drop(client, png())
    assert response.status_code == 403
    assert response.json()["image"] == ["Log in to the admin to upload images."]


def test_an_authors_form_asks_for_alt_text_and_the_drop_keeps_it_in_the_library(client, member):
    author = member(AUTHOR)
    client.force_login(author)
    page = client.get(reverse("admin:posts_post_add")).content.decode()
    assert 'data-can-upload="true"' in drops_config(page)
    assert 'id="image-alt-dialog"' in page

    response = drop(client, png(), alt="Container cranes at dusk")
    assert response.status_code == 200
    image = Image.objects.get()
    assert image.alt_text == "Container cranes at dusk" and image.uploaded_by == author
    body = response.json()
    assert body["image_code"] == f"![Container cranes at dusk]({image.file.url})"
    assert body["image"]["id"] == image.pk and body["image"]["alt"] == "Container cranes at dusk"


def test_a_refused_file_gets_the_servers_reason_and_no_markdown(client, member):
    client.force_login(member(AUTHOR))
    response = drop(client, b"<svg xmlns='http://www.w3.org/2000/svg'/>", name="logo.png")
    assert response.status_code == 400
    assert response.json() == {"image": ["logo.png: not a JPEG, PNG, GIF or WebP image."]}
    assert "image_code" not in response.json()


# The featured-image chooser


def test_the_chooser_shows_the_chosen_image_and_says_which_alt_and_caption_win(
    client, member, make_post
):
    editor = member(EDITOR)
    image = library_image(editor, "Harbour at night", caption="Rotterdam, 2024")
    post = make_post(image=image)
    client.force_login(editor)
    page = client.get(reverse("admin:posts_post_change", args=[post.pk])).content.decode()

    [chooser] = re.findall(r'<div class="image-chooser".*?</dialog>', page, re.S)
    assert f'<input type="hidden" name="image" value="{image.pk}"' in chooser
    assert f'src="{image.rendition_url(320)}"' in chooser
    shown = re.sub(r"\s+", " ", chooser)
    assert 'Alt text from the library: <q class="image-chooser-alt">Harbour at night</q>' in shown
    assert "Rotterdam, 2024" in chooser
    assert "wins over the library image's alt text" in page
    assert "wins over the library image's caption" in page
    assert 'class="select2' not in page and "autocomplete" not in chooser.replace(
        'autocomplete="off"', ""
    )


def test_the_chooser_searches_the_library_with_thumbnails_newest_first(client, member):
    editor = member(EDITOR)
    old = library_image(editor, "Grain silos", name="silos.png")
    new = library_image(editor, "Grain ship", caption="Odesa", name="ship.png")
    library_image(editor, "A parliament", name="hall.png")
    client.force_login(editor)

    found = client.get(CHOOSE, {"q": "grain"}).json()
    assert [entry["id"] for entry in found["results"]] == [new.pk, old.pk]
    assert found["results"][0] == {
        "id": new.pk,
        "thumbnail": new.rendition_url(320),
        "url": new.file.url,
        "alt": "Grain ship",
        "caption": "Odesa",
        "size": "64×48",
    }
    assert found["more"] is False
    assert len(client.get(CHOOSE).json()["results"]) == 3


def test_the_chooser_lists_at_most_24_and_says_there_are_more(client, member):
    editor = member(EDITOR)
    Image.objects.bulk_create(
        Image(file=f"images/{number}.png", alt_text=f"Image {number}", width=1, height=1)
        for number in range(25)
    )
    client.force_login(editor)
    found = client.get(CHOOSE).json()
    assert len(found["results"]) == 24 and found["more"] is True


def test_the_chooser_is_closed_to_staff_who_may_not_view_the_library(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("temp", password="pw", is_staff=True))
    response = client.get(CHOOSE)
    assert response.status_code == 403
    assert response.json() == {"error": "You may not view the media library."}


def test_an_image_uploaded_in_the_chooser_is_saved_as_the_featured_image(client, member):
    editor = member(EDITOR)
    client.force_login(editor)
    uploaded = drop(client, png(), alt="Quay").json()["image"]
    post = Post.objects.create(title="Quays", slug="quays", body="Text.", status="draft")
    post.set_authors([editor.author])
    url = reverse("admin:posts_post_change", args=[post.pk])
    data = admin_form_data(client.get(url), image=uploaded["id"])
    assert client.post(url, data).status_code == 302
    assert Post.objects.get(pk=post.pk).image_id == uploaded["id"]


def test_the_author_form_handles_drops_into_the_bio_the_same_way(client, member):
    client.force_login(member(EDITOR))
    page = client.get(reverse("admin:posts_author_add")).content.decode()
    assert 'data-can-upload="true"' in drops_config(page)
    assert 'id="image-alt-dialog"' in page
    assert "js/images.js" in page


def test_the_chooser_search_costs_the_same_queries_however_large_the_library(
    client, member, django_assert_num_queries
):
    editor = member(EDITOR)
    client.force_login(editor)
    for count in (3, 30):
        Image.objects.bulk_create(
            Image(file=f"images/{count}-{n}.png", alt_text="x", width=1, height=1)
            for n in range(count)
        )
        # Session, user, permissions (user's, groups'), the images.
        with django_assert_num_queries(5):
            client.get(CHOOSE)
