"""The desk in Chromium: the admin's home lists each case an editor acts on, the post form's
writing comforts follow the text, and both fit a 390-pixel phone. The README's screenshots of
the desk and the post form are taken here (helpers.screenshot)."""

import io
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from helpers import BROWSER, CONTRIBUTOR, log_in, role_group, screenshot
from PIL import Image as PILImage

from editorial.models import ReviewStep
from media.models import Image
from posts.models import Author, Post

pytestmark = [*BROWSER, pytest.mark.django_db(transaction=True)]

PHONE, DESKTOP = (390, 844), (1280, 900)


def png() -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (96, 64), "steelblue").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def newsroom(editor_session, django_user_model):
    """The demo publication, with a post in each state the desk lists, by the editor and by a
    contributor, and an image without alt text."""
    call_command("loaddata", "demo", verbosity=0)
    editor = django_user_model.objects.get(username="editor")
    editor.first_name, editor.last_name = "Erin", "Vogel"
    editor.save()
    ana = django_user_model.objects.create_user(
        "ana", "ana@example.org", "a-long-password", is_staff=True,
        first_name="Ana", last_name="Ruiz",
    )  # fmt: skip
    ana.groups.add(role_group(CONTRIBUTOR))
    ana_author = Author.objects.create(name="Ana Ruiz", slug="ana-ruiz-desk", user=ana)

    def post(title, author, user, **fields):
        made = Post.objects.create(
            title=title, slug=title.lower().replace(" ", "-"), created_by=user,
            body="_A lead._\n\n<excerpt/>\n\nText.", **fields,
        )  # fmt: skip
        made.authors.add(author)
        return made

    described = "Why it matters, in one sentence."
    post("Baltic ferries after the sanctions", ana_author, editor, description=described)
    queued = post(
        "Grain corridors", ana_author, ana, status=Post.Status.REVIEW, description=described
    )
    ReviewStep.objects.create(
        post=queued, action=ReviewStep.Action.SUBMITTED, actor=ana, note="Ready for a read."
    )
    post(
        "Red Sea convoys",
        ana_author,
        editor,
        status=Post.Status.PUBLISHED,
        published_at=timezone.now() + timedelta(days=2),
        description=described,
    )
    post("Undescribed notes", ana_author, editor)  # no description: fails a content check
    Image.objects.create(file=ContentFile(png(), name="x.png"), alt_text="", uploaded_by=editor)
    return {"editor": editor, "ana": ana, "queued": queued}


def panel(page, title):
    return page.locator(".desk-panel", has=page.get_by_role("heading", name=title))


def test_the_desk_lists_each_case(editor_session, live_server, newsroom):
    from playwright.sync_api import expect

    page = editor_session
    page.goto(f"{live_server.url}/admin/")

    expect(panel(page, "My drafts")).to_contain_text("Baltic ferries after the sanctions")
    review = panel(page, "In review")
    expect(review).to_contain_text("Grain corridors")
    expect(review).to_contain_text("Submitted by Ana Ruiz,")
    expect(review).to_contain_text("Ready for a read.")
    expect(panel(page, "Scheduled next")).to_contain_text("Red Sea convoys")
    expect(panel(page, "Recently published")).to_contain_text("The Fragile Backbone")
    expect(panel(page, "Images missing alt text")).to_contain_text("Write alt text for the image")
    checks = panel(page, "Posts failing content checks")
    expect(checks).to_contain_text("Undescribed notes")
    expect(checks).to_contain_text("description")

    # Each entry opens the post's form.
    review.get_by_role("link", name="Grain corridors").click()
    page.wait_for_url(f"{live_server.url}/admin/posts/post/{newsroom['queued'].pk}/change/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit “Grain corridors”")


def test_the_word_count_reading_time_and_social_card_follow_the_text(
    editor_session, live_server, newsroom
):
    from playwright.sync_api import expect

    page = editor_session
    page.goto(live_server.url + reverse("admin:posts_post_add"))
    page.locator("#id_title").fill("Harbours and power")
    page.locator("#id_description").fill("Who holds the ports holds the trade.")
    page.locator("#id_body[data-markdownx-init]").fill(" ".join(["word"] * 460))
    expect(page.locator(".editor-reading")).to_have_text("460 words · 2 min read")

    card = page.get_by_role("group", name="Social card preview")
    expect(card.locator(".editor-social-title")).to_have_text("Harbours and power")
    expect(card.locator(".editor-social-description")).to_have_text(
        "Who holds the ports holds the trade."
    )
    expect(card).to_contain_text("No image: shared as text only")
    page.get_by_role("button", name="Choose an image").click()
    page.get_by_role("dialog", name="Choose a featured image").locator(
        ".image-chooser-result"
    ).first.click()
    expect(card.locator(".editor-social-image img")).to_be_visible()


@pytest.mark.parametrize("where", ["desk", "post-form"])
def test_the_desk_and_the_post_form_fit_a_phone(editor_session, live_server, newsroom, where):
    """An editor approving a piece from a train: nothing scrolls sideways, the buttons are
    within reach."""
    from playwright.sync_api import expect

    page = editor_session
    page.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})
    url = "/admin/" if where == "desk" else newsroom["queued"].get_admin_url()
    page.goto(live_server.url + url)
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE[0]
    if where == "post-form":
        for name in ("Publish", "Request changes"):
            button = page.get_by_role("button", name=name, exact=True)
            expect(button).to_be_visible()
            box = button.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE[0], name
    else:
        expect(page.get_by_role("heading", name="In review")).to_be_visible()


@pytest.mark.parametrize("where", ["desk", "post-form"])
@pytest.mark.parametrize(("device", "size"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_screenshots_of_the_desk_and_the_post_form(
    editor_session, live_server, newsroom, tmp_path, where, device, size
):
    url = "/admin/" if where == "desk" else newsroom["queued"].get_admin_url()
    screenshot(editor_session, live_server.url + url, size, f"{where}-{device}", tmp_path)


def test_a_contributor_submits_from_a_phone(new_context, live_server, newsroom):
    """The writer's side of the same form, at phone width: submitting is one tap away."""
    from playwright.sync_api import expect

    page = new_context().new_page()
    page.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})
    log_in(page, live_server.url, "ana", "a-long-password")
    draft = Post.objects.get(title="Baltic ferries after the sanctions")
    draft.created_by = newsroom["ana"]
    draft.save()
    page.goto(live_server.url + draft.get_admin_url())
    page.get_by_label("Note for the review").fill("Sent from the train.")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".messagelist .success")).to_have_text(
        "Submitted “Baltic ferries after the sanctions” for review."
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE[0]
    assert Post.objects.get(pk=draft.pk).status == Post.Status.REVIEW


@pytest.mark.parametrize("where", ["desk", "post-form"])
def test_the_desk_and_the_post_form_have_no_accessibility_violations(
    editor_session, live_server, newsroom, where
):
    """axe-core finds nothing to fix on the desk's own pages, light or dark, the chooser's
    dialog open."""
    from axe_playwright_python.sync_playwright import Axe

    page = editor_session
    url = "/admin/" if where == "desk" else newsroom["queued"].get_admin_url()
    page.goto(live_server.url + url)
    page.wait_for_load_state("networkidle")
    if where == "post-form":
        page.get_by_role("button", name="Choose an image").click()
        page.locator(".image-chooser-result").first.wait_for()
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        results = Axe().run(page)
        assert results.violations_count == 0, f"{scheme}: {results.generate_report()}"
