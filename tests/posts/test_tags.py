"""Tags: comma-only names, one tag whatever the case, merges and renames that keep old URLs."""

import importlib

import pytest
from django.apps import apps as global_apps
from django.test import Client
from taggit.models import Tag
from taggit.utils import edit_string_for_tags, parse_tags

from posts.models import Post, TagRedirect
from tests.helpers import admin_form_data

pytestmark = pytest.mark.django_db


def test_names_split_on_commas_only_and_quotes_keep_a_comma():
    assert parse_tags("european defence fund") == ["european defence fund"]
    assert parse_tags('EU, "Paris, France",  sea   power ,') == ["EU", "Paris, France", "sea power"]
    assert parse_tags("NATO, nato") == ["NATO"]


def test_the_edit_string_quotes_only_names_with_a_comma():
    tags = [Tag(name="Paris, France"), Tag(name="sea power"), Tag(name="EU")]
    text = edit_string_for_tags(tags)
    assert text == '"Paris, France", EU, sea power'
    assert parse_tags(text) == ["EU", "Paris, France", "sea power"]


def test_spellings_of_one_name_are_one_tag(make_post):
    post = make_post(tags=["NATO"])
    post.tags.add("nato", "Nato")
    assert [tag.name for tag in Tag.objects.all()] == ["NATO"]
    assert list(post.tags.names()) == ["NATO"]


def test_the_admin_refuses_a_tag_spelt_like_another(staff_client):
    Tag.objects.create(name="NATO")
    page = staff_client.get("/admin/taggit/tag/add/")
    response = staff_client.post(
        "/admin/taggit/tag/add/", admin_form_data(page, name="Nato", slug="")
    )
    assert response.status_code == 200
    assert "The tag “NATO” already exists" in response.content.decode()
    assert Tag.objects.count() == 1


def test_the_admin_shows_tags_not_taggit(staff_client):
    page = staff_client.get("/admin/").content.decode()
    assert "Tags" in page and "Taggit" not in page and "TAGGIT" not in page


def merge(client, tags, name):
    client.post(
        "/admin/taggit/tag/",
        {"action": "render_tag_form", "_selected_action": [tag.pk for tag in tags]},
    )
    return client.post("/admin/taggit/tag/merge-tags/", {"new_tag_name": name}, follow=True)


def test_a_merge_moves_posts_keeps_old_urls_and_refreshes_cached_pages(make_post, staff_client):
    eu, union = Tag.objects.create(name="EU"), Tag.objects.create(name="European Union")
    both = make_post(tags=[eu, union], slug="both")
    make_post(tags=[eu], slug="only-eu")
    reader = Client()
    for url in ("/tags/european-union/", "/tags/eu/", "/posts/only-eu/"):
        reader.get(url)
        assert reader.get(url)["X-Page-Cache"] == "hit"

    response = merge(staff_client, [eu, union], "European Union")

    assert "Merged “EU” into “European Union” (1 post moved to it); /tags/eu/ now redirects to " \
        "/tags/european-union/." in response.content.decode()  # fmt: skip
    assert not Tag.objects.filter(name="EU").exists()
    assert {post.slug for post in Post.objects.filter(tags=union)} == {"both", "only-eu"}
    assert list(both.tags.names()) == ["European Union"]
    assert TagRedirect.objects.get().old_slug == "eu"
    old = reader.get("/tags/eu/?page=1")
    assert old.status_code == 301 and old["Location"] == "/tags/european-union/?page=1"
    feed = reader.get("/tags/eu/feed.xml")
    assert feed.status_code == 301 and feed["Location"] == "/tags/european-union/feed.xml"
    merged_page = reader.get("/tags/european-union/").content.decode()
    assert "/posts/only-eu/" in merged_page
    article = reader.get("/posts/only-eu/").content.decode()
    assert "/tags/european-union/" in article and 'href="/tags/eu/"' not in article
    assert reader.get("/tags/nothing/").status_code == 404
    assert reader.get("/tags/nothing/feed.xml").status_code == 404


def test_a_second_merge_repoints_the_first_ones_redirects(make_post, staff_client):
    a, b, c = (Tag.objects.create(name=name) for name in ("A", "B", "C"))
    make_post(tags=[a, b, c])
    merge(staff_client, [a, b], "B")
    merge(staff_client, [b, c], "C")
    assert dict(TagRedirect.objects.values_list("old_slug", "tag__slug")) == {"a": "c", "b": "c"}
    assert Client().get("/tags/a/")["Location"] == "/tags/c/"


def test_merging_needs_the_right_to_change_and_delete_tags(make_post, client, django_user_model):
    user = django_user_model.objects.create_user("viewer", password="pw", is_staff=True)
    client.force_login(user)
    tag = Tag.objects.create(name="A")
    session = client.session
    session["selected_tag_ids"] = str(tag.pk)
    session.save()
    assert client.post("/admin/taggit/tag/merge-tags/", {"new_tag_name": "B"}).status_code == 403
    assert Tag.objects.get().name == "A"


def test_a_changed_slug_keeps_the_old_url(make_post, staff_client):
    tag = Tag.objects.create(name="Sea power")
    make_post(tags=[tag])
    url = f"/admin/taggit/tag/{tag.pk}/change/"
    staff_client.post(url, admin_form_data(staff_client.get(url), slug="naval-power"))
    assert Client().get("/tags/sea-power/")["Location"] == "/tags/naval-power/"
    staff_client.post(url, admin_form_data(staff_client.get(url), slug="sea-power"))
    assert Client().get("/tags/sea-power/").status_code == 200
    assert Client().get("/tags/naval-power/")["Location"] == "/tags/sea-power/"


def test_the_migration_merges_spellings_into_the_most_used(make_post):
    nato, lower, title = (Tag.objects.create(name=name) for name in ("NATO", "nato", "Nato"))
    make_post(tags=[lower], slug="one")
    make_post(tags=[lower, nato], slug="two")
    migration = importlib.import_module("posts.migrations.0016_tag_redirects_and_one_tag_per_name")
    migration.merge_spellings(global_apps, None)
    assert [tag.name for tag in Tag.objects.all()] == ["nato"]
    assert set(Post.objects.filter(tags=lower).values_list("slug", flat=True)) == {"one", "two"}
    assert sorted(TagRedirect.objects.values_list("old_slug", flat=True)) == sorted(
        [nato.slug, title.slug]
    )
