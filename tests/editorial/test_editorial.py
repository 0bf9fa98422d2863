"""Editorial help: content checks, the editorial calendar, tag suggestions and the editor script."""

import shutil
import subprocess
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse
from django.utils import timezone
from helpers import REPO
from taggit.models import Tag

from editorial import checks as editorial
from posts.models import Post

CALENDAR = "admin:posts_post_calendar"
SUGGEST = "admin:posts_post_tag_suggest"
GOOD_DESCRIPTION = "Why harbours decide who trades, and who does not."
# "Now" for the calendar tests: 14:00 in Berlin. In the past, so that sessions stay valid.
NOW = datetime(2020, 5, 15, 12, 0, tzinfo=UTC)


# Sees every post, and so is told the title and status of every post a check names.
EDITOR = User(username="editor", is_active=True, is_superuser=True)


def unsaved(**fields):
    """A post as the add form would build it: never saved, its HTML never derived."""
    fields.setdefault("title", "Ports and Power")
    fields.setdefault("slug", "ports-and-power")
    fields.setdefault("description", GOOD_DESCRIPTION)
    fields.setdefault("body", "A paragraph.\n\n## The argument\n\nIt goes here.")
    return Post(**fields)


def words(count):
    return " ".join(["word"] * count)


# Content checks.


def test_a_post_with_nothing_to_fix_has_no_checks():
    assert editorial.checks(unsaved(), EDITOR) == []
    assert editorial.checks(unsaved(description=""), EDITOR) != []  # the same checks do name one


def test_a_missing_description_is_named():
    sentence = "Write a description: search engines and link previews show it under the title."
    assert editorial.checks(unsaved(description=""), EDITOR) == [sentence]
    assert editorial.checks(unsaved(description="   "), EDITOR) == [sentence]


def test_a_description_longer_than_search_results_show_says_by_how_much():
    assert editorial.checks(unsaved(description="x" * 170), EDITOR) == [
        "Shorten the description by 10 characters: search engines show about 160 and cut the "
        "rest (it has 170)."
    ]
    assert editorial.checks(unsaved(description="x" * 161), EDITOR) == [
        "Shorten the description by 1 character: search engines show about 160 and cut the "
        "rest (it has 161)."
    ]
    assert editorial.checks(unsaved(description="x" * editorial.DESCRIPTION_LIMIT), EDITOR) == []


def test_a_long_body_without_an_excerpt_marker_is_named():
    long_body = f"{words(300)}\n\n{words(301)}"
    assert editorial.checks(unsaved(body=long_body), EDITOR) == [
        "Mark the excerpt: the body runs to 601 words, so put <excerpt/> where the excerpt "
        "should end (or write an excerpt); listings show only the first paragraph otherwise."
    ]
    assert editorial.checks(unsaved(body=long_body, excerpt_separator=""), EDITOR) == [
        "Mark the excerpt: the body runs to 601 words, so set an excerpt separator and put it "
        "where the excerpt should end (or write an excerpt); listings show only the first "
        "paragraph otherwise."
    ]


def test_a_body_with_a_marker_or_an_excerpt_or_of_ordinary_length_needs_no_marker():
    marked = f"{words(300)}\n\n<excerpt/>\n\n{words(301)}"
    assert editorial.checks(unsaved(body=marked), EDITOR) == []
    own_marker = f"{words(300)}\n\n<!--more-->\n\n{words(301)}"
    assert editorial.checks(unsaved(body=own_marker, excerpt_separator="<!--more-->"), EDITOR) == []
    long_body = f"{words(300)}\n\n{words(301)}"
    assert editorial.checks(unsaved(body=long_body), EDITOR) != []  # unmarked, it is named
    assert editorial.checks(unsaved(body=long_body, excerpt="The gist."), EDITOR) == []
    # Markdown syntax is not counted: 600 words of text, however marked up.
    assert editorial.checks(unsaved(body=f"## {words(100)}\n\n**{words(500)}**"), EDITOR) == []


def test_images_without_alt_text_are_named():
    body = "![](/media/images/a.jpg)\n\n![A harbour crane at dusk](/media/images/b.jpg)"
    assert editorial.checks(unsaved(body=body), EDITOR) == [
        "Write alt text for 1 image (readers who cannot see them get nothing): /media/images/a.jpg."
    ]
    both = "![](/media/images/a.jpg)\n\n![](https://example.org/c.png)"
    assert editorial.checks(unsaved(body=both), EDITOR) == [
        "Write alt text for 2 images (readers who cannot see them get nothing): "
        "/media/images/a.jpg, https://example.org/c.png."
    ]
    featured = unsaved(external_image="https://example.org/hero.jpg")
    assert editorial.checks(featured, EDITOR) == [
        "Write alt text for 1 image (readers who cannot see them get nothing): "
        "https://example.org/hero.jpg."
    ]


def test_images_with_alt_text_pass():
    body = "![A harbour crane at dusk](/media/images/b.jpg)"
    post = unsaved(body=body, external_image="https://example.org/hero.jpg", image_alt="A port")
    assert editorial.checks(post, EDITOR) == []
    assert editorial.checks(unsaved(body="![](/media/images/b.jpg)"), EDITOR) != []


def test_empty_sections_are_named():
    body = (
        "Intro.\n\n## Background\n\n## Method\n\nText.\n\n### Detail\n\nMore.\n\n"
        "### Caveats\n\n## Findings\n\n### Trade\n\nFigures.\n\n## Outlook"
    )
    assert editorial.checks(unsaved(body=body), EDITOR) == [
        "Write something under the headings “Background”, “Caveats” and “Outlook” or remove "
        "them: another heading or the end of the body follows each directly."
    ]
    assert editorial.checks(
        unsaved(body="Intro.\n\n## Background\n\n# Part two\n\nText."), EDITOR
    ) == [
        "Write something under the heading “Background” or remove it: another heading or the "
        "end of the body follows it directly."
    ]


def test_sections_with_content_or_subsections_are_not_empty():
    body = (
        "## Background\n\nText.\n\n## Findings\n\n### Trade\n\nFigures.\n\n"
        "## Pictures\n\n![A port](/media/images/a.jpg)\n\n## Notes\n\nSee[^1].\n\n[^1]: A note."
    )
    assert editorial.checks(unsaved(body=body), EDITOR) == []
    # Footnotes are not the last section's text.
    assert editorial.checks(unsaved(body="Text[^1].\n\n## Last\n\n[^1]: A note."), EDITOR) == [
        "Write something under the heading “Last” or remove it: another heading or the end of "
        "the body follows it directly."
    ]


def test_links_to_posts_readers_cannot_see_yet_are_named(make_post, django_assert_num_queries):
    make_post("Draft one", slug="draft-one", status=Post.Status.DRAFT, published_at=None)
    make_post("Under review", slug="in-review", status=Post.Status.REVIEW, published_at=None)
    make_post("Coming soon", slug="soon", published_at=timezone.now() + timedelta(days=3))
    make_post("Out already", slug="live")
    body = (
        "See [one](/posts/draft-one/), [two](http://localhost/posts/soon/#part), "
        "[three](/posts/live/), [four](https://elsewhere.example/posts/in-review/), "
        "[five](/posts/draft-one/?ref=x), [six](/posts/missing/) and "
        "[seven](/posts/in%2Dreview/)."
    )
    post = make_post("Linking", slug="linking", body=body, description=GOOD_DESCRIPTION)
    with django_assert_num_queries(2):  # the linked posts, then old URLs of the missing one
        found = editorial.checks(post, EDITOR)
    assert found == [
        "Publish or unlink the posts this one links to that readers cannot see yet (they get "
        "“not found”): “Draft one” (Draft, /posts/draft-one/); “Coming soon” (Scheduled, "
        "/posts/soon/); “Under review” (In review, /posts/in-review/).",
        "Links to a post that does not exist: /posts/missing/ (readers get “not found”; correct "
        "or remove the link).",
    ]


def test_links_to_published_posts_and_to_itself_pass(make_post, django_assert_num_queries):
    make_post("Out already", slug="live")
    body = "See [it](/posts/live/), [me](/posts/me/), [a tag](/tags/x/) and [out](https://x.org/)."
    post = make_post(
        "Me", slug="me", status=Post.Status.DRAFT, body=body, description=GOOD_DESCRIPTION
    )
    assert editorial.checks(post, EDITOR) == []
    with django_assert_num_queries(0):
        assert (
            editorial.checks(unsaved(body="No links to posts: [out](https://x.org/)."), EDITOR)
            == []
        )
    make_post("Not yet", slug="not-yet", status=Post.Status.DRAFT, published_at=None)
    assert editorial.checks(unsaved(body="See [it](/posts/not-yet/)."), EDITOR) != []


def test_a_single_draft_link_reads_in_the_singular(make_post):
    make_post("Draft one", slug="draft-one", status=Post.Status.DRAFT, published_at=None)
    post = unsaved(body="See [one](/posts/draft-one) (no slash: APPEND_SLASH adds it).")
    assert editorial.checks(post, EDITOR) == [
        "Publish or unlink the post this one links to that readers cannot see yet (they get "
        "“not found”): “Draft one” (Draft, /posts/draft-one/)."
    ]


def test_checks_do_not_change_the_post_they_read():
    post = unsaved(body="## Empty")
    assert editorial.checks(post, EDITOR) != []  # the body was read: its empty section is named
    assert post.body_html == ""


def test_checks_html_lists_the_sentences_escaped():
    post = unsaved(description="", body="## Tariffs & trade")
    assert str(editorial.checks_html(post, EDITOR)).strip() == (
        '<ul class="content-checks"><li>Write a description: search engines and link previews '
        "show it under the title.</li><li>Write something under the heading “Tariffs &amp; "
        "trade” or remove it: another heading or the end of the body follows it "
        "directly.</li></ul>"
    )
    assert editorial.checks_html(unsaved(), EDITOR) == "Nothing to fix."


# The editorial calendar.


@pytest.fixture
def may_2020(monkeypatch, settings, make_post, make_author):
    """Posts around May 2020, seen on 15 May 2020 from Berlin (UTC+2 in May)."""
    settings.TIME_ZONE = "Europe/Berlin"
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    ines, tom = make_author("Ines Duarte"), make_author("Tom Ode")
    at = lambda *args: datetime(*args, tzinfo=UTC)  # noqa: E731
    return {
        # 23:30 UTC on 30 April is 01:30 on 1 May in Berlin.
        "early": make_post("Early bird", published_at=at(2020, 4, 30, 23, 30), authors=[tom]),
        "published": make_post(
            "Ports and Power", published_at=at(2020, 5, 3, 7, 0), authors=[tom, ines]
        ),
        "review": make_post(
            "Canal politics",
            status=Post.Status.REVIEW,
            published_at=at(2020, 5, 3, 6, 0),
            authors=[],
        ),
        "scheduled": make_post(
            "Cables at sea", published_at=at(2020, 5, 20, 22, 30), authors=[ines]
        ),
        "draft": make_post(
            "Grain <routes>", status=Post.Status.DRAFT, published_at=None, authors=[ines]
        ),
        "april": make_post("Spring note", published_at=at(2020, 4, 10, 9, 0)),
        "june": make_post("Summer note", published_at=at(2020, 6, 1, 9, 0)),
    }


def test_the_calendar_lists_the_months_posts_by_day_in_the_sites_time_zone(staff_client, may_2020):
    response = staff_client.get(reverse(CALENDAR), {"month": "2020-05"})
    assert response.status_code == 200
    assert response.templates[0].name == "admin/posts/post/calendar.html"
    page = response.content.decode()
    assert "<title>Editorial calendar: May 2020 | Quire</title>" in page
    assert "Spring note" not in page and "Summer note" not in page

    days = [day for day, _ in response.context["days"]]
    assert [f"{day:%Y-%m-%d}" for day in days] == ["2020-05-01", "2020-05-03", "2020-05-21"]
    rows = [
        (f"{entry['when']:%d %H:%M}", entry["post"].title, entry["status"], entry["authors"])
        for _, entries in response.context["days"]
        for entry in entries
    ]
    assert rows == [
        ("01 01:30", "Early bird", "Published", "Tom Ode"),
        ("03 08:00", "Canal politics", "In review", ""),
        ("03 09:00", "Ports and Power", "Published", "Tom Ode, Ines Duarte"),
        ("21 00:30", "Cables at sea", "Scheduled", "Ines Duarte"),
    ]
    # The page, in order: each day's heading, then its posts, and the undated drafts last.
    order = [
        "Friday 1 May 2020", "01:30", "Early bird",
        "Sunday 3 May 2020", "08:00", "Canal politics", "In review",
        "09:00", "Ports and Power", "Published", "Tom Ode, Ines Duarte",
        "Thursday 21 May 2020", "00:30", "Cables at sea", "Scheduled",
        "Not scheduled", "Grain &lt;routes&gt;", "Draft", "Ines Duarte",
    ]  # fmt: skip
    cursor = page.index('id="content-main"')
    for text in order:
        cursor = page.index(text, cursor)  # ValueError: not there, or out of order
    change = reverse("admin:posts_post_change", args=[may_2020["scheduled"].pk])
    assert f'<a href="{change}">Cables at sea</a>' in page
    assert "Times are in Europe/Berlin." in page


def test_the_calendar_defaults_to_this_month_and_navigates_between_months(staff_client, may_2020):
    url = reverse(CALENDAR)
    page = staff_client.get(url).content.decode()
    assert "Editorial calendar: May 2020" in page
    assert '<a href="?month=2020-04" rel="prev">‹ April 2020</a>' in page
    assert '<a href="?month=2020-06" rel="next">June 2020 ›</a>' in page
    changelist = reverse("admin:posts_post_changelist")
    assert f'<a href="{changelist}">All posts</a>' in page
    assert f'› <a href="{changelist}">Posts</a>' in page  # breadcrumbs

    april = staff_client.get(url, {"month": "2020-04"}).content.decode()
    assert "Spring note" in april and "Ports and Power" not in april
    # Undated drafts belong to no month: every month lists them.
    assert "Not scheduled" in april and "Grain &lt;routes&gt;" in april

    january = staff_client.get(url, {"month": "2021-01"}).content.decode()
    assert '<a href="?month=2020-12" rel="prev">' in january
    assert '<a href="?month=2021-02" rel="next">' in january
    assert "No posts dated in January 2021." in january

    for nonsense in ("2020-13", "May", "2020-5", "0000-01"):
        page = staff_client.get(url, {"month": nonsense}).content.decode()
        assert "Editorial calendar: May 2020" in page, nonsense


def test_the_calendar_needs_view_permission(client, django_user_model, may_2020):
    url = reverse(CALENDAR)
    assert client.get(url).status_code == 302  # to the admin login

    user = django_user_model.objects.create_user("intern", password="pw", is_staff=True)
    client.force_login(user)
    assert client.get(url).status_code == 403

    user.user_permissions.add(Permission.objects.get(codename="view_post"))
    assert client.get(url, {"month": "2020-05"}).status_code == 200


def test_the_calendars_queries_do_not_grow_with_its_posts(
    staff_client, may_2020, make_post, make_author, django_assert_num_queries
):
    url = reverse(CALENDAR)
    # Session, user, the month's posts, their authors.
    with django_assert_num_queries(4):
        staff_client.get(url, {"month": "2020-05"})
    for day in range(1, 11):
        make_post(
            published_at=datetime(2020, 5, day, 9, 0, tzinfo=UTC),
            authors=[make_author(), make_author()],
        )
        make_post(status=Post.Status.DRAFT, published_at=None)
    with django_assert_num_queries(4):
        response = staff_client.get(url, {"month": "2020-05"})
    assert sum(len(entries) for _, entries in response.context["days"]) == 14


# Tag suggestions.


@pytest.fixture
def tags(db):
    names = ["grand strategy", "Strategy", "strategic autonomy", "energy", "food, and farming"]
    names += [f"topic {number:02}" for number in range(12)]
    return [Tag.objects.create(name=name, slug=f"tag-{i}") for i, name in enumerate(names)]


def test_tag_suggestions_contain_the_query_case_insensitively_starting_ones_first(
    staff_client, tags
):
    response = staff_client.get(reverse(SUGGEST), {"q": "STRAT"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"tags": ["strategic autonomy", "Strategy", "grand strategy"]}
    # A multi-word tag, or one with a comma, comes back whole.
    assert staff_client.get(reverse(SUGGEST), {"q": "grand s"}).json() == {
        "tags": ["grand strategy"]
    }
    assert staff_client.get(reverse(SUGGEST), {"q": "farm"}).json() == {
        "tags": ["food, and farming"]
    }


def test_tag_suggestions_are_at_most_ten(staff_client, tags):
    names = staff_client.get(reverse(SUGGEST), {"q": "topic"}).json()["tags"]
    assert names == [f"topic {number:02}" for number in range(10)]
    assert staff_client.get(reverse(SUGGEST), {"q": ""}).json() == {"tags": []}
    assert staff_client.get(reverse(SUGGEST), {"q": "nothing like it"}).json() == {"tags": []}


def test_tag_suggestions_are_for_staff_who_may_view_posts(client, django_user_model, tags):
    url = reverse(SUGGEST)
    response = client.get(url, {"q": "strat"})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]

    user = django_user_model.objects.create_user("intern", password="pw", is_staff=True)
    client.force_login(user)
    assert client.get(url, {"q": "strat"}).status_code == 403
    user.user_permissions.add(Permission.objects.get(codename="view_post"))
    assert client.get(url, {"q": "strat"}).json()["tags"][0] == "strategic autonomy"


# The post form.


def test_the_post_form_loads_the_editor_script_and_shows_the_checks(staff_client, make_post):
    post = make_post(description="", body="Text.\n\n## Nothing here")
    page = staff_client.get(reverse("admin:posts_post_change", args=[post.pk])).content.decode()
    assert "js/editor.js" in page
    assert "Write a description: search engines and link previews show it under the title." in page
    assert "Write something under the heading “Nothing here” or remove it" in page


@pytest.mark.skipif(not shutil.which("node"), reason="node is not installed")
def test_the_editor_script_parses():
    script = REPO / "static" / "js" / "editor.js"
    result = subprocess.run(
        ["node", "--check", str(script)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
