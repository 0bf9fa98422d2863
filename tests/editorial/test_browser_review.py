"""A review in real browsers: a contributor submits, an editor asks for changes, the contributor
resubmits, the editor publishes; each step e-mails the other through a real SMTP server."""

import pytest
from helpers import BROWSER, CONTRIBUTOR, log_in, role_group

from posts.models import Author, Post

pytestmark = BROWSER


@pytest.mark.django_db(transaction=True)
def test_a_post_goes_through_review_to_readers(
    editor_session, new_context, live_server, django_user_model, smtp_server
):
    from playwright.sync_api import expect

    ana = django_user_model.objects.create_user(
        "ana", "ana@example.org", "a-long-password", is_staff=True,
        first_name="Ana", last_name="Ruiz",
    )  # fmt: skip
    ana.groups.add(role_group(CONTRIBUTOR))
    post = Post.objects.create(
        title="Ports and Power", slug="ports-and-power", body="Harbours matter.", created_by=ana
    )
    post.authors.add(Author.objects.create(name="Ana Ruiz", slug="ana-ruiz", user=ana))
    change_url = f"{live_server.url}/admin/posts/post/{post.pk}/change/"
    changelist_url = f"{live_server.url}/admin/posts/post/"
    writer = log_in(new_context().new_page(), live_server.url, "ana", "a-long-password")
    editor = editor_session

    def step(page, button, note, message):
        """Open the post, write the note, press the button; the list says what happened."""
        page.goto(change_url)
        page.get_by_label("Note for the review").fill(note)
        page.get_by_role("button", name=button, exact=True).click()
        page.wait_for_url(changelist_url)
        expect(page.locator(".messagelist .success")).to_have_text(message)

    def last_mail():
        mail = smtp_server.messages[-1]
        return mail["to"], mail["subject"]

    writer.goto(change_url)
    expect(writer.get_by_role("button", name="Publish")).to_have_count(0)
    step(writer, "Submit for review", "Ready, I think.", "Submitted “Ports and Power” for review.")
    assert last_mail() == ("editor@example.org", "For review: “Ports and Power”, from Ana Ruiz")

    step(
        editor,
        "Request changes",
        "Cite the treaty.",
        "Asked for changes to “Ports and Power”.",
    )
    assert last_mail() == ("ana@example.org", "Changes requested to “Ports and Power” by editor")
    assert "Cite the treaty." in smtp_server.messages[-1]["body"]

    step(writer, "Submit for review", "Cited.", "Submitted “Ports and Power” for review.")
    assert last_mail()[0] == "editor@example.org"

    step(editor, "Publish", "Thank you.", "Published “Ports and Power”.")
    assert last_mail() == ("ana@example.org", "Published: “Ports and Power”, by editor")
    assert len(smtp_server.messages) == 4

    editor.goto(change_url)
    history = editor.locator(".review-history .review-step")
    expect(history).to_have_count(4)
    expect(history.nth(0)).to_contain_text("Published by editor")
    expect(history.nth(0)).to_contain_text("«Thank you.»")
    expect(history.nth(1)).to_contain_text("Submitted for review by Ana Ruiz")
    expect(history.nth(2)).to_contain_text("Changes requested by editor")
    expect(history.nth(2)).to_contain_text("«Cite the treaty.»")
    expect(history.nth(3)).to_contain_text("«Ready, I think.»")

    reader = new_context().new_page()
    response = reader.goto(f"{live_server.url}/posts/ports-and-power/")
    assert response.status == 200
    expect(reader.locator("h1")).to_have_text("Ports and Power")
