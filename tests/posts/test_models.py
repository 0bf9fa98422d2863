"""The content model: derived HTML on write, ordered bylines, dates and featured images."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from media.models import Image
from posts.models import Author, Byline, Post

pytestmark = pytest.mark.django_db


def test_saving_a_post_stores_its_rendered_body_and_excerpt(make_post):
    post = make_post(body="_A lead._\n\n<excerpt/>\n\n### First\n\nMore text.")
    post.refresh_from_db()
    assert post.excerpt_html == "<p><em>A lead.</em></p>\n"
    assert '<h3 id="first">First</h3>' in post.body_html
    assert "excerpt" not in post.body_html


def test_an_explicit_excerpt_wins_over_the_separator(make_post):
    post = make_post(body="Lead.\n\n<excerpt/>\n\nRest.", excerpt="Chosen *summary*.")
    assert post.excerpt_html == "<p>Chosen <em>summary</em>.</p>\n"


def test_editing_the_body_with_update_fields_rerenders(make_post):
    post = make_post()
    post.body = "New lead.\n\n<excerpt/>\n\nNew body."
    post.save(update_fields=["body"])
    post.refresh_from_db()
    assert post.excerpt_html == "<p>New lead.</p>\n"
    assert "New body." in post.body_html


def test_author_bio_is_rendered_on_save(make_author):
    author = make_author(bio="Works at **the Institute**.")
    author.refresh_from_db()
    assert author.bio_html == "<p>Works at <strong>the Institute</strong>.</p>\n"


def test_authors_keep_byline_order_and_add_appends(make_post, make_author):
    zed, amy, mo = make_author("Zed"), make_author("Amy"), make_author("Mo")
    post = make_post(authors=[zed, amy])
    post.authors.add(mo)
    assert [a.name for a in post.authors.all()] == ["Zed", "Amy", "Mo"]
    # Other posts do not disturb the order, and an author on two posts is listed once.
    make_post(authors=[mo, zed])
    assert [a.name for a in post.authors.all()] == ["Zed", "Amy", "Mo"]
    assert Author.objects.count() == 3


def test_explicit_positions_order_the_byline_before_unpositioned_authors(make_post, make_author):
    first, second, third = make_author("First"), make_author("Second"), make_author("Third")
    post = make_post(authors=[third, second])
    Byline.objects.filter(post=post, author=second).update(position=2)
    Byline.objects.filter(post=post, author=third).update(position=3)
    post.authors.add(first)
    Byline.objects.filter(post=post, author=first).update(position=1)
    assert [a.name for a in post.authors.all()] == ["First", "Second", "Third"]


def test_prefetched_bylines_keep_their_order(make_post, make_author, django_assert_num_queries):
    zed, amy = make_author("Zed"), make_author("Amy")
    make_post(authors=[zed, amy])
    make_post(authors=[amy, zed])
    with django_assert_num_queries(2):
        bylines = [
            [a.name for a in p.authors.all()] for p in Post.objects.prefetch_related("authors")
        ]
    assert sorted(bylines) == [["Amy", "Zed"], ["Zed", "Amy"]]


def test_an_author_appears_once_per_byline(make_post, make_author):
    author = make_author()
    post = make_post(authors=[author])
    with pytest.raises(IntegrityError):
        Byline.objects.create(post=post, author=author)


def test_published_is_the_public_gate(make_post):
    now = timezone.now()
    public = make_post(published_at=now - timedelta(minutes=1))
    make_post(status=Post.Status.DRAFT)
    make_post(status=Post.Status.REVIEW)
    make_post(published_at=now + timedelta(hours=1))  # scheduled
    undated = make_post(status=Post.Status.PUBLISHED)
    Post.objects.filter(pk=undated.pk).update(published_at=None)  # as a bulk update could leave it
    assert list(Post.objects.published()) == [public]


def test_publishing_without_a_date_publishes_now(make_post):
    before = timezone.now()
    post = make_post(status=Post.Status.PUBLISHED, published_at=None)
    assert before <= post.published_at <= timezone.now()
    assert list(Post.objects.published()) == [post]
    draft = make_post(status=Post.Status.DRAFT, published_at=None)
    draft.status = Post.Status.PUBLISHED
    draft.save(update_fields=["status"])
    draft.refresh_from_db()
    assert draft.published_at is not None


def test_a_draft_keeps_no_date(make_post):
    assert make_post(status=Post.Status.DRAFT, published_at=None).published_at is None
    assert make_post(published_at=None).published_at is not None  # publishing dates it


def test_published_at_is_shown_in_the_offset_it_was_written_with(make_post):
    post = make_post(published_at=datetime(2025, 5, 22, 4, tzinfo=UTC), published_offset=480)
    local = post.published_local
    assert (local.hour, local.utcoffset(), local.tzname()) == (12, timedelta(hours=8), "+08:00")
    assert local == post.published_at
    west = make_post(published_at=datetime(2025, 1, 1, 12, tzinfo=UTC), published_offset=-330)
    assert west.published_local.tzname() == "-05:30"


def test_without_an_offset_the_date_shows_in_the_site_zone(make_post, settings):
    settings.TIME_ZONE = "Europe/Brussels"
    post = make_post(published_at=datetime(2025, 1, 1, 12, tzinfo=UTC))
    assert post.published_local.hour == 13


def test_image_url_comes_from_the_library_or_the_post(make_post, tmp_path):
    post = make_post(external_image="https://images.example.org/a.jpg", image_alt="A harbour")
    assert post.image_url == "https://images.example.org/a.jpg"
    assert post.featured_alt == "A harbour"
    image = Image(alt_text="Cranes at dusk", caption="The port")
    image.file.name = "images/cranes.jpg"
    image.save()
    post.image = image
    post.image_alt = ""
    assert post.image_url == "/media/images/cranes.jpg"
    assert (post.featured_alt, post.featured_caption) == ("Cranes at dusk", "The port")


@pytest.mark.parametrize("url", ["javascript:alert(1)", "//evil.example/x.jpg", "data:image/png,x"])
def test_a_featured_image_url_must_be_http_or_site_relative(url):
    post = Post(title="T", slug="t", external_image=url)
    with pytest.raises(ValidationError) as error:
        post.full_clean()
    assert "external_image" in error.value.message_dict


def test_get_absolute_url_follows_the_url_contract(make_post, make_author):
    assert make_post(slug="a-slug").get_absolute_url() == "/posts/a-slug/"
    assert make_author(slug="jane").get_absolute_url() == "/authors/jane/"


def test_meta_description_is_the_description_else_the_excerpt_as_text(make_post):
    assert make_post(description="Chosen words.").meta_description == "Chosen words."
    post = make_post(body='_"Ports" & <b>power</b>._\n\n<excerpt/>\n\nRest.')
    assert post.meta_description == "“Ports” & power."
    long = make_post(body=" ".join(["word"] * 60) + "\n\n<excerpt/>\n\nRest.")
    assert len(long.meta_description) <= 161
    assert long.meta_description.endswith("word…")
