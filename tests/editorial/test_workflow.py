"""The review through the admin: who may press which button, the steps each save records, the
e-mails they send once the save commits, and the messages that say what happened."""

import logging
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from helpers import AUTHOR, CONTRIBUTOR, EDITOR, SUPERUSER, add_form, admin_form_data

from editorial.models import ReviewStep
from posts.models import Author, Post

Action = ReviewStep.Action
CHANGELIST = "/admin/posts/post/"


def change_url(post):
    return f"/admin/posts/post/{post.pk}/change/"


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def press(client, post, button, **changes):
    """Open the post's form as `client`, make `changes`, and press `button` (its name)."""
    data = admin_form_data(client.get(change_url(post)), **changes)
    return client.post(change_url(post), {**data, button: "pressed"})


def shown_messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def newsroom(member):
    """A contributor, Ana Ruiz, and the people around her desk, each with an address."""
    ana = member(CONTRIBUTOR, "ana", email="ana@example.org")
    ana.first_name, ana.last_name = "Ana", "Ruiz"
    ana.save()
    return {
        "ana": ana,
        "editor": member(EDITOR, "eve", email="eve@example.org"),
        "chief": member(SUPERUSER, "sam", email="sam@example.org"),
        # May publish only their own posts: not asked to review others'.
        "author": member(AUTHOR, "otto", email="otto@example.org"),
    }


@pytest.fixture
def anas_post(make_post, newsroom):
    """Ana's draft, with her in its byline."""
    ana = newsroom["ana"]
    return make_post(
        "Ports and Power",
        status=Post.Status.DRAFT,
        published_at=None,
        created_by=ana,
        authors=[Author.objects.get(user=ana)],
    )


def in_review(post):
    post.status = Post.Status.REVIEW
    post.save()
    return post


# What the form offers


def button_names(response) -> set[str]:
    html = response.content.decode()
    names = ["_save_draft", "_submit", "_save", "_publish", "_schedule", "_request_changes"]
    return {name for name in names if f'name="{name}"' in html}


def test_the_form_offers_each_role_its_buttons_and_a_labelled_note(newsroom, anas_post):
    contributor_page = logged_in(newsroom["ana"]).get(change_url(anas_post))
    assert button_names(contributor_page) == {"_save_draft", "_submit"}
    html = contributor_page.content.decode()
    assert '<label for="id_review_note">Note for the review</label>' in html
    assert '<textarea name="review_note"' in html

    editor = logged_in(newsroom["editor"])
    assert button_names(editor.get(change_url(anas_post))) == {"_save", "_publish", "_schedule"}
    in_review(anas_post)
    assert button_names(editor.get(change_url(anas_post))) == {
        "_save",
        "_publish",
        "_schedule",
        "_request_changes",
    }


# A contributor's POST cannot publish


@pytest.mark.parametrize(
    ("button", "changes"),
    [
        ("_publish", {}),
        ("_schedule", {"published_at": timezone.now() + timedelta(days=3)}),
        ("_request_changes", {"review_note": "Shorter, please."}),
        ("_save_draft", {"status": Post.Status.PUBLISHED}),
        ("_continue", {"status": Post.Status.PUBLISHED}),
    ],
)
def test_a_contributor_cannot_publish_or_schedule_by_any_post(
    newsroom, anas_post, mailoutbox, django_capture_on_commit_callbacks, button, changes
):
    before = (anas_post.status, anas_post.version)
    with django_capture_on_commit_callbacks(execute=True):
        response = press(logged_in(newsroom["ana"]), anas_post, button, **changes)
    assert response.status_code == 200  # the form again, with why
    assert "Please correct the error" in response.content.decode()
    errors = response.context["adminform"].form.errors
    assert errors.get("__all__") or errors.get("status")
    anas_post.refresh_from_db()
    assert (anas_post.status, anas_post.version) == before
    assert not ReviewStep.objects.exists()
    assert mailoutbox == []


def test_a_contributors_publish_is_refused_with_a_message_naming_why(newsroom, anas_post):
    response = press(logged_in(newsroom["ana"]), anas_post, "_publish")
    assert "You may not publish, schedule or send back this post" in response.content.decode()


# Submitting


def test_submitting_records_a_step_and_mails_the_editors_through_smtp(
    newsroom, anas_post, member, smtp_server, django_capture_on_commit_callbacks
):
    member(EDITOR, "nobody-mailed")  # an editor without an address
    gone = member(EDITOR, "gone", email="gone@example.org")
    gone.is_active = False
    gone.save()

    with django_capture_on_commit_callbacks(execute=True):
        response = press(
            logged_in(newsroom["ana"]), anas_post, "_submit", review_note="Ready, I think."
        )
    assert response.status_code == 302
    assert shown_messages(response) == ["Submitted “Ports and Power” for review."]
    anas_post.refresh_from_db()
    assert anas_post.status == Post.Status.REVIEW
    step = anas_post.review_steps.get()
    assert (step.action, step.actor, step.note) == (
        Action.SUBMITTED,
        newsroom["ana"],
        "Ready, I think.",
    )

    # Each once: the editor and the superuser, not the author, the submitter or the inactive.
    assert sorted(mail["to"] for mail in smtp_server.messages) == [
        "eve@example.org",
        "sam@example.org",
    ]
    mail = smtp_server.messages[0]
    assert mail["subject"] == "For review: “Ports and Power”, from Ana Ruiz"
    assert "Ana Ruiz submitted “Ports and Power” for review." in mail["body"]
    assert "Ready, I think." in mail["body"]
    assert f"http://testserver/admin/posts/post/{anas_post.pk}/change/" in mail["body"]


def test_e_mail_waits_for_the_save_to_commit(
    newsroom, anas_post, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        press(logged_in(newsroom["ana"]), anas_post, "_submit")
        assert mailoutbox == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert len(mailoutbox) == 2


def test_a_new_post_can_be_submitted_from_the_add_form(
    newsroom, mailoutbox, django_capture_on_commit_callbacks
):
    ana = newsroom["ana"]
    form = add_form(Author.objects.get(user=ana), status="draft", _submit="pressed")
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in(ana).post("/admin/posts/post/add/", form)
    assert shown_messages(response) == ["Submitted “Ports and Power” for review."]
    post = Post.objects.get()
    assert (post.status, post.review_steps.get().action) == (Post.Status.REVIEW, Action.SUBMITTED)
    assert {mail.to[0] for mail in mailoutbox} == {"eve@example.org", "sam@example.org"}


def test_saving_a_draft_says_so_and_records_no_step(newsroom, anas_post):
    response = press(logged_in(newsroom["ana"]), anas_post, "_save_draft", title="Harbours")
    assert shown_messages(response) == ["Saved “Harbours” as a draft."]
    assert not ReviewStep.objects.exists()


# Requesting changes


def test_requesting_changes_needs_a_note(newsroom, anas_post, mailoutbox):
    in_review(anas_post)
    response = press(logged_in(newsroom["editor"]), anas_post, "_request_changes")
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["review_note"] == [
        "Say what needs changing: the note is what the writer receives."
    ]
    assert 'class="form-row field-review_note errors"' in response.content.decode()
    anas_post.refresh_from_db()
    assert anas_post.status == Post.Status.REVIEW
    assert not ReviewStep.objects.exists()


def test_requesting_changes_sends_the_post_back_and_mails_the_writer(
    newsroom, anas_post, member, smtp_server, django_capture_on_commit_callbacks
):
    co_writer = member(CONTRIBUTOR, "cy", email="cy@example.org")
    anas_post.authors.add(Author.objects.get(user=co_writer))
    in_review(anas_post)
    with django_capture_on_commit_callbacks(execute=True):
        response = press(
            logged_in(newsroom["editor"]),
            anas_post,
            "_request_changes",
            review_note="The second section needs a source.",
        )
    assert shown_messages(response) == ["Asked for changes to “Ports and Power”."]
    anas_post.refresh_from_db()
    assert anas_post.status == Post.Status.DRAFT
    step = anas_post.review_steps.get()
    assert (step.action, step.note) == (
        Action.CHANGES_REQUESTED,
        "The second section needs a source.",
    )
    # The creator and the byline's logins, each once; never the editor who asked.
    assert sorted(mail["to"] for mail in smtp_server.messages) == [
        "ana@example.org",
        "cy@example.org",
    ]
    mail = smtp_server.messages[0]
    assert mail["subject"] == "Changes requested to “Ports and Power” by eve"
    assert "The second section needs a source." in mail["body"]


def test_only_a_post_in_review_can_be_sent_back(newsroom, anas_post):
    response = press(
        logged_in(newsroom["editor"]), anas_post, "_request_changes", review_note="Why?"
    )
    assert response.context["adminform"].form.errors["__all__"] == [
        "Only a post in review can be sent back for changes."
    ]


# Publishing and scheduling


def test_publishing_records_a_step_and_mails_the_writer(
    newsroom, anas_post, smtp_server, django_capture_on_commit_callbacks
):
    in_review(anas_post)
    with django_capture_on_commit_callbacks(execute=True):
        response = press(
            logged_in(newsroom["editor"]), anas_post, "_publish", review_note="Lovely."
        )
    assert shown_messages(response) == ["Published “Ports and Power”."]
    anas_post.refresh_from_db()
    assert anas_post.status == Post.Status.PUBLISHED
    assert timezone.now() - anas_post.published_at < timedelta(minutes=1)  # now: no date was set
    assert Post.objects.published().filter(pk=anas_post.pk).exists()
    assert anas_post.review_steps.get().action == Action.PUBLISHED
    assert [mail["to"] for mail in smtp_server.messages] == ["ana@example.org"]
    assert smtp_server.messages[0]["subject"] == "Published: “Ports and Power”, by eve"
    assert "Lovely." in smtp_server.messages[0]["body"]


@pytest.mark.parametrize("published_at", [None, timezone.now() - timedelta(minutes=5)])
def test_scheduling_needs_a_date_in_the_future(newsroom, anas_post, published_at):
    response = press(
        logged_in(newsroom["editor"]), anas_post, "_schedule", published_at=published_at
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["published_at"] == [
        "To schedule the post, give a date and time in the future (in the site's time zone, UTC)."
    ]
    anas_post.refresh_from_db()
    assert anas_post.status == Post.Status.DRAFT


def test_scheduling_states_the_time_in_the_sites_zone_and_mails_the_writer(
    newsroom, anas_post, settings, smtp_server, django_capture_on_commit_callbacks
):
    settings.TIME_ZONE = "Europe/Paris"
    due = datetime(2030, 5, 12, 9, 0, tzinfo=ZoneInfo("Europe/Paris"))
    with django_capture_on_commit_callbacks(execute=True):
        response = press(logged_in(newsroom["editor"]), anas_post, "_schedule", published_at=due)
    assert shown_messages(response) == ["Scheduled “Ports and Power” for 12 May 2030, 09:00 CEST."]
    anas_post.refresh_from_db()
    assert (anas_post.status, anas_post.published_at) == (Post.Status.PUBLISHED, due)
    assert not Post.objects.published().filter(pk=anas_post.pk).exists()
    assert anas_post.review_steps.get().action == Action.SCHEDULED
    [mail] = smtp_server.messages
    assert mail["subject"] == "Scheduled for 12 May 2030, 09:00 CEST: “Ports and Power”, by eve"


def test_a_status_changed_in_the_drop_down_records_the_matching_step(
    newsroom, anas_post, mailoutbox, django_capture_on_commit_callbacks
):
    in_review(anas_post)
    with django_capture_on_commit_callbacks(execute=True):
        response = press(
            logged_in(newsroom["editor"]), anas_post, "_save", status=Post.Status.PUBLISHED
        )
    assert shown_messages(response) == ["Published “Ports and Power”."]
    assert anas_post.review_steps.get().action == Action.PUBLISHED
    assert [mail.to for mail in mailoutbox] == [["ana@example.org"]]


def test_a_plain_save_of_a_published_post_records_nothing(newsroom, anas_post, mailoutbox):
    anas_post.status = Post.Status.PUBLISHED
    anas_post.save()
    response = press(logged_in(newsroom["editor"]), anas_post, "_continue", title="Ports")
    assert shown_messages(response) == ["Saved “Ports”; it is published."]
    assert not ReviewStep.objects.exists()
    assert mailoutbox == []


# The change list's actions


def test_bulk_publish_and_unpublish_record_a_step_for_each_post(
    newsroom, make_post, mailoutbox, django_capture_on_commit_callbacks
):
    ana = newsroom["ana"]
    now_post = make_post("Now", status=Post.Status.REVIEW, published_at=None, created_by=ana)
    later = make_post(
        "Later", status=Post.Status.DRAFT, published_at=timezone.now() + timedelta(days=2)
    )
    editor = logged_in(newsroom["editor"])

    def act(action, *posts):
        data = {"action": action, ACTION_CHECKBOX_NAME: [str(post.pk) for post in posts]}
        with django_capture_on_commit_callbacks(execute=True):
            return editor.post(CHANGELIST, data)

    act("publish", now_post, later)
    assert [step.action for step in now_post.review_steps.all()] == [Action.PUBLISHED]
    assert [step.action for step in later.review_steps.all()] == [Action.SCHEDULED]
    assert {step.actor for step in ReviewStep.objects.all()} == {newsroom["editor"]}
    assert [mail.to for mail in mailoutbox] == [["ana@example.org"]]  # Later has no login

    act("unpublish", now_post)
    assert [step.action for step in now_post.review_steps.all()] == [
        Action.UNPUBLISHED,
        Action.PUBLISHED,
    ]
    assert len(mailoutbox) == 1  # nobody is e-mailed about an unpublished post


# The history on the post


def test_the_post_shows_its_review_history_newest_first(newsroom, anas_post, settings):
    settings.TIME_ZONE = "Europe/Madrid"
    ana, editor = newsroom["ana"], newsroom["editor"]
    submitted = ReviewStep.objects.create(
        post=anas_post, action=Action.SUBMITTED, actor=ana, note="Ready, I think."
    )
    asked = ReviewStep.objects.create(
        post=anas_post, action=Action.CHANGES_REQUESTED, actor=editor, note="A source, please."
    )
    madrid = ZoneInfo("Europe/Madrid")
    ReviewStep.objects.filter(pk=submitted.pk).update(
        created_at=datetime(2026, 12, 3, 14, 5, tzinfo=madrid)
    )
    ReviewStep.objects.filter(pk=asked.pk).update(
        created_at=datetime(2026, 12, 3, 16, 30, tzinfo=madrid)
    )
    html = logged_in(editor).get(change_url(anas_post)).content.decode()
    assert history_lines(html) == [
        "Changes requested by eve, 3 Dec 16:30: «A source, please.»",
        "Submitted for review by Ana Ruiz, 3 Dec 14:05: «Ready, I think.»",
    ]


def test_the_history_costs_the_same_queries_however_long(newsroom, anas_post):
    editor = logged_in(newsroom["editor"])
    steps = [Action.SUBMITTED, Action.CHANGES_REQUESTED, Action.SUBMITTED]

    def queries_with(count):
        ReviewStep.objects.all().delete()
        for action in steps[:count]:
            ReviewStep.objects.create(post=anas_post, action=action, actor=newsroom["ana"])
        with CaptureQueriesContext(connection) as queries:
            assert len(history_lines(editor.get(change_url(anas_post)).content.decode())) == count
        return len(queries)

    assert queries_with(1) == queries_with(3)


def history_lines(html) -> list[str]:
    """The review history's entries as a reader sees them: text only, spaces collapsed."""
    entries = re.findall(r'<li class="review-step .*?</li>', html, flags=re.DOTALL)
    return [" ".join(re.sub(r"<[^>]+>", "", entry).split()) for entry in entries]


# A mail server that fails


@pytest.mark.django_db(transaction=True)
def test_an_smtp_server_that_is_down_does_not_lose_the_save(
    make_post, django_user_model, smtp_server, caplog
):
    # Superusers: a transactional test cannot count on the role groups (a flush empties them).
    ana = django_user_model.objects.create_user("ana", "ana@example.org", is_staff=True)
    editor = django_user_model.objects.create_superuser("eve", "eve@example.org")
    post = make_post("Ports and Power", status=Post.Status.REVIEW, created_by=ana)
    smtp_server.stop()
    with caplog.at_level(logging.ERROR, logger="editorial.notifications"):
        response = press(logged_in(editor), post, "_publish")
    assert response.status_code == 302
    assert shown_messages(response) == [
        "Published “Ports and Power”.",
        "The post was saved, but the e-mail about “Ports and Power” could not be sent to 1 "
        "person: tell them yourself.",
    ]
    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHED
    assert post.review_steps.get().action == Action.PUBLISHED
    assert "was not sent" in caplog.text
