"""Small factories and the test environment every test shares."""

import itertools
from datetime import timedelta
from pathlib import Path

import pytest
from django import forms
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.forms.widgets import ChoiceWidget
from django.utils import timezone

from posts.models import Author, Post

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEED = SHARED / "seed" / "transatlantic-strategic-security.md"

_numbers = itertools.count(1)


def needs_shared():
    """Tests that read ../shared/ skip, saying why, in a clone that does not have it."""
    return pytest.mark.skipif(
        not SHARED.is_dir(), reason=f"{SHARED} is absent (it sits beside the repository in CI)"
    )


@pytest.fixture(autouse=True)
def test_storage(settings, tmp_path):
    """Plain static storage (no manifest needed) and a throwaway media folder."""
    settings.STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def make_author(db):
    def make(name=None, **fields):
        number = next(_numbers)
        name = name or f"Author {number}"
        fields.setdefault("slug", f"author-{number}")
        return Author.objects.create(name=name, **fields)

    return make


@pytest.fixture
def make_post(db, make_author):
    """A published post, due an hour ago, with one author unless told otherwise."""

    def make(title=None, *, authors=None, tags=(), **fields):
        number = next(_numbers)
        fields.setdefault("slug", f"post-{number}")
        fields.setdefault("status", Post.Status.PUBLISHED)
        fields.setdefault("published_at", timezone.now() - timedelta(hours=number))
        lead = f"_Lead of post {number}._"
        fields.setdefault("body", f"{lead}\n\n<excerpt/>\n\nBody of post {number}.")
        post = Post.objects.create(title=title or f"Post {number}", **fields)
        # One add() per author: a single add(a, b) stores its rows in id order, not argument order.
        for author in [make_author()] if authors is None else authors:
            post.authors.add(author)
        if tags:
            post.tags.add(*tags)
        return post

    return make


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("editor", "editor@example.org", "pw")
    client.force_login(user)
    client.user = user
    return client


# Turning an admin page into the POST a browser would send


def widget_data(widget, name, value) -> dict:
    """What `widget` showing `value` submits as `name`, the way a browser would send it."""
    while isinstance(widget, RelatedFieldWidgetWrapper):
        widget = widget.widget
    if isinstance(widget, forms.MultiWidget):
        values = value if isinstance(value, list | tuple) else widget.decompress(value)
        data = {}
        for suffix, part, part_value in zip(
            widget.widgets_names, widget.widgets, values, strict=True
        ):
            data.update(widget_data(part, f"{name}{suffix}", part_value))
        return data
    if isinstance(widget, forms.FileInput):
        return {}  # a file is never re-sent
    if isinstance(widget, forms.CheckboxInput):
        return {name: "on"} if widget.check_test(value) else {}
    formatted = widget.format_value(value)
    if isinstance(widget, ChoiceWidget) and isinstance(formatted, list):
        if widget.allow_multiple_selected:
            return {name: formatted}
        return {name: formatted[0] if formatted else ""}
    return {name: "" if formatted is None else formatted}


def form_fields_data(form, changes=None) -> dict:
    changes = changes or {}
    data = {}
    for bound in form:
        value = changes[bound.name] if bound.name in changes else bound.value()
        data.update(widget_data(bound.field.widget, bound.html_name, value))
    return data


def admin_form_data(response, **changes) -> dict:
    """The POST data of a GET'd admin add or change page: the main form as shown, with `changes`
    (field name -> Python value), and every inline formset as shown, management form included."""
    assert response.status_code == 200, response.status_code
    data = form_fields_data(response.context["adminform"].form, changes)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(form_fields_data(formset.management_form))
        for form in formset.forms:
            data.update(form_fields_data(form))
    return data
