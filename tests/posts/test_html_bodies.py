"""A post may be written in HTML (as a Jekyll site's .html posts are): shown as it stands,
sanitised, never read as Markdown, in the admin, its preview, its revisions and its feeds.
(tests/editorial/test_browser.py watches the live preview follow the format chosen.)"""

import feedparser
import pytest

from editorial import diff, revisions
from posts import markup
from posts.models import Post
from tests.helpers import add_form, admin_form_data

pytestmark = pytest.mark.django_db

PREVIEW = "/markdownx/markdownify/"
HTML_BODY = (
    '<p class="lead">A *starred* lead, 2 -- 3...</p>\n'
    '<p>More<script>alert(1)</script> text.</p>\n\n<h2 id="ports">Ports</h2>'
)


@pytest.fixture
def html_post(make_post):
    return make_post("Harbours", slug="harbours", body=HTML_BODY, body_format=Post.BodyFormat.HTML)


def test_posts_are_markdown_unless_told(make_post):
    post = make_post(body="*Lead*")
    assert post.body_format == Post.BodyFormat.MARKDOWN == "markdown"
    assert post.get_body_format_display() == "Markdown"
    assert "<em>Lead</em>" in post.body_html


def test_an_html_body_is_stored_sanitised_and_not_read_as_markdown(html_post):
    assert html_post.get_body_format_display() == "HTML"
    assert html_post.body_html == markup.render_post(HTML_BODY, body_format="html")[0]
    assert "A *starred* lead, 2 -- 3..." in html_post.body_html
    assert '<h2 id="ports">Ports</h2>' in html_post.body_html
    assert "<script" not in html_post.body_html and "alert" not in html_post.body_html
    assert html_post.excerpt_html == "<p>A *starred* lead, 2 -- 3...</p>"


def test_the_article_prints_the_stored_html(client, html_post):
    page = client.get("/posts/harbours/").content.decode()
    assert "<p>A *starred* lead, 2 -- 3...</p>" in page
    assert "alert(1)" not in page


def test_changing_the_format_alone_renders_the_body_again(html_post):
    html_post.body, html_post.body_format = "*Lead*", Post.BodyFormat.HTML
    html_post.save(update_fields=["body"])
    assert html_post.body_html == "*Lead*"
    html_post.body_format = Post.BodyFormat.MARKDOWN
    html_post.save(update_fields=["body_format"])
    stored = Post.objects.get(pk=html_post.pk)
    assert stored.body_html == stored.excerpt_html == "<p><em>Lead</em></p>\n"


def test_feeds_carry_the_html_body_as_stored(client, html_post):
    entry = feedparser.parse(client.get("/feed.xml").content).entries[0]
    assert "A *starred* lead, 2 -- 3..." in entry.content[0].value
    assert "<script" not in entry.content[0].value


# The admin


def test_the_post_form_offers_the_format_and_keeps_an_imported_posts(staff_client, html_post):
    url = f"/admin/posts/post/{html_post.pk}/change/"
    page = staff_client.get(url)
    html = page.content.decode()
    assert 'type="radio" name="body_format" value="html"' in html
    assert 'value="html" class="radiolist inline" required id="id_body_format_1" checked' in html
    response = staff_client.post(url, admin_form_data(page))
    assert response.status_code == 302, response.context["adminform"].form.errors
    stored = Post.objects.get(pk=html_post.pk)
    assert stored.body_format == "html" and stored.body_html == html_post.body_html


def test_a_post_written_in_html_in_the_admin_is_stored_as_html(staff_client, make_author):
    form = add_form(make_author(), body="<p>*As typed*</p>", body_format="html")
    response = staff_client.post("/admin/posts/post/add/", form)
    assert response.status_code == 302, response.context["adminform"].form.errors
    post = Post.objects.get(slug="ports-and-power")
    assert (post.body_format, post.body_html) == ("html", "<p>*As typed*</p>")


def test_the_live_preview_renders_the_format_the_form_names(staff_client):
    text = "<p>*kept*</p>\n\n*read*"
    as_html = staff_client.post(f"{PREVIEW}?format=html", {"content": text})
    assert as_html.content.decode() == markup.render_html(text)
    assert "*kept*" in as_html.content.decode() and "*read*" in as_html.content.decode()
    as_markdown = staff_client.post(PREVIEW, {"content": text})
    assert as_markdown.content.decode() == markup.render(text)
    assert "<em>read</em>" in as_markdown.content.decode()
    assert staff_client.post(f"{PREVIEW}?format=markdown", {"content": text}).content == (
        as_markdown.content
    )
    unknown = staff_client.post(f"{PREVIEW}?format=textile", {"content": text})
    assert unknown.status_code == 400


# Revisions


def test_a_revision_keeps_the_format_and_restoring_brings_it_back(html_post, staff_client):
    old = revisions.record(html_post)
    assert old.data["body_format"] == "html"
    html_post.body_format = Post.BodyFormat.MARKDOWN
    html_post.save()
    new = revisions.record(html_post)
    change = diff.changes(old.data, new.data)
    assert [entry["field"] for entry in change] == ["Body format"]
    assert "HTML" in change[0]["html"] and "Markdown" in change[0]["html"]

    revisions.restore(html_post, old, staff_client.user)

    stored = Post.objects.get(pk=html_post.pk)
    assert stored.body_format == "html" and "*starred*" in stored.body_html


def test_a_revision_from_before_formats_were_kept_was_markdown(make_post, staff_client):
    post = make_post(body="*Lead*")
    old = revisions.record(post)
    del old.data["body_format"]
    old.save()
    assert diff.summary(old.data, revisions.snapshot(post)) == "No changes"
    history = staff_client.get(f"/admin/posts/post/{post.pk}/revisions/").context["rows"]
    assert history[0]["is_current"]

    post.body_format = Post.BodyFormat.HTML
    post.save()
    revisions.restore(post, old, staff_client.user)
    assert Post.objects.get(pk=post.pk).body_html == "<p><em>Lead</em></p>\n"
