"""The editorial desk holds against crafted input: renames never take another post's old URL,
nobody is shown the title or status of a post they may not open, and no save overwrites a newer
one, whatever the form omits or however close together two saves arrive."""

import sqlite3
import threading

import pytest
from django.contrib.auth.models import Group
from django.db import connection, connections
from django.test import Client
from helpers import admin_form_data

from posts.models import Author, Post, Redirect

DRAFT = Post.Status.DRAFT


def change_url(post):
    return f"/admin/posts/post/{post.pk}/change/"


def login(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def contributor(django_user_model):
    user = django_user_model.objects.create_user("carla", is_staff=True)
    user.groups.add(Group.objects.get(name="Contributor"))
    Author.objects.create(name="Carla Contributor", slug="carla", user=user)
    return user


def own_draft(user, **fields):
    fields.setdefault("slug", "carlas-draft")
    post = Post.objects.create(title="Carla's draft", status=DRAFT, created_by=user, **fields)
    post.authors.add(user.author)
    return post


# Renames and old URLs.


@pytest.mark.django_db
def test_a_rename_keeps_another_posts_old_url_pointing_at_it(make_post):
    moved = make_post("Moved", slug="old-name")
    moved.slug = "new-name"
    moved.save()
    draft = make_post("Draft", slug="draft", status=DRAFT, published_at=None)

    draft.slug = "old-name"  # another post's old URL
    draft.save()
    draft.slug = "elsewhere"
    draft.save()

    redirects = dict(Redirect.objects.values_list("old_path", "post"))
    assert redirects == {"/posts/old-name/": moved.pk, "/posts/draft/": draft.pk}


@pytest.mark.django_db
def test_the_admin_refuses_a_slug_that_is_another_posts_old_url(contributor, make_post):
    moved = make_post("Moved", slug="new-name")
    Redirect.objects.create(old_path="/posts/old-name/", post=moved)
    draft = own_draft(contributor)
    client = login(contributor)
    url = change_url(draft)

    response = client.post(url, admin_form_data(client.get(url), slug="old-name"))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["slug"] == [
        "/posts/old-name/ is an old URL of another post and sends readers there: "
        "choose another slug."
    ]
    assert Redirect.objects.get().post == moved
    assert client.post(url, admin_form_data(client.get(url), slug="fresh")).status_code == 302
    assert Post.objects.get(pk=draft.pk).slug == "fresh"


# Other posts' titles and statuses.


@pytest.mark.django_db
def test_a_content_check_names_a_post_only_to_those_who_may_open_it(
    contributor, make_post, staff_client
):
    make_post("Embargoed merger", slug="merger", status=Post.Status.REVIEW, published_at=None)
    draft = own_draft(contributor, body="See [it](/posts/merger/).")

    page = login(contributor).get(change_url(draft)).content.decode()
    assert "Embargoed merger" not in page and "(In review, /posts/merger/)" not in page
    assert (
        "Unlink or ask an editor about /posts/merger/: it leads to a page readers cannot see "
        "yet (they get “not found”)." in page
    )
    editors_page = staff_client.get(change_url(draft)).content.decode()
    assert "“Embargoed merger” (In review, /posts/merger/)" in editors_page


# Saves that do not say what they started from.


@pytest.mark.django_db
@pytest.mark.parametrize("started_from", [None, "", "seven"])
def test_a_change_without_a_valid_started_from_is_refused(staff_client, make_post, started_from):
    post = make_post("As stored")
    url = change_url(post)
    data = admin_form_data(staff_client.get(url), title="Typed title")
    if started_from is None:
        del data["started_from"]
    else:
        data["started_from"] = started_from

    response = staff_client.post(url, data)

    assert response.status_code == 200
    (error,) = response.context["adminform"].form.non_field_errors()
    assert "started_from field is missing or not a number" in error
    assert "Typed title" in response.content.decode()
    assert Post.objects.get(pk=post.pk).title == "As stored"


# Two saves at the same moment.


@pytest.fixture
def shared_database(transactional_db, tmp_path):
    """One database every thread connects to. SQLite's in-memory test database is shared-cache,
    where a writer that finds it locked fails at once instead of waiting, so for the test it is
    copied to a file."""
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield
        return
    connection.ensure_connection()
    memory, name = connection.connection, connection.settings_dict["NAME"]
    copy = sqlite3.connect(tmp_path / "db.sqlite3")
    memory.backup(copy)
    copy.close()
    connection.settings_dict["NAME"] = str(tmp_path / "db.sqlite3")
    connection.connection = None  # the next query opens the file; `memory` keeps that database
    yield
    connection.close()
    connection.settings_dict["NAME"] = name
    connection.connection = memory


@pytest.mark.django_db(transaction=True)
def test_of_two_simultaneous_saves_one_wins_and_the_other_is_refused(
    shared_database, django_user_model, make_post
):
    post = make_post("As stored")
    url = change_url(post)
    editors = {}
    for name in ("Ana", "Ben"):
        user = django_user_model.objects.create_superuser(name.lower(), first_name=name)
        client = login(user)
        editors[name] = (client, admin_form_data(client.get(url), title=f"{name}'s title"))
    start = threading.Barrier(len(editors))
    responses = {}

    def save(name):
        client, data = editors[name]
        start.wait()
        try:
            responses[name] = client.post(url, data)
        except Exception as error:  # a 500, which the test client raises
            responses[name] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=[name]) for name in editors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    codes = {
        name: getattr(response, "status_code", response) for name, response in responses.items()
    }
    assert sorted(codes.values()) == [200, 302], codes
    winner = next(name for name, code in codes.items() if code == 302)
    loser = next(name for name, code in codes.items() if code == 200)
    refused = responses[loser]
    (error,) = refused.context["adminform"].form.non_field_errors()
    assert error.startswith(f"{winner} saved this post at ")
    assert f"{loser}&#x27;s title" in refused.content.decode()
    assert Post.objects.get(pk=post.pk).title == f"{winner}'s title"


@pytest.mark.django_db
def test_view_on_site_tells_a_contributor_only_the_address_of_what_they_may_open(
    contributor, make_post
):
    from django.contrib.contenttypes.models import ContentType

    post_type = ContentType.objects.get_for_model(Post).pk
    embargoed = make_post("Embargoed", slug="secret-scoop", status=DRAFT, published_at=None)
    own = own_draft(contributor)
    client = login(contributor)

    refused = client.get(f"/admin/r/{post_type}/{embargoed.pk}/")
    assert refused.status_code == 404 and "secret-scoop" not in refused.get("Location", "")
    assert client.get(f"/admin/r/{post_type}/{own.pk}/").status_code == 302
    assert client.get(f"/admin/r/{post_type}/999999/").status_code == 404
    assert client.get("/admin/r/999999/1/").status_code == 404
