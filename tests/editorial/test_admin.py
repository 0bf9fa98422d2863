"""The editors' home: writing, previewing, attributing, publishing — through the admin itself."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from helpers import POST_BODY, REPO, add_form

from posts import markup
from posts.models import Post

pytestmark = pytest.mark.django_db

PREVIEW = "/markdownx/markdownify/"
BODY = POST_BODY


def test_an_editor_writes_and_publishes_a_post_readers_then_see(staff_client, client, make_author):
    author = make_author("Ines Duarte", slug="ines-duarte")
    response = staff_client.post("/admin/posts/post/add/", add_form(author))
    assert response.status_code == 302, response.context["adminform"].form.errors
    post = Post.objects.get(slug="ports-and-power")
    assert [a.name for a in post.authors.all()] == ["Ines Duarte"]
    assert sorted(t.name for t in post.tags.all()) == ["grand strategy", "maritime"]
    assert "<script>" not in post.body_html

    home = client.get("/").content.decode()
    assert "Ports and Power" in home and "A lead for readers." in home
    assert "The argument" not in home
    article = client.get("/posts/ports-and-power/").content.decode()
    assert '<h3 id="the-argument">The argument</h3>' in article
    assert 'href="/authors/ines-duarte/"' in article


def test_an_editor_changes_a_published_post_and_readers_see_the_change(
    staff_client, client, make_post, make_author
):
    author = make_author()
    post = make_post("Old title", slug="ports-and-power", authors=[author])
    form = add_form(author, title="New title", body="Revised *lead*.\n\n<excerpt/>\n\nMore.")
    form.update({"bylines-INITIAL_FORMS": "1", "bylines-0-id": str(post.bylines.get().pk)})
    form["bylines-0-post"] = str(post.pk)
    form["started_from"] = str(post.version)
    response = staff_client.post(f"/admin/posts/post/{post.pk}/change/", form)
    assert response.status_code == 302, response.context["adminform"].form.errors
    page = client.get("/").content.decode()
    assert "New title" in page and "Revised <em>lead</em>." in page and "Old title" not in page


def test_an_invalid_form_names_the_field_and_saves_nothing(staff_client, make_author):
    form = add_form(make_author(), external_image="javascript:alert(1)", slug="")
    response = staff_client.post("/admin/posts/post/add/", form)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"external_image", "slug"}
    assert not Post.objects.exists()


def test_a_draft_saved_in_the_admin_stays_private(staff_client, client, make_author):
    staff_client.post("/admin/posts/post/add/", add_form(make_author(), status="draft"))
    assert Post.objects.get().status == "draft"
    assert client.get("/posts/ports-and-power/").status_code == 404
    assert "Ports and Power" not in client.get("/").content.decode()
    post = Post.objects.get()
    post.status = Post.Status.PUBLISHED
    post.save()
    assert client.get("/posts/ports-and-power/").status_code == 200
    assert "Ports and Power" in client.get("/").content.decode()


def test_the_add_form_has_the_markdown_editor_and_a_prepopulated_slug(staff_client):
    page = staff_client.get("/admin/posts/post/add/").content.decode()
    assert "markdownx" in page and 'data-markdownx-urls-path="/markdownx/markdownify/"' in page
    assert "admin/js/prepopulate_init.js" in page
    assert "admin/js/autocomplete.js" in page  # author autocomplete in the byline


def test_the_post_form_tells_the_editor_script_its_addresses(staff_client):
    """static/js/editor.js reads the tag suggestions and the article's URL from the server."""
    page = staff_client.get("/admin/posts/post/add/").content.decode()
    assert 'data-suggest-url="/admin/posts/post/tags/suggest/"' in page
    assert 'data-post-url="/posts/__slug__/" data-slug-placeholder="__slug__"' in page
    assert 'data-site-name="The Meridian Review"' in page
    script = (REPO / "static/js/editor.js").read_text()
    assert "/posts/" not in script and "/admin/" not in script and "location.pathname" not in script
    assert "config.postUrl" in script and "config.suggestUrl" in script  # read from the page


def test_the_change_list_shows_authors_tags_and_offers_filters(
    staff_client, make_post, make_author, django_assert_max_num_queries
):
    for number, word in enumerate(["Alpha", "Bravo", "Charlie", "Delta", "Echo"]):
        make_post(f"Note {word}", tags=["energy"], authors=[make_author(f"Writer {number}")])
    with django_assert_max_num_queries(12):
        page = staff_client.get("/admin/posts/post/").content.decode()
    assert "Writer 3" in page and "energy" in page
    for parameter in ("status__exact", "tags__id__exact", "authors__id__exact", "published_at"):
        assert parameter in page
    found = staff_client.get("/admin/posts/post/", {"q": "charlie"}).context["cl"].result_count
    assert found == 1


def test_the_change_list_says_which_posts_are_scheduled(staff_client, make_post):
    make_post("Later piece", published_at=timezone.now() + timedelta(days=2))
    page = staff_client.get("/admin/posts/post/").content.decode()
    assert '<td class="field-state">Scheduled</td>' in page


def test_publish_and_unpublish_actions(staff_client, client, make_post):
    draft = make_post(status=Post.Status.DRAFT, published_at=None)
    scheduled = make_post(status=Post.Status.DRAFT, published_at=timezone.now() + timedelta(days=1))
    staff_client.post(
        "/admin/posts/post/",
        {"action": "publish", "_selected_action": [draft.pk, scheduled.pk]},
    )
    draft.refresh_from_db()
    scheduled.refresh_from_db()
    assert draft.status == scheduled.status == Post.Status.PUBLISHED
    assert draft.published_at <= timezone.now() < scheduled.published_at  # a set date is kept
    assert client.get(draft.get_absolute_url()).status_code == 200

    staff_client.post("/admin/posts/post/", {"action": "unpublish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == Post.Status.DRAFT
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_view_on_site_links_to_the_public_url(staff_client, make_post):
    post = make_post(slug="on-site")
    page = staff_client.get(f"/admin/posts/post/{post.pk}/change/").content.decode()
    assert "View on site" in page
    content_type = ContentType.objects.get_for_model(Post)
    response = staff_client.get(f"/admin/r/{content_type.pk}/{post.pk}/")
    assert response.status_code == 302 and response["Location"].endswith("/posts/on-site/")


def test_the_live_preview_is_the_public_rendering_byte_for_byte(staff_client):
    response = staff_client.post(PREVIEW, {"content": BODY})
    assert response.status_code == 200
    assert response.content.decode() == markup.render(BODY)
    assert "<script>" not in response.content.decode()


def test_the_preview_refuses_anonymous_and_non_staff_users(client, django_user_model):
    assert client.post(PREVIEW, {"content": "# Hi"}).status_code == 403
    client.force_login(django_user_model.objects.create_user("reader", password="pw"))
    assert client.post(PREVIEW, {"content": "# Hi"}).status_code == 403
    assert client.get(PREVIEW).status_code == 405


def test_author_autocomplete_answers_editors(staff_client, make_author):
    make_author("Keiko Tanabe")
    response = staff_client.get(
        "/admin/autocomplete/",
        {"term": "Keiko", "app_label": "posts", "model_name": "byline", "field_name": "author"},
    )
    assert [r["text"] for r in response.json()["results"]] == ["Keiko Tanabe"]


def test_view_on_site_of_a_draft_opens_its_preview(staff_client, make_post):
    draft = make_post(slug="not-yet", status=Post.Status.DRAFT, published_at=None)
    page = staff_client.get(f"/admin/posts/post/{draft.pk}/change/").content.decode()
    assert f'href="/admin/posts/post/{draft.pk}/preview/" class="viewsitelink"' in page
    published = make_post(slug="live")
    page = staff_client.get(f"/admin/posts/post/{published.pk}/change/").content.decode()
    assert 'href="/posts/live/" class="viewsitelink"' in page


def test_the_byline_inline_orders_by_position_then_as_listed(staff_client, make_author):
    ada, ben, cy = (make_author(name) for name in ("Ada", "Ben", "Cy"))
    form = add_form(
        ada,
        **{
            "bylines-TOTAL_FORMS": "3",
            "bylines-0-position": "",
            "bylines-1-author": str(ben.pk),
            "bylines-1-position": "2",
            "bylines-2-author": str(cy.pk),
            "bylines-2-position": "1",
        },
    )
    response = staff_client.post("/admin/posts/post/add/", form)
    assert response.status_code == 302, response.context["adminform"].form.errors
    post = Post.objects.get(slug="ports-and-power")
    assert [author.name for author in post.authors.all()] == ["Cy", "Ben", "Ada"]
    assert list(post.bylines.values_list("position", flat=True)) == [0, 1, 2]
