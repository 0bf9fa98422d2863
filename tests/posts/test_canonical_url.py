"""A canonical URL is written in the admin and always names a web page, whatever wrote it."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from helpers import add_form

from posts.models import Post

pytestmark = pytest.mark.django_db

ORIGINAL = "https://journal.example.org/2025/ports"


def test_an_editor_names_the_original_in_the_admin(staff_client, client, make_author):
    response = staff_client.post(
        "/admin/posts/post/add/", add_form(make_author(), canonical_url=ORIGINAL)
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    page = client.get("/posts/ports-and-power/").text
    assert f'<link rel="canonical" href="{ORIGINAL}">' in page


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "ftp://files.example.org/a", "/posts/elsewhere/", "data:,x"]
)
def test_the_admin_refuses_anything_but_an_http_url(staff_client, make_author, url):
    author = make_author()
    response = staff_client.post("/admin/posts/post/add/", add_form(author, canonical_url=url))
    assert response.status_code == 200
    assert set(response.context["adminform"].form.errors) == {"canonical_url"}
    assert not Post.objects.exists()
    response = staff_client.post("/admin/posts/post/add/", add_form(author, canonical_url=ORIGINAL))
    assert response.status_code == 302
    assert Post.objects.get().canonical_url == ORIGINAL


def test_a_fixture_with_a_script_url_is_refused_naming_the_field(tmp_path, make_post):
    kept = make_post(slug="kept")
    fixture = tmp_path / "bad.json"
    fields = {
        "title": "Bad",
        "slug": "bad",
        "body": "Text.",
        "status": "published",
        "canonical_url": "javascript:alert(document.domain)",
    }
    fixture.write_text(json.dumps([{"model": "posts.post", "pk": 999, "fields": fields}]))
    with pytest.raises((CommandError, ValidationError), match="canonical_url"):
        call_command("loaddata", str(fixture), verbosity=0)
    assert list(Post.objects.values_list("slug", flat=True)) == [kept.slug]


def test_code_cannot_store_a_script_url_either(make_post):
    post = make_post()
    post.canonical_url = "javascript:alert(1)"
    with pytest.raises(ValidationError, match="canonical_url"):
        post.save()
    post.refresh_from_db()
    assert post.canonical_url == ""
    post.canonical_url = ORIGINAL
    post.save()
    post.refresh_from_db()
    assert post.canonical_url == ORIGINAL


def test_a_migration_moves_canonical_urls_kept_in_front_matter_into_the_field(make_post):
    from importlib import import_module

    from django.apps import apps

    moved = make_post(slug="moved", front_matter={"canonical_url": ORIGINAL, "lang": "en"})
    unsafe = make_post(slug="unsafe", front_matter={"canonical_url": "javascript:x"})
    import_module("posts.migrations.0011_canonical_url_from_front_matter").move_canonical_urls(
        apps, None
    )
    moved.refresh_from_db()
    unsafe.refresh_from_db()
    assert (moved.canonical_url, moved.front_matter) == (ORIGINAL, {"lang": "en"})
    assert (unsafe.canonical_url, unsafe.front_matter) == ("", {"canonical_url": "javascript:x"})
