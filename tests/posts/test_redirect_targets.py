"""Old URLs that were no post's (an old site's feeds, its listing pages) answer 301 to a path of
this site; a redirect leads to a post or to such a target, never both."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from posts.models import Post, Redirect

pytestmark = pytest.mark.django_db


def target_errors(**fields) -> list[str]:
    """What full_clean() says of the target of a redirect made of `fields`."""
    with pytest.raises(ValidationError) as raised:
        Redirect(**fields).full_clean()
    return raised.value.message_dict["target"]


# Answering


def test_an_old_feed_answers_301_to_the_target(client):
    Redirect.objects.create(old_path="/atom.xml", target="/feed.xml")
    response = client.get("/atom.xml")
    assert (response.status_code, response["Location"]) == (301, "/feed.xml")


@pytest.mark.parametrize("requested", ["/category/ports/", "/category/ports/index.html"])
def test_the_forms_a_static_host_answered_lead_to_the_target(client, requested):
    Redirect.objects.create(old_path="/category/ports/", target="/tags/ports/")
    assert client.get(requested)["Location"] == "/tags/ports/"


def test_a_unicode_target_is_sent_percent_encoded(client):
    Redirect.objects.create(old_path="/kategorie/häfen/", target="/tags/häfen/")
    assert client.get("/kategorie/h%C3%A4fen/")["Location"] == "/tags/h%C3%A4fen/"


def test_the_query_string_is_not_carried_over_as_for_posts(client, make_post):
    Redirect.objects.create(old_path="/atom.xml", target="/feed.xml")
    Redirect.objects.create(old_path="/old.html", post=make_post(slug="kept"))
    assert client.get("/atom.xml?utm_source=x")["Location"] == "/feed.xml"
    assert client.get("/old.html?utm_source=x")["Location"] == "/posts/kept/"


def test_a_target_redirect_costs_one_query(client, django_assert_num_queries):
    Redirect.objects.create(old_path="/atom.xml", target="/feed.xml")
    with django_assert_num_queries(1):
        assert client.get("/atom.xml").status_code == 301


def test_a_live_page_is_never_redirected_to_a_target(client, make_post):
    make_post(slug="live")
    Redirect.objects.create(old_path="/posts/live/", target="/feed.xml")
    assert client.get("/posts/live/").status_code == 200


def test_a_chain_is_followed_a_hop_at_a_time(client, make_post):
    """Whether the target finds nothing, and so is redirected on, only a request for it tells."""
    Redirect.objects.create(old_path="/blog/atom.xml", target="/atom.xml")
    Redirect.objects.create(old_path="/atom.xml", target="/feed.xml")
    first = client.get("/blog/atom.xml")
    assert (first.status_code, first["Location"]) == (301, "/atom.xml")
    assert client.get(first["Location"])["Location"] == "/feed.xml"


def test_redirects_show_where_they_lead(make_post):
    post = make_post(slug="kept")
    assert str(Redirect(old_path="/atom.xml", target="/feed.xml")) == "/atom.xml → /feed.xml"
    assert str(Redirect(old_path="/old.html", post=post)) == "/old.html → /posts/kept/"


# One or the other


def test_the_database_refuses_a_redirect_to_both_or_neither(make_post):
    for fields in ({"post": make_post(), "target": "/feed.xml"}, {}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Redirect.objects.create(old_path="/old/", **fields)


def test_validation_asks_for_a_post_or_a_target(make_post):
    for fields in ({"post": make_post(), "target": "/feed.xml"}, {}):
        with pytest.raises(ValidationError) as raised:
            Redirect(old_path="/old/", **fields).full_clean()
        assert raised.value.messages == [
            "Choose the post this old URL belongs to, or give a target path: one of the two, "
            "not both."
        ]


# The target


@pytest.mark.parametrize(
    "target",
    ["https://elsewhere.example/feed.xml", "//elsewhere.example/feed.xml",
     "/\\elsewhere.example/feed.xml", "feed.xml", "javascript:alert(1)"],
)  # fmt: skip
def test_a_target_is_a_path_on_this_site(target):
    assert target_errors(old_path="/atom.xml", target=target) == [
        "Enter a path on this site, starting with a single / and without a scheme or domain, "
        "such as /feed.xml."
    ]


def test_a_target_is_not_its_own_old_path():
    assert target_errors(old_path="/feed.xml", target="/feed.xml") == [
        "The target is the old path itself: readers would go round in a circle."
    ]


def test_a_target_is_a_page_this_site_answers():
    assert target_errors(old_path="/atom.xml", target="/fed.xml") == [
        "No page on this site answers /fed.xml: enter a path one does, such as /feed.xml or "
        "/tags/<slug>/."
    ]


def test_a_target_is_not_another_old_url(make_post):
    post = Post.objects.get(pk=make_post(slug="first").pk)
    post.slug = "second"
    post.save()  # /posts/first/ is now an old URL of the post
    assert target_errors(old_path="/old/", target="/posts/first/") == [
        "/posts/first/ is itself an old URL, redirected to /posts/second/: enter that instead."
    ]


@pytest.mark.parametrize(
    "target", ["/feed.xml", "/tags/ports/", "/tags/häfen/feed.xml", "/archive/2019/?page=2"]
)
def test_paths_of_this_site_are_good_targets(target):
    Redirect(old_path="/old/", target=target).full_clean()


# The admin


def test_the_admin_lists_searches_and_adds_target_redirects(staff_client, make_post):
    Redirect.objects.create(old_path="/old.html", post=make_post(title="Harbours"))
    Redirect.objects.create(old_path="/atom.xml", target="/feed.xml")
    listed = staff_client.get("/admin/posts/redirect/").content.decode()
    assert '<td class="field-target">/feed.xml</td>' in listed
    assert '<td class="field-post"><a' not in listed and "Harbours" in listed
    found = staff_client.get("/admin/posts/redirect/", {"q": "feed.xml"}).context["cl"]
    assert [str(redirect) for redirect in found.result_list] == ["/atom.xml → /feed.xml"]

    response = staff_client.post(
        "/admin/posts/redirect/add/", {"old_path": "/rss/", "post": "", "target": "/rss.xml"}
    )
    assert response.status_code == 302
    assert Redirect.objects.get(old_path="/rss/").target == "/rss.xml"


def test_the_admin_says_what_is_wrong_with_a_redirect(staff_client, make_post):
    post = make_post()
    both = staff_client.post(
        "/admin/posts/redirect/add/",
        {"old_path": "/old/", "post": str(post.pk), "target": "/feed.xml"},
    ).content.decode()
    assert "Choose the post this old URL belongs to, or give a target path" in both
    elsewhere = staff_client.post(
        "/admin/posts/redirect/add/", {"old_path": "/old/", "target": "https://x.example/"}
    ).content.decode()
    assert "Enter a path on this site" in elsewhere
    assert not Redirect.objects.exists()


def test_the_admin_list_reads_the_posts_with_the_redirects(
    staff_client, make_post, django_assert_max_num_queries
):
    for number in range(8):
        Redirect.objects.create(old_path=f"/old-{number}.html", post=make_post())
    with django_assert_max_num_queries(8):  # session, user, counts, redirects with their posts
        assert staff_client.get("/admin/posts/redirect/").status_code == 200


# Migrating


def migrate_to_latest():
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_stored_redirects_migrate_forward_untouched():
    before = [("posts", "0014_public_post_indexes")]
    try:
        executor = MigrationExecutor(connection)
        executor.migrate(before)
        old = executor.loader.project_state(before).apps
        post = old.get_model("posts", "Post").objects.create(title="Harbours", slug="harbours")
        old.get_model("posts", "Redirect").objects.create(old_path="/2019/h.html", post=post)
    finally:
        migrate_to_latest()
    redirect = Redirect.objects.get()
    stored = (redirect.old_path, redirect.post.slug, redirect.target)
    assert stored == ("/2019/h.html", "harbours", "")
    assert Post.objects.get().body_format == Post.BodyFormat.MARKDOWN
