"""An editor in a real browser: write with the live preview, publish, and read the result."""

import base64
import io
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from helpers import BROWSER, log_in, screenshot
from PIL import Image as PILImage

from media.models import Image
from posts.models import Post

pytestmark = BROWSER


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


@pytest.mark.django_db(transaction=True)
def test_the_live_preview_follows_the_body_format_chosen(editor_session, live_server, make_post):
    """A post in HTML previews as HTML; switched to Markdown, the same text reads as Markdown."""
    from playwright.sync_api import expect

    post = make_post(body="<p>As written:</p>\n\n*kept*", body_format=Post.BodyFormat.HTML)
    page = editor_session
    page.goto(f"{live_server.url}/admin/posts/post/{post.pk}/change/")
    preview = page.locator(".field-body .markdownx-preview")
    expect(preview).to_contain_text("*kept*")
    page.check("#id_body_format_0")  # Markdown
    expect(preview.locator("em")).to_have_text("kept")
    page.check("#id_body_format_1")  # HTML again
    expect(preview).to_contain_text("*kept*")
    expect(preview.locator("em")).to_have_count(0)


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
    for event in ("dragenter", "dragover", "drop"):
        body.dispatch_event(event, {"dataTransfer": dropped})
    # Before uploading, the editor is asked what the image shows.
    dialog = page.get_by_role("dialog", name="Describe Harbour Photo.png")
    dialog.get_by_label("Alt text").fill("The harbour at dawn")
    with page.expect_response(f"{live_server.url}/markdownx/upload/") as upload:
        dialog.get_by_role("button", name="Upload and insert").click()
    assert upload.value.status == 200, upload.value.text()

    # The returned Markdown lands at the cursor, naming the stored file, not the dropped one.
    inserted = re.compile(
        r"The harbour at dawn:\n\n!\[The harbour at dawn\]\((/media/images/[0-9a-f]+\.png)\)"
    )
    expect(body).to_have_value(inserted)
    url = inserted.fullmatch(body.input_value()).group(1)

    image = Image.objects.get()
    assert image.uploaded_by.username == "editor"
    assert image.alt_text == "The harbour at dawn"
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


@pytest.mark.django_db(transaction=True)
def test_an_editor_writes_previews_shares_schedules_and_publishes(
    editor_session, new_context, live_server
):
    """An editor drafts a post, previews and shares it, schedules it; readers get it when due."""
    from playwright.sync_api import expect

    page = editor_session
    page.goto(f"{live_server.url}/admin/posts/post/add/")
    page.locator("#id_title").press_sequentially("Harbours of the Baltic")
    page.locator("#id_body[data-markdownx-init]").press_sequentially(
        "_Ports decide wars._\n\n<excerpt/>\n\n### Ice and Access\n\nText."
    )
    page.locator(".field-body .markdownx-preview h3").wait_for()
    assert page.input_value("#id_status") == "draft"
    page.click("input[name=_continue]")  # Save and continue editing
    page.wait_for_url(re.compile(r"/admin/posts/post/\d+/change/$"))
    post = Post.objects.get()
    assert (post.status, post.slug) == (Post.Status.DRAFT, "harbours-of-the-baltic")
    change_url = page.url

    # The editor's preview opens in a new tab.
    with page.context.expect_page() as opened:
        page.get_by_role("link", name="Preview", exact=True).click()
    tab = opened.value
    tab.wait_for_load_state()
    assert urlsplit(tab.url).path == f"/admin/posts/post/{post.pk}/preview/"
    expect(tab.locator(".preview-banner")).to_contain_text("Preview — not published.")
    expect(tab.locator("h1")).to_have_text("Harbours of the Baltic")
    expect(tab.locator(".prose h3")).to_have_text("Ice and Access")
    expect(tab.locator(".prose em").first).to_have_text("Ports decide wars.")
    assert tab.locator('meta[name="robots"]').get_attribute("content") == "noindex, nofollow"
    tab.close()

    # Back in the admin: a link for someone without an account, copied from the post's list.
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Share a preview link").click()
    message = page.locator(".messagelist .success", has_text="Preview link made")
    expect(message).to_contain_text("copy it from Preview links below")
    assert page.url == change_url
    listed = page.locator("#preview-links .preview-link").first
    listed.get_by_role("button", name="Copy link").click()
    expect(listed.get_by_role("status")).to_have_text("Copied")
    link = page.evaluate("navigator.clipboard.readText()")
    assert link == listed.get_by_label("Link").input_value()
    assert re.fullmatch(rf"{re.escape(live_server.url)}/preview/[^/\s]+/", link)

    reader = new_context().new_page()  # no login: nobody's cookies
    shared = reader.goto(link)
    assert shared.status == 200
    assert "noindex" in shared.headers["x-robots-tag"]
    expect(reader.locator(".preview-banner")).to_contain_text("Preview — not published.")
    expect(reader.locator("h1")).to_have_text("Harbours of the Baltic")
    expect(reader.locator(".prose h3")).to_have_text("Ice and Access")

    # Scheduled an hour from now, written in the site's time zone (settings.TIME_ZONE).
    due = timezone.localtime(timezone.now() + timedelta(hours=1))
    page.select_option("#id_status", "published")
    page.fill("#id_published_at_0", due.strftime("%Y-%m-%d"))
    page.fill("#id_published_at_1", due.strftime("%H:%M:%S"))
    page.click("input[name=_save]")
    page.wait_for_url(f"{live_server.url}/admin/posts/post/")
    row = page.locator("#result_list tr", has_text="Harbours of the Baltic")
    expect(row.locator(".field-state")).to_have_text("Scheduled")
    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHED
    assert post.published_at == due.replace(microsecond=0)  # the moment typed, not shifted
    assert post.is_scheduled

    # Readers do not get it yet; the shared link says when they will.
    reader.goto(f"{live_server.url}/")
    expect(reader.locator("article", has_text="Harbours of the Baltic")).to_have_count(0)
    assert reader.goto(f"{live_server.url}/posts/harbours-of-the-baltic/").status == 404
    reader.goto(link)
    banner = reader.locator(".preview-banner")
    expect(banner).to_contain_text("Preview — not published, scheduled for")
    scheduled = banner.locator("time").first
    expect(scheduled).to_contain_text(f"{due.day} {due:%B %Y, %H:%M}")
    assert scheduled.get_attribute("datetime") == due.replace(microsecond=0).isoformat()

    # Its moment comes (the live server runs in another thread: move the date, not the clock).
    post.refresh_from_db()
    post.published_at = timezone.now() - timedelta(seconds=1)
    post.save()
    reader.goto(f"{live_server.url}/")
    card = reader.locator("article", has_text="Harbours of the Baltic")
    expect(card).to_have_count(1)
    expect(card.locator("em")).to_have_text("Ports decide wars.")  # the excerpt
    card.get_by_role("link", name="Harbours of the Baltic").click()
    reader.wait_for_url(f"{live_server.url}/posts/harbours-of-the-baltic/")
    expect(reader.locator("h1")).to_have_text("Harbours of the Baltic")
    expect(reader.locator(".prose h3")).to_have_text("Ice and Access")
    expect(reader.locator(".preview-banner")).to_have_count(0)
    assert reader.locator('meta[name="robots"]').count() == 0


@pytest.mark.django_db(transaction=True)
def test_two_editors_save_the_same_post_and_the_later_save_is_refused(
    page, new_context, live_server, django_user_model
):
    """Two editors open one post in two browsers; Ana saves first, Ben's save is refused intact."""
    from playwright.sync_api import expect

    for username, first_name in (("ana", "Ana"), ("ben", "Ben")):
        django_user_model.objects.create_superuser(
            username, f"{username}@example.org", "a-long-password",
            first_name=first_name, last_name="Editor",
        )  # fmt: skip
    post = Post.objects.create(
        title="The original title", slug="the-original-title", body="The original text."
    )
    change_url = f"{live_server.url}/admin/posts/post/{post.pk}/change/"

    ana = log_in(new_context().new_page(), live_server.url, "ana", "a-long-password")
    ben = log_in(new_context().new_page(), live_server.url, "ben", "a-long-password")
    ana.goto(change_url)
    ben.goto(change_url)
    expect(ben.locator("#id_title")).to_have_value("The original title")

    ana.fill("#id_title", "Ana's title")
    ana.click("input[name=_save]")
    ana.wait_for_url(f"{live_server.url}/admin/posts/post/")
    expect(ana.locator(".messagelist .success")).to_contain_text("Saved “Ana's title” as a draft.")

    ben.fill("#id_title", "Ben's title")
    ben.locator("#id_body").fill("Ben's text, written while Ana saved.")
    with ben.expect_navigation():
        ben.click("input[name=_save]")
    assert ben.url == change_url  # the form again, not the changelist
    expect(ben.locator(".errornote")).to_be_visible()
    expect(ben.locator(".errorlist.nonfield")).to_contain_text("Ana Editor saved this post at")
    expect(ben.locator(".errorlist.nonfield")).to_contain_text("your changes were not saved")
    assert ben.input_value("#id_title") == "Ben's title"
    assert ben.input_value("#id_body") == "Ben's text, written while Ana saved."
    post.refresh_from_db()
    assert (post.title, post.body) == ("Ana's title", "The original text.")

    ben.goto(change_url)  # opens the post again (a reload would post the form once more)
    expect(ben.locator("#id_title")).to_have_value("Ana's title")
    expect(ben.locator("#id_body")).to_have_value("The original text.")


# The reader's side: accessibility, layout, weight, and the screenshots in docs/

READER_PAGES = {
    "home": "/",
    "article": "/posts/undersea-cables/",
    "tag": "/tags/infrastructure/",
    "author": "/authors/ingrid-solvang/",
    "search": "/search/?q=cables",
}


@pytest.fixture
def publication(transactional_db):
    """The demo publication, as a reader would find it."""
    from django.core.management import call_command

    call_command("loaddata", "demo", verbosity=0)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", READER_PAGES)
def test_reader_pages_have_no_accessibility_violations(page, live_server, publication, name):
    """axe-core (the engine behind Lighthouse's accessibility audit) finds nothing to fix."""
    from axe_playwright_python.sync_playwright import Axe

    response = page.goto(f"{live_server.url}{READER_PAGES[name]}")
    assert response.status == 200
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    page.emulate_media(color_scheme="dark")
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", ["home", "article"])
def test_reader_pages_fit_a_320_pixel_phone_and_need_no_other_host(
    page, live_server, publication, name
):
    """Nothing scrolls sideways on the narrowest phone, and every request stays on the site."""
    hosts = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{live_server.url}{READER_PAGES[name]}")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert hosts == {urlsplit(live_server.url).netloc}
    assert page.locator("script:not([type='application/ld+json'])").count() == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", ["home", "article"])
@pytest.mark.parametrize(("device", "size"), [("phone", (390, 844)), ("desktop", (1280, 900))])
def test_screenshots_of_home_and_article(
    page, live_server, publication, tmp_path, name, device, size
):
    """The README's screenshots, taken afresh (helpers.screenshot)."""
    screenshot(page, f"{live_server.url}{READER_PAGES[name]}", size, f"{name}-{device}", tmp_path)
