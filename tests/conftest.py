"""Small factories and the test environment every test shares."""

import itertools
from datetime import timedelta

import pytest
from django.core.cache import caches
from django.utils import timezone
from helpers import SUPERUSER, role_group

from posts.models import Author, Post

_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def test_storage(settings, tmp_path):
    """Plain static storage (no manifest needed) and a throwaway media folder."""
    settings.STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def empty_page_cache(settings, tmp_path_factory):
    """Each test starts with nothing cached: no page of another test's data is served. Cached
    files go to the test's own folder, apart from any other run's."""
    pages = settings.CACHES[settings.QUIRE_PAGE_CACHE]
    if pages["BACKEND"].endswith("FileCache"):
        pages = {**pages, "LOCATION": tmp_path_factory.mktemp("page-cache")}
        settings.CACHES = {**settings.CACHES, settings.QUIRE_PAGE_CACHE: pages}
    caches[settings.QUIRE_PAGE_CACHE].clear()


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


@pytest.fixture
def member(django_user_model):
    """A staff login in exactly one role's group, with an author profile; SUPERUSER makes a
    superuser in no group."""

    def make(role, username=None, *, password=None, email=""):
        number = next(_numbers)
        username = username or f"{role.lower()}-{number}"
        user = django_user_model.objects.create_user(
            username, email=email, password=password, is_staff=True, is_superuser=role == SUPERUSER
        )
        if role != SUPERUSER:
            user.groups.add(role_group(role))
        Author.objects.create(name=f"Writer {username}", slug=f"writer-{number}", user=user)
        # A fresh instance: has_perm() caches what it first finds.
        return django_user_model.objects.get(pk=user.pk)

    return make
