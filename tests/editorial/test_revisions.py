"""Revisions: every admin save is kept, any two can be compared, and any one can be restored."""

import json
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Permission
from django.db.models import Max
from django.urls import reverse

from editorial import diff, revisions
from editorial.models import Revision
from posts.models import Byline, Post, Section
from search import index as search_index

pytestmark = pytest.mark.django_db


def byline(post):
    return [author.name for author in Post.objects.get(pk=post.pk).authors.all()]


def tags(post):
    return sorted(tag.name for tag in Post.objects.get(pk=post.pk).tags.all())


def set_byline(post, *authors):
    Byline.objects.filter(post=post).delete()
    for position, author in enumerate(authors):
        Byline.objects.create(post=post, author=author, position=position)


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_user(
        "ana", first_name="Ana", last_name="Moreau", is_staff=True
    )


# snapshot


def test_a_snapshot_keeps_every_editable_field_as_json(make_post, make_author):
    first, second = make_author("Zoe First"), make_author("Adam Second")
    section = Section.objects.create(name="Analysis", slug="analysis")
    when = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
    post = make_post(
        "Ports", authors=[first, second], tags=["maritime", "Energy"], section=section,
        published_at=when, description="Why harbours matter.",
    )  # fmt: skip

    data = revisions.snapshot(post)

    assert list(data) == revisions.FIELDS
    assert data["title"] == "Ports" and data["description"] == "Why harbours matter."
    assert data["authors"] == [first.pk, second.pk]  # byline order, not id or name order
    assert data["tags"] == ["Energy", "maritime"]
    assert data["section"] == section.pk and data["image"] is None
    assert data["published_at"] == when.isoformat() and data["status"] == "published"
    assert json.loads(json.dumps(data)) == data  # plain JSON, no encoder needed


def test_a_snapshot_reads_the_byline_from_the_database_not_a_stale_prefetch(make_post, make_author):
    first, second = make_author(), make_author()
    post = make_post(authors=[first, second])
    stale = Post.objects.prefetch_related("authors", "tags").get(pk=post.pk)
    list(stale.authors.all())
    set_byline(post, second, first)
    post.tags.add("late")
    data = revisions.snapshot(stale)
    assert data["authors"] == [second.pk, first.pk] and data["tags"] == ["late"]


# record


def test_record_numbers_each_posts_revisions_from_one(make_post, editor):
    post, other = make_post(), make_post()
    one = revisions.record(post, editor, note="First draft")
    two = revisions.record(post)
    elsewhere = revisions.record(other)
    assert (one.number, two.number, elsewhere.number) == (1, 2, 1)
    assert one.created_by == editor and one.note == "First draft"
    assert two.created_by is None
    assert one.data == revisions.snapshot(post)


def test_record_takes_the_highest_number_plus_one_even_after_a_gap(make_post):
    post = make_post()
    Revision.objects.create(post=post, number=7, data=revisions.snapshot(post))
    assert revisions.record(post).number == 8


def test_record_retries_once_when_another_save_took_the_number(make_post, monkeypatch):
    post = make_post()
    revisions.record(post)
    reads = []

    def stale_max(field):
        """The first read misses a revision another save has just stored."""
        reads.append(field)
        return Max(field) - 1 if len(reads) == 1 else Max(field)

    revisions.record(post, note="the other save")
    monkeypatch.setattr(revisions, "Max", stale_max)
    revisions.record(post, note="mine")
    assert len(reads) == 2
    assert list(post.revisions.values_list("number", "note")) == [
        (3, "mine"),
        (2, "the other save"),
        (1, ""),
    ]


# changes


def test_changes_list_only_what_changed_with_readable_diffs(make_post, make_author):
    first, second = make_author("Ines Duarte"), make_author("Keiko Tanabe")
    section = Section.objects.create(name="Analysis", slug="analysis")
    post = make_post("Ports and power", authors=[first, second], body="One.\n\nTwo words.")
    old = revisions.snapshot(post)
    post.title, post.body, post.section = (
        "Ports and <b>influence</b>",
        "One.\n\nTwo ideas.",
        section,
    )
    post.save()
    set_byline(post, second, first)
    new = revisions.snapshot(post)

    entries = {entry["name"]: entry for entry in diff.changes(old, new)}

    assert set(entries) == {"title", "body", "section", "authors"}
    assert entries["title"]["field"] == "Title"
    assert entries["title"]["old"] == "Ports and power"
    assert "<del>power</del><ins>&lt;b&gt;influence&lt;/b&gt;</ins>" in entries["title"]["html"]
    assert "Two <del>words</del><ins>ideas</ins>." in entries["body"]["html"]
    assert "Ines Duarte, Keiko Tanabe" in entries["authors"]["html"]
    assert entries["authors"]["html"].index("Keiko Tanabe, Ines Duarte") > 0
    assert "—" in entries["section"]["html"] and "Analysis" in entries["section"]["html"]
    assert diff.changes(new, new) == []


def test_a_long_body_diff_shows_the_changed_lines_with_a_little_context():
    lines = [f"Paragraph {n}." for n in range(40)]
    changed = [
        *lines[:20],
        "A new paragraph.",
        *lines[20:35],
        "Paragraph 35, revised.",
        *lines[36:],
    ]
    entry = diff.changes({"body": "\n".join(lines)}, {"body": "\n".join(changed)})[0]
    html = entry["html"]
    assert "<ins>A new paragraph.</ins>" in html
    assert "Paragraph 35<ins>, revised</ins>." in html
    assert "Paragraph 19." in html and "Paragraph 5." not in html  # context only
    assert "…" in html


# restore


def test_set_authors_replaces_the_byline_in_order_in_a_fixed_number_of_queries(
    make_post, make_author, django_assert_num_queries
):
    post = make_post()
    authors = [make_author(name=f"Author {index}") for index in range(5)]
    post.set_authors(authors[:2])
    with search_index.deferred():  # the index's own upkeep is counted elsewhere
        with django_assert_num_queries(3):  # the rows to delete, the delete, the insert
            post.set_authors([authors[4], authors[0], authors[4].pk, authors[2]])
        assert [a.name for a in post.authors.all()] == ["Author 4", "Author 0", "Author 2"]
        with django_assert_num_queries(3):
            post.set_authors([authors[1]])
    assert [author.name for author in post.authors.all()] == ["Author 1"]
    post.set_authors([authors[3], authors[2]])
    assert [author.name for author in post.authors.all()] == ["Author 3", "Author 2"]


def test_restore_brings_back_fields_byline_order_and_tags_as_a_new_revision(
    make_post, make_author, editor
):
    first, second, third = make_author("A"), make_author("B"), make_author("C")
    post = make_post("Old title", authors=[first, second], tags=["alpha", "beta"], body="Old body")
    old = revisions.record(post)
    post.title, post.body = "New title", "New body"
    post.save()
    set_byline(post, third, second)
    post.tags.set(["gamma"])
    latest = revisions.record(post)

    restored = revisions.restore(post, old, editor)

    post = Post.objects.get(pk=post.pk)
    assert (post.title, post.body) == ("Old title", "Old body")
    assert "Old body" in post.body_html  # derived HTML follows
    assert byline(post) == ["A", "B"]
    assert tags(post) == ["alpha", "beta"]
    assert restored.number == latest.number + 1
    assert restored.note == f"Restored revision {old.number}" and restored.created_by == editor
    assert restored.data == old.data
    assert restored.skipped == []


def test_restore_first_records_changes_made_outside_the_admin(make_post, editor):
    post = make_post("Recorded")
    old = revisions.record(post)
    Post.objects.filter(pk=post.pk).update(title="Changed by an import")
    post.refresh_from_db()

    restored = revisions.restore(post, old, editor)

    assert list(post.revisions.values_list("number", "note")) == [
        (3, "Restored revision 1"),
        (2, "Before restoring revision 1"),
        (1, ""),
    ]
    assert post.revisions.get(number=2).data["title"] == "Changed by an import"
    assert restored.data["title"] == "Recorded"


def test_restore_tolerates_a_deleted_section_and_author(make_post, make_author, editor):
    kept, gone = make_author("Kept"), make_author("Gone")
    section = Section.objects.create(name="Defunct", slug="defunct")
    post = make_post(authors=[gone, kept], section=section)
    old = revisions.record(post)
    set_byline(post, kept)
    revisions.record(post)
    gone_id, section_id = gone.pk, section.pk
    gone.delete()
    section.delete()

    restored = revisions.restore(post, old, editor)

    post = Post.objects.get(pk=post.pk)
    assert post.section is None and byline(post) == ["Kept"]
    assert restored.data["section"] is None and restored.data["authors"] == [kept.pk]
    assert len(restored.skipped) == 2
    # Comparing with the old revision names what is gone instead of failing.
    html = "".join(str(entry["html"]) for entry in diff.changes(old.data, restored.data))
    assert f"deleted author #{gone_id}" in html and f"deleted section #{section_id}" in html


def test_restore_keeps_the_slug_when_another_post_has_taken_it(make_post, editor):
    post = make_post(slug="ports")
    old = revisions.record(post)
    post.slug = "harbours"
    post.save()
    make_post(slug="ports")

    restored = revisions.restore(post, old, editor)

    assert Post.objects.get(pk=post.pk).slug == "harbours"
    assert restored.skipped and "ports" in restored.skipped[0]


def test_restore_never_changes_the_status_or_the_date(make_post, editor):
    """Publishing and withdrawing are their own steps: restoring a published revision onto a
    draft brings back its text, not its publication."""
    post = make_post("Live")
    live = revisions.record(post)
    post.status, post.title, post.published_at = Post.Status.DRAFT, "Withdrawn", None
    post.save()
    revisions.record(post)

    restored = revisions.restore(post, live, editor)

    post = Post.objects.get(pk=post.pk)
    assert post.title == "Live"
    assert (post.status, post.published_at) == (Post.Status.DRAFT, None)
    assert restored.skipped == []


# The admin pages, served by PostAdmin.


def history_url(post):
    return reverse("admin:posts_post_revisions", args=[post.pk])


def compare_url(post):
    return reverse("admin:posts_post_revision_compare", args=[post.pk])


def restore_url(post, number):
    return reverse("admin:posts_post_revision_restore", args=[post.pk, number])


@pytest.fixture
def edited_post(make_post, make_author, django_user_model):
    """A post saved three times, by two people: title and body changed, byline reordered."""
    first, second = make_author("Ines Duarte"), make_author("Keiko Tanabe")
    ana = django_user_model.objects.create_user("ana", first_name="Ana", last_name="Moreau")
    ben = django_user_model.objects.create_user("ben", first_name="Ben", last_name="Okafor")
    post = make_post("Ports and power", authors=[first, second], body="Harbours matter.\n\nOld.")
    revisions.record(post, ana, note="First draft")
    post.body = "Harbours matter a great deal.\n\nOld."
    post.save()
    revisions.record(post, ben)
    post.title = "Ports and influence"
    post.save()
    set_byline(post, second, first)
    revisions.record(post, ana)
    return post


def test_the_history_lists_every_revision_with_who_saved_it(staff_client, edited_post):
    response = staff_client.get(history_url(edited_post))
    assert response.status_code == 200
    page = response.content.decode()
    for number in (1, 2, 3):
        assert f'value="{number}"' in page
        assert restore_url(edited_post, number) in page
    assert "Ana Moreau" in page and "Ben Okafor" in page
    assert "First draft" in page and "First revision" in page
    assert "Changed title, authors" in page and "Changed body" in page
    assert compare_url(edited_post) in page
    assert 'class="breadcrumbs"' in page and "Ports and influence" in page


def test_compare_shows_a_word_diff_of_the_body_between_two_chosen_revisions(
    staff_client, edited_post
):
    response = staff_client.get(compare_url(edited_post), {"from": 1, "to": 2})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Harbours matter<ins> a great deal</ins>." in page
    assert [entry["field"] for entry in response.context["entries"]] == ["Body"]


def test_compare_defaults_to_the_two_newest_and_names_the_authors(staff_client, edited_post):
    response = staff_client.get(compare_url(edited_post))
    assert (response.context["old"].number, response.context["new"].number) == (2, 3)
    page = response.content.decode()
    assert "Ports and <del>power</del><ins>influence</ins>" in page
    assert "Ines Duarte, Keiko Tanabe" in page and "Keiko Tanabe, Ines Duarte" in page


def test_compare_answers_404_for_a_revision_the_post_does_not_have(staff_client, edited_post):
    assert staff_client.get(compare_url(edited_post), {"from": 9, "to": 1}).status_code == 404
    assert staff_client.get(compare_url(edited_post), {"from": 2, "to": 1}).status_code == 200


def test_restoring_a_draft_through_the_admin_brings_back_its_old_title_and_body(
    staff_client, edited_post
):
    Post.objects.filter(pk=edited_post.pk).update(status=Post.Status.DRAFT)
    response = staff_client.post(restore_url(edited_post, 1), follow=True)
    assert response.redirect_chain[0] == (
        reverse("admin:posts_post_change", args=[edited_post.pk]),
        302,
    )
    post = Post.objects.get(pk=edited_post.pk)
    assert (post.title, post.body) == ("Ports and power", "Harbours matter.\n\nOld.")
    assert byline(post) == ["Ines Duarte", "Keiko Tanabe"]
    latest = post.revisions.first()
    # Revision 4 records the unrecorded change to draft, so that restoring loses nothing.
    assert latest.number == 5 and latest.note == "Restored revision 1"
    assert latest.created_by == staff_client.user
    assert "Restored revision 1" in response.content.decode()


def test_restore_only_answers_post(staff_client, edited_post):
    assert staff_client.get(restore_url(edited_post, 1)).status_code == 405
    assert Post.objects.get(pk=edited_post.pk).title == "Ports and influence"


def test_restore_needs_the_change_permission(client, edited_post, django_user_model):
    viewer = django_user_model.objects.create_user("viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_post"))
    author = edited_post.authors.first()
    author.user = viewer
    author.save()
    client.force_login(viewer)

    assert client.post(restore_url(edited_post, 1)).status_code == 403
    assert Post.objects.get(pk=edited_post.pk).revisions.count() == 3
    history = client.get(history_url(edited_post))
    assert history.status_code == 200
    assert restore_url(edited_post, 1) not in history.content.decode()
    client.force_login(django_user_model.objects.create_superuser("chief", password="pw"))
    assert restore_url(edited_post, 1) in client.get(history_url(edited_post)).content.decode()


def test_users_without_any_post_permission_are_refused(client, edited_post, django_user_model):
    client.force_login(django_user_model.objects.create_user("intern", is_staff=True))
    assert client.get(history_url(edited_post)).status_code == 403
    assert client.get(compare_url(edited_post)).status_code == 403


def test_a_post_that_does_not_exist_is_404(staff_client, edited_post):
    assert staff_client.get(reverse("admin:posts_post_revisions", args=[999])).status_code == 404
    assert staff_client.post(restore_url(Post(pk=999), 1)).status_code == 404
    assert staff_client.get(history_url(edited_post)).status_code == 200


def test_a_save_in_the_admin_records_a_revision(staff_client, make_author):
    author = make_author()
    form = {
        "title": "Ports and Power",
        "slug": "ports-and-power",
        "body": "Text.",
        "body_format": "markdown",
        "status": "draft",
        "tags": "maritime",
        "excerpt_separator": "<excerpt/>",
        "bylines-TOTAL_FORMS": "1",
        "bylines-INITIAL_FORMS": "0",
        "bylines-0-author": str(author.pk),
        "redirects-TOTAL_FORMS": "0",
        "redirects-INITIAL_FORMS": "0",
    }
    response = staff_client.post("/admin/posts/post/add/", form)
    assert response.status_code == 302, response.context["adminform"].form.errors
    revision = Post.objects.get(slug="ports-and-power").revisions.get()
    assert revision.number == 1 and revision.created_by == staff_client.user
    assert revision.data["authors"] == [author.pk] and revision.data["tags"] == ["maritime"]


def test_the_first_edit_of_a_post_without_history_keeps_what_it_was(staff_client, make_post):
    from helpers import admin_form_data

    post = make_post("As imported")  # made outside the admin: no revision yet
    url = reverse("admin:posts_post_change", args=[post.pk])
    data = admin_form_data(staff_client.get(url), title="Edited in Quire")
    assert staff_client.post(url, data).status_code == 302
    before, after = post.revisions.order_by("number")
    assert (before.data["title"], after.data["title"]) == ("As imported", "Edited in Quire")
    assert after.created_by == staff_client.user and before.created_by is None
