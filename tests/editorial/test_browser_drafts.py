"""No lost work, in Chromium: typed text survives leaving the page and a lost connection, and
restoring a revision onto a live article leaves it live."""

import pytest
from django.urls import reverse
from helpers import BROWSER

from editorial import revisions
from editorial.models import Draft
from posts.models import Post

pytestmark = [*BROWSER, pytest.mark.django_db(transaction=True)]


def change_url(base_url, post):
    return base_url + reverse("admin:posts_post_change", args=[post.pk])


def test_typed_text_is_autosaved_and_offered_back_after_leaving(
    editor_session, live_server, make_post
):
    from playwright.sync_api import expect

    page = editor_session
    post = make_post("Straits", body="As published.")
    page.goto(change_url(live_server.url, post))
    page.fill("#id_body", "As published.\n\nA paragraph typed and not saved.")
    expect(page.locator(".autosave-status")).to_contain_text("Autosaved at")
    assert Post.objects.get(pk=post.pk).body == "As published."

    warnings = []

    def leave(dialog):
        warnings.append(dialog.type)
        dialog.accept()

    page.on("dialog", leave)
    page.click("#site-name a, .breadcrumbs a >> nth=0")
    page.wait_for_url(f"{live_server.url}/admin/")
    assert warnings == ["beforeunload"]  # warned before leaving

    page.goto(change_url(live_server.url, post))
    prompt = page.get_by_role("alertdialog")
    expect(prompt).to_contain_text("not saved onto this post")
    assert page.input_value("#id_body") == "As published."
    prompt.get_by_role("button", name="Restore my changes").click()
    assert page.input_value("#id_body") == "As published.\n\nA paragraph typed and not saved."
    expect(page.locator(".field-body .markdownx-preview")).to_contain_text("typed and not saved")

    page.click("input[name=_continue]")
    page.wait_for_url(change_url(live_server.url, post))
    assert Post.objects.get(pk=post.pk).body.endswith("A paragraph typed and not saved.")
    assert not Draft.objects.exists()
    expect(page.get_by_role("alertdialog")).to_have_count(0)


def test_offline_the_text_is_kept_in_the_browser_and_sent_when_back(
    editor_session, live_server, make_post
):
    from playwright.sync_api import expect

    page = editor_session
    post = make_post("Cables")
    page.goto(change_url(live_server.url, post))
    page.context.set_offline(True)
    page.fill("#id_body", "Written on a train.")
    status = page.locator(".autosave-status")
    expect(status).to_contain_text("Offline")
    assert not Draft.objects.exists()

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(status).to_contain_text("Autosaved at")
    fields = dict(Draft.objects.get().data["fields"])
    assert fields["body"] == "Written on a train."


def test_restoring_a_revision_onto_a_live_article_leaves_it_live(
    editor_session, live_server, make_post, new_context
):
    from playwright.sync_api import expect

    page = editor_session
    post = make_post("Ports and power", status=Post.Status.DRAFT, body="First words.")
    revisions.record(post, note="First draft")
    post.title, post.status, post.body = "Ports and influence", Post.Status.PUBLISHED, "Live."
    post.save()
    revisions.record(post)

    page.goto(live_server.url + reverse("admin:posts_post_revisions", args=[post.pk]))
    page.get_by_role("button", name="Load revision 1 into the form").click()
    expect(page.locator(".pending-changes")).to_contain_text("Readers still see the live article")
    assert page.input_value("#id_title") == "Ports and power"

    reader = new_context().new_page()
    reader.goto(live_server.url + post.get_absolute_url())
    assert reader.locator("h1").inner_text() == "Ports and influence"
    assert Post.objects.get(pk=post.pk).status == Post.Status.PUBLISHED

    page.click("input[name=_continue]")
    page.wait_for_url(change_url(live_server.url, post))
    reader.reload()
    assert reader.locator("h1").inner_text() == "Ports and power"
