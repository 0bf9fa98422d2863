"""No lost work, no early publishing: autosaves kept aside per person, pending changes to a live
post, and revisions restored onto a live post only as pending changes."""

import json

import pytest
from django.urls import reverse
from helpers import CONTRIBUTOR, EDITOR, admin_form_data

from editorial import revisions
from editorial.models import Draft
from posts.models import Author, Post

pytestmark = pytest.mark.django_db


def change_url(post):
    return reverse("admin:posts_post_change", args=[post.pk])


def autosave_url(post=None):
    return reverse("admin:posts_post_autosave", args=[post.pk] if post else [])


def autosave(client, post, fields, labels=None):
    payload = {"fields": fields, "labels": labels or {}}
    return client.post(autosave_url(post), json.dumps(payload), content_type="application/json")


def page_autosave(response):
    """The autosave the post form hands its script, as the script reads it."""
    html = response.content.decode()
    start = html.index('<script id="post-autosave-data" type="application/json">')
    text = html[start:].split(">", 1)[1].split("</script>", 1)[0]
    return json.loads(text)


# Autosave


def test_an_autosave_is_kept_aside_and_offered_back_to_its_writer_only(client, member, make_post):
    editor, other = member(EDITOR), member(EDITOR)
    post = make_post("Straits", body="As published.")
    client.force_login(editor)

    response = autosave(client, post, [["title", "Straits"], ["body", "Typed, not saved."]])

    assert response.status_code == 200 and "saved_at" in response.json()
    assert Post.objects.get(pk=post.pk).body == "As published."  # the post is untouched
    offered = page_autosave(client.get(change_url(post)))
    assert offered["fields"] == [["title", "Straits"], ["body", "Typed, not saved."]]
    assert offered["base_version"] == post.version
    client.force_login(other)
    assert page_autosave(client.get(change_url(post))) is None


def test_a_second_autosave_replaces_the_first_and_the_form_machinery_is_not_kept(
    client, member, make_post
):
    editor = member(EDITOR)
    post = make_post()
    client.force_login(editor)
    autosave(client, post, [["body", "One"]])
    autosave(client, post, [["csrfmiddlewaretoken", "x"], ["started_from", "1"], ["body", "Two"]])

    draft = Draft.objects.get()
    assert draft.data["fields"] == [["body", "Two"]]


def test_saving_the_form_deletes_the_writers_autosave(client, member, make_post):
    editor = member(EDITOR)
    post = make_post("Straits")
    client.force_login(editor)
    autosave(client, post, [["body", "Typed"]])

    data = admin_form_data(client.get(change_url(post)), body="Typed")
    response = client.post(change_url(post), data)

    assert response.status_code == 302
    assert not Draft.objects.filter(kind=Draft.Kind.AUTOSAVE).exists()


def test_a_new_posts_autosave_is_deleted_once_the_post_is_added(client, member):
    editor = member(EDITOR)
    client.force_login(editor)
    autosave(client, None, [["title", "Half a thought"]])
    add = client.get(reverse("admin:posts_post_add"))
    assert page_autosave(add)["fields"] == [["title", "Half a thought"]]

    data = admin_form_data(
        add,
        title="Half a thought",
        slug="half-a-thought",
        body="Whole now.",
        status=Post.Status.DRAFT,
    )
    data.update({"bylines-0-author": str(Author.objects.get(user=editor).pk)})
    assert client.post(reverse("admin:posts_post_add"), data).status_code == 302
    assert not Draft.objects.exists()


def test_autosave_refuses_what_it_cannot_keep_saying_why(client, member, make_post):
    client.force_login(member(EDITOR))
    post = make_post()

    not_json = client.post(autosave_url(post), "{", content_type="application/json")
    wrong_shape = autosave(client, post, [["body"]])

    assert not_json.status_code == 400 and "not JSON" in not_json.json()["error"]
    assert wrong_shape.status_code == 400
    assert "[name, value] pair" in wrong_shape.json()["error"]
    assert not Draft.objects.exists()


def test_nobody_autosaves_a_post_they_may_not_change(client, member, make_post):
    post = make_post(status=Post.Status.DRAFT)  # someone else's
    client.force_login(member(CONTRIBUTOR))

    assert autosave(client, post, [["body", "Mine now"]]).status_code == 404
    client.logout()
    assert autosave(client, post, [["body", "Mine now"]]).status_code == 302  # to the login
    assert not Draft.objects.exists()


# Restoring a revision


@pytest.fixture
def live_post(make_post, make_author):
    """A published post with two revisions: the first a draft with another title and byline."""
    first, second = make_author("Ines Duarte"), make_author("Keiko Tanabe")
    post = make_post("Ports and power", authors=[first], status=Post.Status.DRAFT)
    revisions.record(post, note="First draft")
    post.title, post.status = "Ports and influence", Post.Status.PUBLISHED
    post.save()
    post.set_authors([second])
    revisions.record(post)
    return post


def restore(client, post, number):
    url = reverse("admin:posts_post_revision_restore", args=[post.pk, number])
    return client.post(url, follow=True)


def test_restoring_onto_a_live_post_loads_the_revision_into_the_form_and_leaves_it_live(
    client, member, live_post
):
    client.force_login(member(EDITOR))

    response = restore(client, live_post, 1)

    post = Post.objects.get(pk=live_post.pk)
    assert (post.title, post.status) == ("Ports and influence", Post.Status.PUBLISHED)
    assert [author.name for author in post.authors.all()] == ["Keiko Tanabe"]
    assert client.get(post.get_absolute_url()).status_code == 200
    form = response.context["adminform"].form
    assert form["title"].value() == "Ports and power"
    assert form["status"].value() == Post.Status.PUBLISHED  # the live status, not the draft's
    byline = response.context["inline_admin_formsets"][0].formset
    assert [row["author"].value() for row in byline.forms] == [
        Author.objects.get(name="Ines Duarte").pk
    ]
    page = response.content.decode()
    assert "loaded into the form below as pending changes" in page
    assert "Readers still see the live article" in page


def test_saving_the_form_with_the_pending_changes_publishes_them(client, member, live_post):
    client.force_login(member(EDITOR))
    response = restore(client, live_post, 1)

    data = admin_form_data(response)
    assert client.post(change_url(live_post), data).status_code == 302

    post = Post.objects.get(pk=live_post.pk)
    assert (post.title, post.status) == ("Ports and power", Post.Status.PUBLISHED)
    assert [author.name for author in post.authors.all()] == ["Ines Duarte"]
    assert not Draft.objects.exists()


def test_the_live_version_stays_one_click_away_and_pending_changes_can_be_discarded(
    client, member, live_post
):
    client.force_login(member(EDITOR))
    restore(client, live_post, 1)

    live = client.get(change_url(live_post), {"live": 1})
    assert live.context["adminform"].form["title"].value() == "Ports and influence"
    assert "Open the pending changes" in live.content.decode()

    discard = reverse("admin:posts_post_discard_pending", args=[live_post.pk])
    response = client.post(discard, follow=True)
    assert "Discarded the pending changes" in response.content.decode()
    assert not Draft.objects.exists()
    assert response.context["adminform"].form["title"].value() == "Ports and influence"


def test_edits_to_a_live_post_saved_as_pending_changes_wait_until_published(
    client, member, live_post
):
    client.force_login(member(EDITOR))
    form = client.get(change_url(live_post))
    assert 'name="_pending" value="Save as pending changes"' in form.content.decode()

    data = {**admin_form_data(form, title="Ports, power and patience"), "_pending": "1"}
    response = client.post(change_url(live_post), data, follow=True)

    [message] = [str(message) for message in response.context["messages"]]
    assert message.startswith("Kept your changes to “Ports and influence” aside as pending")
    post = Post.objects.get(pk=live_post.pk)
    assert (post.title, post.version) == ("Ports and influence", live_post.version)
    assert client.get(post.get_absolute_url()).status_code == 200
    assert "Ports, power and patience" not in client.get(post.get_absolute_url()).content.decode()
    # The form opens on the pending changes, and saving it publishes them.
    assert response.context["adminform"].form["title"].value() == "Ports, power and patience"
    assert client.post(change_url(live_post), admin_form_data(response)).status_code == 302
    assert Post.objects.get(pk=live_post.pk).title == "Ports, power and patience"
    assert not Draft.objects.exists()


def test_a_draft_offers_no_pending_changes_and_ignores_a_forged_request(client, member, make_post):
    client.force_login(member(EDITOR))
    post = make_post("Unpublished", status=Post.Status.DRAFT, published_at=None)
    form = client.get(change_url(post))
    assert "_pending" not in form.content.decode()

    data = {**admin_form_data(form, title="Saved for real"), "_pending": "1"}
    assert client.post(change_url(post), data).status_code == 302
    assert Post.objects.get(pk=post.pk).title == "Saved for real"
    assert not Draft.objects.filter(kind=Draft.Kind.PENDING).exists()


def test_a_contributors_restore_onto_a_live_post_is_refused(client, member, live_post):
    contributor = member(CONTRIBUTOR)
    live_post.set_authors([Author.objects.get(user=contributor)])
    client.force_login(contributor)

    response = restore(client, live_post, 1)

    assert response.status_code == 403
    post = Post.objects.get(pk=live_post.pk)
    assert (post.title, post.status) == ("Ports and influence", Post.Status.PUBLISHED)
    assert not Draft.objects.exists()


# Bylines


def test_a_contributor_names_only_themselves_unless_an_editor_added_others(
    client, member, make_post, make_author
):
    contributor = member(CONTRIBUTOR)
    own = Author.objects.get(user=contributor)
    colleague, added_by_an_editor = make_author("Ana Ruiz"), make_author("Ben Okafor")
    post = make_post(authors=[own, added_by_an_editor], status=Post.Status.DRAFT)
    client.force_login(contributor)
    form = client.get(change_url(post))

    kept = admin_form_data(form, title="Still mine")
    assert client.post(change_url(post), kept).status_code == 302

    added = admin_form_data(client.get(change_url(post)))
    added.update({"bylines-TOTAL_FORMS": "3", "bylines-2-author": str(colleague.pk)})
    response = client.post(change_url(post), added)
    assert response.status_code == 200
    assert "You can name only yourself in a byline; an editor can add Ana Ruiz." in (
        response.content.decode()
    )
    assert [a.name for a in Post.objects.get(pk=post.pk).authors.all()] == [
        own.name,
        "Ben Okafor",
    ]
