"""An editor in a real browser: write with the live preview, publish, and read the result."""

import base64
import io
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import connections
from PIL import Image as PILImage

from posts.models import Image, Post

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM, reason="no Chromium installed (apt-get install chromium)"),
]


@pytest.fixture
def page(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the ORM calls here are still sync.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page()
        page.set_default_timeout(15_000)
        yield page
        browser.close()
        # ORM calls made while Playwright runs get their own connection context: close it, or
        # PostgreSQL refuses to drop the test database at the end of the session.
        connections.close_all()


@pytest.fixture
def editor_session(page, live_server, django_user_model):
    django_user_model.objects.create_superuser("editor", "editor@example.org", "a-long-password")
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "a-long-password")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    return page


@pytest.mark.django_db(transaction=True)
def test_an_editor_previews_and_publishes_a_post(editor_session, live_server):
    page = editor_session
    page.goto(f"{live_server.url}/admin/posts/post/add/")
    page.locator("#id_title").press_sequentially("Straits and Supply Lines")
    assert page.input_value("#id_slug") == "straits-and-supply-lines"  # prepopulated as typed

    page.fill("#id_body", "")
    page.locator("#id_body").press_sequentially(
        "_A lead worth reading._\n\n<excerpt/>\n\n### Chokepoints\n\n<script>alert(1)</script>Text."
    )
    preview = page.locator(".field-body .markdownx-preview")
    preview.locator("h3#chokepoints").wait_for()
    assert preview.locator("em").inner_text() == "A lead worth reading."
    assert "<script" not in preview.inner_html()

    page.select_option("#id_status", "published")
    page.fill("#id_published_at_0", "2025-06-01")
    page.fill("#id_published_at_1", "08:00:00")
    page.click("input[name=_save]")
    page.wait_for_url(f"{live_server.url}/admin/posts/post/")
    assert Post.objects.get().status == Post.Status.PUBLISHED

    page.goto(f"{live_server.url}/")
    card = page.locator("article", has_text="Straits and Supply Lines")
    assert card.locator("em").inner_text() == "A lead worth reading."  # the excerpt
    assert "Chokepoints" not in card.inner_text()
    page.click("text=Straits and Supply Lines")
    page.locator("h3#chokepoints").wait_for()
    assert page.locator("h1").inner_text() == "Straits and Supply Lines"


def png_bytes(size=(64, 48), colour="teal"):
    buffer = io.BytesIO()
    PILImage.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


# Builds, in the page, what the browser hands a drop handler: a DataTransfer holding one File.
DATA_TRANSFER_WITH_FILE = """([name, type, base64]) => {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], name, { type }));
    return transfer;
}"""


@pytest.mark.django_db(transaction=True)
def test_an_editor_drops_an_image_into_the_body(editor_session, live_server):
    """An editor drags a PNG from the desktop onto the body, sees its Markdown and its preview."""
    from playwright.sync_api import expect

    page = editor_session
    page.goto(f"{live_server.url}/admin/posts/post/add/")
    body = page.locator("#id_body[data-markdownx-init]")  # markdownx has mounted its handlers
    body.press_sequentially("The harbour at dawn:\n\n")

    dropped = page.evaluate_handle(
        DATA_TRANSFER_WITH_FILE,
        ["Harbour Photo.png", "image/png", base64.b64encode(png_bytes()).decode()],
    )
    with page.expect_response(f"{live_server.url}/markdownx/upload/") as upload:
        for event in ("dragenter", "dragover", "drop"):
            body.dispatch_event(event, {"dataTransfer": dropped})
    assert upload.value.status == 200, upload.value.text()

    # The returned Markdown lands at the cursor, naming the stored file, not the dropped one.
    inserted = re.compile(r"The harbour at dawn:\n\n!\[[^\]]*\]\((/media/images/[0-9a-f]+\.png)\)")
    expect(body).to_have_value(inserted)
    url = inserted.fullmatch(body.input_value()).group(1)

    image = Image.objects.get()
    assert image.uploaded_by.username == "editor"
    assert image.file.url == url
    assert Path(image.file.path).is_file()

    # The preview shows the original or one of its renditions, whatever markup wraps the img.
    shown = {image.file.url} | {
        image.file.storage.url(made["name"]) for kind in image.renditions.values() for made in kind
    }
    preview_image = page.locator(".field-body .markdownx-preview img")
    expect(preview_image).to_have_count(1)
    assert urlsplit(preview_image.get_attribute("src")).path in shown
    # Django's live server serves MEDIA_ROOT itself, DEBUG or not (cms/urls.py needs DEBUG).
    # decode() rejects for an image that fails to load; by then the browser has chosen currentSrc.
    preview_image.scroll_into_view_if_needed()  # a library image's <img> is loading="lazy"
    current_src = preview_image.evaluate(
        "async (img) => { await img.decode(); return img.currentSrc; }"
    )
    assert urlsplit(current_src).path in shown
    assert preview_image.evaluate("(img) => img.naturalWidth") > 0
    assert page.request.get(current_src).ok
