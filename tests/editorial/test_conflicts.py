"""No lost edits: a save made from an older version of a post is refused, and nothing is lost."""

import pytest
from django.contrib.auth.models import User
from helpers import admin_form_data

from posts.models import Post

pytestmark = pytest.mark.django_db


def editor(django_user_model, username, first_name):
    user = django_user_model.objects.create_superuser(username, f"{username}@example.org", "pw")
    user.first_name, user.last_name = first_name, "Editor"
    user.save()
    return user


@pytest.fixture
def two_editors(client, django_user_model):
    from django.test import Client

    first, second = Client(), Client()
    first.force_login(editor(django_user_model, "ana", "Ana"))
    second.force_login(editor(django_user_model, "ben", "Ben"))
    return first, second


def test_the_second_of_two_saves_is_refused_and_keeps_its_text(two_editors, make_post):
    post = make_post("The original title")
    url = f"/admin/posts/post/{post.pk}/change/"
    first, second = two_editors
    first_form = admin_form_data(first.get(url))
    second_form = admin_form_data(second.get(url))

    assert first.post(url, {**first_form, "title": "Ana's title"}).status_code == 302
    response = second.post(url, {**second_form, "title": "Ben's title", "body": "Ben's text."})

    assert response.status_code == 200
    errors = response.context["adminform"].form.non_field_errors()
    assert len(errors) == 1 and errors[0].startswith("Ana Editor saved this post at ")
    assert "your changes were not saved" in errors[0]
    page = response.content.decode()
    assert "Ben&#x27;s title" in page and "Ben&#x27;s text." in page  # nothing of Ben's is lost
    post.refresh_from_db()
    assert post.title == "Ana's title"


def test_a_save_after_an_admin_action_is_refused(two_editors, make_post):
    post = make_post("Waiting", status=Post.Status.DRAFT, published_at=None)
    url = f"/admin/posts/post/{post.pk}/change/"
    first, second = two_editors
    stale = admin_form_data(second.get(url))
    first.post("/admin/posts/post/", {"action": "publish", "_selected_action": [post.pk]})
    response = second.post(url, {**stale, "title": "Edited while it was published"})
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors()[0].startswith("Ana Editor saved")
    post.refresh_from_db()
    assert (post.title, post.status) == ("Waiting", Post.Status.PUBLISHED)


def test_saving_twice_from_fresh_forms_works(two_editors, make_post):
    post = make_post("One")
    url = f"/admin/posts/post/{post.pk}/change/"
    first, _ = two_editors
    assert first.post(url, {**admin_form_data(first.get(url)), "title": "Two"}).status_code == 302
    assert first.post(url, {**admin_form_data(first.get(url)), "title": "Three"}).status_code == 302
    assert Post.objects.get().title == "Three"
    assert User.objects.count() == 2
