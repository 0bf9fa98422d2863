"""Images on the post form, in Chromium: a drop the server refuses shows its reason and inserts
nothing, a contributor is told before dropping, an accepted drop asks for alt text and goes on
a line of its own, and the featured image is chosen from thumbnails or uploaded in place."""

import base64
import io
import re

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from helpers import BROWSER, CONTRIBUTOR, log_in
from PIL import Image as PILImage

from editorial.editor import NO_UPLOAD_RIGHT
from media.models import Image
from posts.models import Post

pytestmark = [*BROWSER, pytest.mark.django_db(transaction=True)]

SVG = b"<svg xmlns='http://www.w3.org/2000/svg'><rect/></svg>"


def png(colour="teal") -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (64, 48), colour).save(buffer, "PNG")
    return buffer.getvalue()


def drop_file(page, selector, name, content, kind="image/png"):
    """Drops a file on the element as a person dragging it from their desktop would."""
    transfer = page.evaluate_handle(
        """([name, kind, encoded]) => {
            const bytes = Uint8Array.from(atob(encoded), (c) => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], name, { type: kind }));
            return transfer;
        }""",
        [name, kind, base64.b64encode(content).decode()],
    )
    page.dispatch_event(selector, "drop", {"dataTransfer": transfer})


@pytest.mark.parametrize(
    ("form", "field", "text"),
    [
        ("admin:posts_post_add", "body", "### Heading"),
        ("admin:posts_author_add", "bio", "On ports."),
    ],
)
def test_a_refused_drop_shows_the_servers_reason_and_inserts_nothing(
    editor_session, live_server, form, field, text
):
    from playwright.sync_api import expect

    page = editor_session
    page.goto(live_server.url + reverse(form))
    page.fill(f"#id_{field}", text)
    drop_file(page, f"#id_{field}", "logo.png", SVG)

    dialog = page.get_by_role("dialog", name="Describe logo.png")
    dialog.get_by_label("Alt text").fill("Our logo")
    dialog.get_by_role("button", name="Upload and insert").click()

    message = page.locator(f".field-{field} .image-drop-message")
    expect(message).to_have_text(
        "logo.png: not a JPEG, PNG, GIF or WebP image. Nothing was inserted."
    )
    assert page.input_value(f"#id_{field}") == text
    assert page.eval_on_selector(f"#id_{field}", "e => getComputedStyle(e).opacity") == "1"
    assert not Image.objects.exists()


def test_a_dropped_image_asks_for_alt_text_and_goes_on_its_own_line(editor_session, live_server):
    from playwright.sync_api import expect

    page = editor_session
    page.goto(live_server.url + reverse("admin:posts_post_add"))
    page.fill("#id_body", "### Heading")
    page.eval_on_selector("#id_body", "e => e.setSelectionRange(0, 0)")  # the start of the line
    drop_file(page, "#id_body", "cranes.png", png())

    dialog = page.get_by_role("dialog", name="Describe cranes.png")
    dialog.get_by_label("Alt text").fill("Cranes at dusk")
    dialog.get_by_label("Alt text").press("Enter")  # answers the dialog, never saves the post

    message = page.locator(".field-body .image-drop-message")
    expect(message).to_have_text("cranes.png is in the media library and in the text.")
    image = Image.objects.get()
    assert image.alt_text == "Cranes at dusk"
    assert page.input_value("#id_body") == f"![Cranes at dusk]({image.file.url})\n\n### Heading"
    expect(page.locator(".field-body .markdownx-preview img")).to_have_attribute(
        "alt", "Cranes at dusk"
    )
    assert not Post.objects.exists()


def test_a_contributor_is_told_before_dropping_and_their_drop_inserts_nothing(
    page, live_server, member
):
    from playwright.sync_api import expect

    member(CONTRIBUTOR, "carl", password="a-long-password")
    log_in(page, live_server.url, "carl", "a-long-password")
    page.goto(live_server.url + reverse("admin:posts_post_add"))
    expect(page.locator(".field-body .image-drop-note")).to_have_text(NO_UPLOAD_RIGHT)

    page.fill("#id_body", "Text.")
    drop_file(page, "#id_body", "map.png", png())
    expect(page.locator(".field-body .image-drop-message")).to_have_text(
        f"{NO_UPLOAD_RIGHT} Nothing was inserted."
    )
    expect(page.get_by_role("dialog")).to_have_count(0)
    assert page.input_value("#id_body") == "Text."
    assert page.eval_on_selector("#id_body", "e => getComputedStyle(e).opacity") == "1"


def test_the_featured_image_is_chosen_from_thumbnails_or_uploaded_in_place(
    editor_session, live_server, make_post, django_user_model
):
    from playwright.sync_api import expect

    page = editor_session
    editor = django_user_model.objects.get(username="editor")
    for alt_text in ("Grain silos", "A parliament"):
        Image.objects.create(
            file=ContentFile(png(), name="x.png"), alt_text=alt_text, uploaded_by=editor
        )
    post = make_post("Grain", status="draft", published_at=None)
    url = live_server.url + reverse("admin:posts_post_change", args=[post.pk])
    page.goto(url)

    page.get_by_role("button", name="Choose an image").click()
    dialog = page.get_by_role("dialog", name="Choose a featured image")
    expect(dialog.locator(".image-chooser-result")).to_have_count(2)
    dialog.get_by_label("Search the library").fill("silos")
    expect(dialog.locator(".image-chooser-result")).to_have_count(1)
    expect(dialog.locator(".image-chooser-result img")).to_have_attribute(
        "src", re.compile(r"^/media/")
    )
    dialog.get_by_role("button", name="Grain silos").click()
    expect(dialog).to_be_hidden()
    expect(page.locator(".image-chooser-alt")).to_have_text("Grain silos")
    page.click("input[name=_continue]")
    page.wait_for_url(url)
    assert Post.objects.get(pk=post.pk).image.alt_text == "Grain silos"

    page.get_by_role("button", name="Choose an image").click()
    dialog.locator(".image-chooser-file").set_input_files(
        {"name": "quay.png", "mimeType": "image/png", "buffer": png("navy")}
    )
    dialog.get_by_role("textbox", name="Alt text").fill("A quay in fog")
    dialog.get_by_role("button", name="Upload and choose").click()
    expect(page.locator(".image-chooser-alt")).to_have_text("A quay in fog")
    page.click("input[name=_continue]")
    page.wait_for_url(url)
    assert Post.objects.get(pk=post.pk).image.alt_text == "A quay in fog"
