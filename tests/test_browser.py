"""An editor in a real browser: write with the live preview, publish, and read the result."""

import shutil

import pytest
from django.db import connections

from posts.models import Post

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
