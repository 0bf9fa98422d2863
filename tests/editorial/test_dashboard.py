"""The admin's home is the editors' desk: each panel lists what its reader may see and should
act on, in a fixed number of queries; anyone who may not view posts keeps the stock index."""

import io
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone
from helpers import AUTHOR, CONTRIBUTOR, EDITOR
from PIL import Image as PILImage

from editorial import dashboard
from editorial.models import ReviewStep
from media.models import Image
from posts.models import Post

pytestmark = pytest.mark.django_db

DESCRIBED = "A description as search engines show it."


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def panel(response, slug) -> str:
    """The HTML of one panel of the desk, or "" when the page has none of that name."""
    found = re.search(
        rf'<section class="module desk-panel desk-panel-{slug}".*?</section>',
        response.content.decode(),
        re.S,
    )
    return found[0] if found else ""


def heading(html) -> str:
    text = re.sub(r"<[^>]+>", "", re.search(r"<h2[^>]*>(.*?)</h2>", html, re.S)[1])
    return re.sub(r"\s+", " ", text).strip()


def titles(html) -> list[str]:
    return re.findall(r'<a class="desk-title" href="[^"]*">([^<]*)</a>', html)


def image(user, alt_text="") -> Image:
    buffer = io.BytesIO()
    PILImage.new("RGB", (60, 40), "teal").save(buffer, "PNG")
    return Image.objects.create(
        file=ContentFile(buffer.getvalue(), name="x.png"), alt_text=alt_text, uploaded_by=user
    )


def submit(post, user, note="", ago=timedelta(0)) -> ReviewStep:
    step = ReviewStep.objects.create(
        post=post, action=ReviewStep.Action.SUBMITTED, actor=user, note=note
    )
    # created_at is set on insert: back-date the step to order the queue.
    ReviewStep.objects.filter(pk=step.pk).update(created_at=timezone.now() - ago)
    return step


@pytest.fixture
def newsroom(member, make_post):
    """An editor and a contributor, and a post in each state for each of them."""
    editor = member(EDITOR, "eve")
    writer = member(CONTRIBUTOR, "carl")
    writer.first_name, writer.last_name = "Carl", "Rossi"
    writer.save()
    soon = timezone.now() + timedelta(days=2)
    made = {}
    for user in (editor, writer):
        name = user.username
        made[f"{name}-draft"] = make_post(
            f"Draft by {name}", status="draft", published_at=None, created_by=user,
            description=DESCRIBED,
        )  # fmt: skip
        made[f"{name}-review"] = make_post(
            f"Review by {name}", status="review", published_at=None, created_by=user,
            description=DESCRIBED,
        )  # fmt: skip
        made[f"{name}-scheduled"] = make_post(
            f"Scheduled by {name}", published_at=soon, created_by=user, description=DESCRIBED
        )
        made[f"{name}-published"] = make_post(f"Published by {name}", created_by=user)
        # No description: the content checks ask for one.
        made[f"{name}-failing"] = make_post(
            f"Undescribed by {name}", status="draft", published_at=None, created_by=user
        )
    return editor, writer, made


def test_an_editor_sees_their_drafts_the_queue_the_schedule_and_the_published(newsroom):
    editor, writer, made = newsroom
    submit(made["carl-review"], writer, note="Ready for a read.")
    response = client_for(editor).get("/admin/")
    assert response.status_code == 200

    drafts = panel(response, "drafts")
    assert heading(drafts) == "My drafts (2)"
    assert titles(drafts) == ["Undescribed by eve", "Draft by eve"]  # updated last first
    assert f'href="{made["eve-draft"].get_admin_url()}"' in drafts
    assert "Draft by carl" not in drafts
    assert 'href="/admin/posts/post/?status__exact=draft"' in drafts

    review = panel(response, "review")
    assert heading(review) == "In review (2)"
    assert set(titles(review)) == {"Review by eve", "Review by carl"}
    assert "Submitted by Carl Rossi," in review
    assert "Ready for a read." in review
    assert "Started by eve, updated" in review  # no submission recorded: who started it

    scheduled = panel(response, "scheduled")
    assert heading(scheduled) == "Scheduled next (2)"
    assert set(titles(scheduled)) == {"Scheduled by eve", "Scheduled by carl"}
    assert "Publishes" in scheduled

    published = panel(response, "published")
    assert heading(published) == "Recently published (2)"
    assert set(titles(published)) == {"Published by eve", "Published by carl"}
    assert "By Writer" not in published and "By Author" in published

    failing = panel(response, "checks")
    assert heading(failing) == "Posts failing content checks (2)"
    assert set(titles(failing)) == {"Undescribed by eve", "Undescribed by carl"}
    assert "Write a description" in failing
    # Published posts are not checked: they are out already.
    assert "Published by" not in failing


def test_a_contributor_sees_only_their_own_posts(newsroom):
    editor, writer, made = newsroom
    submit(made["eve-review"], editor, note="Eve's own note")
    image(editor)
    response = client_for(writer).get("/admin/")
    page = response.content.decode()

    assert titles(panel(response, "drafts")) == ["Undescribed by carl", "Draft by carl"]
    assert titles(panel(response, "review")) == ["Review by carl"]
    assert heading(panel(response, "review")) == "In review (1)"
    assert titles(panel(response, "scheduled")) == ["Scheduled by carl"]
    assert titles(panel(response, "published")) == ["Published by carl"]
    assert titles(panel(response, "checks")) == ["Undescribed by carl"]
    # Nothing of the editor's reaches the page, nor the images they may not change.
    assert "by eve" not in page and "Eve&#x27;s own note" not in page
    assert panel(response, "images") == ""
    assert "Write a post" in page and "Calendar" in page


def test_a_post_in_the_byline_is_the_contributors_own(member, make_post):
    writer = member(CONTRIBUTOR)
    make_post(
        "Co-written", status="draft", published_at=None, authors=[writer.author],
        description=DESCRIBED,
    )  # fmt: skip
    response = client_for(writer).get("/admin/")
    assert titles(panel(response, "drafts")) == ["Co-written"]


def test_the_review_queue_serves_the_longest_waiting_first(member, make_post):
    editor, writer = member(EDITOR), member(CONTRIBUTOR)
    later = make_post("Submitted today", status="review", published_at=None)
    earlier = make_post("Submitted last week", status="review", published_at=None)
    submit(later, writer)
    submit(earlier, writer, ago=timedelta(days=7))
    # A later resubmission counts, not the first one.
    resubmitted = make_post("Resubmitted", status="review", published_at=None)
    submit(resubmitted, writer, ago=timedelta(days=9))
    submit(resubmitted, writer, note="Second go", ago=timedelta(hours=1))
    review = panel(client_for(editor).get("/admin/"), "review")
    assert titles(review) == ["Submitted last week", "Resubmitted", "Submitted today"]
    assert "Second go" in review


def test_dates_are_shown_in_the_sites_time_zone(member, make_post, settings):
    settings.TIME_ZONE = "Asia/Tokyo"
    editor = member(EDITOR)
    when = timezone.now() + timedelta(days=3)
    make_post("Tokyo morning", published_at=when, description=DESCRIBED)
    local = when.astimezone(ZoneInfo("Asia/Tokyo"))
    scheduled = panel(client_for(editor).get("/admin/"), "scheduled")
    assert f"{local:%-d %b %Y, %H:%M} JST" in scheduled


def test_each_panel_lists_five_and_the_queue_ten(member, make_post):
    editor = member(EDITOR)
    for number in range(12):
        make_post(f"Queued {number}", status="review", published_at=None, description=DESCRIBED)
        make_post(f"Out {number}", description=DESCRIBED)
    response = client_for(editor).get("/admin/")
    assert heading(panel(response, "review")) == "In review (12)"
    assert len(titles(panel(response, "review"))) == 10
    assert heading(panel(response, "published")) == "Recently published (12)"
    assert titles(panel(response, "published")) == [f"Out {number}" for number in range(5)]


def test_empty_panels_say_so(member):
    response = client_for(member(EDITOR)).get("/admin/")
    for slug in ("drafts", "review", "scheduled", "published", "images", "checks"):
        html = panel(response, slug)
        assert "(0)" in heading(html)
        assert "Nothing here" in html


def test_images_without_alt_text_are_listed_for_whoever_may_write_it(member):
    editor, author = member(EDITOR), member(AUTHOR)
    editors_image = image(editor)
    authors_image = image(author)
    image(editor, alt_text="Harbour cranes at dusk")

    images = panel(client_for(editor).get("/admin/"), "images")
    assert heading(images) == "Images missing alt text (2)"
    assert f'href="/admin/media/image/{editors_image.pk}/change/"' in images
    assert f'src="{authors_image.small_url}"' in images
    assert "Write alt text for the image uploaded" in images
    assert 'href="/admin/media/image/?alt=missing"' in images

    # An author may change only the images they uploaded.
    images = panel(client_for(author).get("/admin/"), "images")
    assert heading(images) == "Images missing alt text (1)"
    assert f"/admin/media/image/{authors_image.pk}/change/" in images
    assert f"/admin/media/image/{editors_image.pk}/change/" not in images


def test_a_post_failing_several_checks_shows_the_first_and_how_many_more(member, make_post):
    editor = member(EDITOR)
    make_post("Empty heading", status="review", published_at=None, body="Text.\n\n## Then nothing")
    failing = panel(client_for(editor).get("/admin/"), "checks")
    assert "Write a description" in failing
    assert "1 more to fix." in failing
    assert "Write something under the heading" not in failing


def test_the_full_lists_the_panels_link_to_show_the_same_posts(newsroom):
    editor, _, _ = newsroom
    client = client_for(editor)
    response = client.get("/admin/")
    for slug, shown, left_out in [
        ("scheduled", "Scheduled by eve", "Published by eve"),
        ("published", "Published by eve", "Scheduled by eve"),
        ("review", "Review by eve", "Draft by eve"),
    ]:
        url = re.search(r'<p class="desk-all">\s*<a href="([^"]*)"', panel(response, slug))[1]
        listed = client.get(url.replace("&amp;", "&"))
        assert listed.status_code == 200
        assert shown in listed.content.decode()
        assert left_out not in listed.content.decode()


@pytest.mark.parametrize("copies", [1, 3])
def test_the_desk_costs_the_same_queries_however_many_posts(
    member, make_post, client, django_assert_num_queries, copies
):
    editor = member(EDITOR)
    writer = member(CONTRIBUTOR)
    for _ in range(copies):
        post = make_post(status="review", published_at=None)
        submit(post, writer)
        # Links to a post in review and to none: the checks look linked posts up once for all.
        links = f"[queued]({post.get_absolute_url()}) and [gone](/posts/no-such-post-{copies}/)"
        make_post(status="draft", published_at=None, created_by=editor, body=links)
        make_post(published_at=timezone.now() + timedelta(days=1))
        make_post()
        image(editor)
    client.force_login(editor)
    # Session and user, permissions (user's, groups'), then per panel its count, its posts and
    # their bylines (the queue also its submissions with their actors), the images' count and
    # list, the checked posts and their bylines, the posts they link to and old URLs.
    with django_assert_num_queries(23):
        response = client.get("/admin/")
    assert response.status_code == 200
    assert titles(panel(response, "review"))
    assert "2 more to fix." in panel(response, "checks")  # a draft linked, a post missing


def test_every_section_of_the_admin_stays_reachable_from_the_desk(member):
    response = client_for(member(EDITOR)).get("/admin/")
    page = response.content.decode()
    assert "Everything in the admin" in page
    for url in ("/admin/posts/post/", "/admin/posts/author/", "/admin/media/image/"):
        assert f'href="{url}"' in page
    assert 'href="/admin/posts/post/calendar/"' in page


def test_a_user_who_may_not_view_posts_gets_the_stock_index(django_user_model):
    clerk = django_user_model.objects.create_user("clerk", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_user"))
    response = client_for(clerk).get("/admin/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "desk-panel" not in page and "desk.css" not in page
    assert 'href="/admin/auth/user/"' in page
    assert "Recent actions" in page
    assert dashboard.desk(clerk) is None


def test_the_desk_keeps_to_the_posts_a_contributor_wrote(member, make_post):
    """A post in review by someone else never shows its title to a contributor, even through
    the submission they are named in."""
    writer = member(CONTRIBUTOR)
    other = make_post("Someone else's", status="review", published_at=None)
    submit(other, writer)
    page = client_for(writer).get("/admin/").content.decode()
    assert "Someone else" not in page
    assert Post.objects.filter(status="review").count() == 1
