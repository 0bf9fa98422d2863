"""Rules written once and used wherever they apply: plain text and word counts, counted nouns,
the status editors see, month names and a post's admin address."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from editorial import checks
from posts import markup
from posts.listings import month_title
from posts.models import Post

pytestmark = pytest.mark.django_db


def test_plain_text_keeps_blocks_apart_and_inline_markup_joined():
    fragment = (
        '<h2 id="a-b">Two words</h2><p>One&nbsp;more &amp; <em>well</em>-known '
        "un<strong>seen</strong><br>stop</p><ul><li>x</li><li>y</li></ul>"
        '<img src="/media/a-long-file-name.jpg" alt="not read aloud here">'
    )
    assert markup.plain_text(fragment) == "Two words One more & well-known unseen stop x y"
    # Two, words, One, more, well-known, unseen, stop, x, y: the ampersand and attributes are not.
    assert markup.word_count(fragment) == 9


def test_a_lists_words_count_the_same_for_reading_time_and_the_content_check(make_post):
    items = "".join(f"<li>item{n}</li>" for n in range(700))
    post = make_post(body=f"<ul>{items}</ul>", excerpt="", excerpt_separator="")
    assert markup.word_count(post.body_html) == 700
    assert post.reading_minutes == 3  # 700 / 230
    found = checks.checks(post, None)
    assert any("the body runs to 700 words" in sentence for sentence in found), found


@pytest.mark.parametrize(
    ("number", "noun", "plural", "written"),
    [
        (0, "image", None, "0 images"),
        (1, "image", None, "1 image"),
        (2, "old URL", None, "2 old URLs"),
        (1, "person", "people", "1 person"),
        (3, "person", "people", "3 people"),
    ],
)
def test_counted_nouns(number, noun, plural, written):
    assert markup.counted(number, noun, plural) == written


def test_status_label_names_a_scheduled_post(make_post):
    now = timezone.now()
    labels = [
        make_post(status=Post.Status.DRAFT, published_at=None).status_label,
        make_post(status=Post.Status.REVIEW).status_label,
        make_post(published_at=now - timedelta(minutes=1)).status_label,
        make_post(published_at=now + timedelta(days=1)).status_label,
    ]
    assert labels == ["Draft", "In review", "Published", "Scheduled"]


def test_month_titles_are_english_whatever_the_locale():
    assert [month_title(date(2025, m, 1)) for m in (1, 5, 12)] == [
        "January 2025",
        "May 2025",
        "December 2025",
    ]


def test_admin_url_is_the_change_page(make_post, staff_client):
    post = make_post()
    assert post.get_admin_url() == f"/admin/posts/post/{post.pk}/change/"
    assert staff_client.get(post.get_admin_url()).status_code == 200
