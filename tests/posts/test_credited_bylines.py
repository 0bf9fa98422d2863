"""A byline keeps each post's spelling of an author's name, linked to the author's one page."""

import json
import re

import feedparser
import pytest

from editorial import diff, revisions
from posts.models import Byline, Post
from search import index as search_index
from tests.helpers import admin_form_data, assert_queries_cold_and_cached
from tests.posts.test_pages import PAGES

pytestmark = pytest.mark.django_db


def credits(post):
    """The byline as stored: (author's name, credited_as) in order."""
    rows = Byline.objects.filter(post=post).select_related("author")
    return [(row.author.name, row.credited_as) for row in rows]


@pytest.fixture
def credited(make_post, make_author):
    """A public post crediting Jane Doe as "J. Doe", and Omar Haddad under his own name."""
    jane = make_author("Jane Doe", slug="jane-doe")
    omar = make_author("Omar Haddad", slug="omar-haddad")
    post = make_post("Harbours", slug="harbours", authors=[], tags=["ports"])
    post.set_authors([(jane, "J. Doe"), omar])
    return post


# Writing bylines


def test_entries_may_be_authors_ids_or_pairs_with_a_credit(make_post, make_author):
    ada, ben, cy, di = (make_author(name) for name in ("Ada Lee", "Ben Ode", "Cy Ng", "Di Ro"))
    post = make_post(authors=[])
    post.set_authors([ada, ben.pk, (cy, "C. Ng"), (di.pk, "D. Ro")])
    assert credits(post) == [
        ("Ada Lee", ""), ("Ben Ode", ""), ("Cy Ng", "C. Ng"), ("Di Ro", "D. Ro"),
    ]  # fmt: skip


def test_a_credit_that_spells_the_authors_own_name_is_stored_blank(make_post, make_author):
    ada, ben = make_author("Ada Lee"), make_author("Ben Ode")
    post = make_post(authors=[])
    post.set_authors([(ada, "Ada Lee"), (ben.pk, "  Ben Ode ")])
    assert credits(post) == [("Ada Lee", ""), ("Ben Ode", "")]


def test_an_author_listed_twice_keeps_the_first_place_and_credit(make_post, make_author):
    ada, ben = make_author("Ada Lee"), make_author("Ben Ode")
    post = make_post(authors=[])
    post.set_authors([(ada, "A. Lee"), ben, (ada.pk, "Ada L.")])
    assert credits(post) == [("Ada Lee", "A. Lee"), ("Ben Ode", "")]


def test_credits_cost_no_more_queries_however_long_the_byline(
    make_post, make_author, django_assert_num_queries
):
    authors = [make_author(f"Writer {number}") for number in range(6)]
    post = make_post()
    with search_index.deferred():  # the index's own upkeep is counted elsewhere
        with django_assert_num_queries(3):  # the rows to delete, the delete, the insert
            post.set_authors([(author, f"W. {author.pk}") for author in authors])
        # Given by id, the names a credit is compared with are read: one query for them all.
        with django_assert_num_queries(4):
            post.set_authors([(author.pk, f"W. {author.pk}") for author in authors[:2]])
        with django_assert_num_queries(4):
            post.set_authors([(author.pk, f"W. {author.pk}") for author in authors])
    assert [credit for _, credit in credits(post)] == [f"W. {a.pk}" for a in authors]


def test_create_all_writes_credited_bylines(make_author):
    jane = make_author("Jane Doe")
    first = Post(title="First", slug="first")
    second = Post(title="Second", slug="second")
    Post.create_all([(first, [(jane, "J. Doe")]), (second, [jane.pk])])
    assert credits(first) == [("Jane Doe", "J. Doe")]
    assert credits(second) == [("Jane Doe", "")]


def test_the_authors_of_a_post_carry_its_credits_prefetched_or_not(credited):
    for post in (
        Post.objects.get(pk=credited.pk),
        Post.objects.prefetch_related("authors").get(pk=credited.pk),
    ):
        authors = list(post.authors.all())
        assert [author.name for author in authors] == ["Jane Doe", "Omar Haddad"]
        assert [author.credited_name for author in authors] == ["J. Doe", "Omar Haddad"]
    assert [author.credited_name for author in credited.authors.all()] == ["J. Doe", "Omar Haddad"]


def test_the_same_author_is_credited_as_each_post_spells_them(credited, make_post):
    jane = credited.authors.get(slug="jane-doe")
    other = make_post("Canals", authors=[])
    other.set_authors([(jane, "Jane A. Doe")])
    posts = Post.objects.filter(pk__in=[credited.pk, other.pk]).prefetch_related("authors")
    names = {post.title: [a.credited_name for a in post.authors.all()] for post in posts}
    assert names == {"Harbours": ["J. Doe", "Omar Haddad"], "Canals": ["Jane A. Doe"]}


# What readers see


def test_the_article_shows_the_credited_spelling_linked_to_the_authors_page(client, credited):
    page = client.get("/posts/harbours/").content.decode()
    byline = re.search(r'<span class="byline">(.*?)</span>', page, re.S)[1]
    assert '<a href="/authors/jane-doe/">J. Doe</a>' in byline
    assert '<a href="/authors/omar-haddad/">Omar Haddad</a>' in byline
    assert "Jane Doe" not in byline
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page)[1])
    assert [author["name"] for author in data["author"]] == ["J. Doe", "Omar Haddad"]
    assert data["author"][0]["url"] == "http://testserver/authors/jane-doe/"
    assert '<meta property="article:author" content="http://testserver/authors/jane-doe/">' in page
    # The note about the author is the author's own: their profile, under their own name.
    assert '<h3 class="author-note__name"><a href="/authors/jane-doe/">Jane Doe</a></h3>' in page


@pytest.mark.parametrize("url", ["/", "/tags/ports/", "/authors/jane-doe/", "/search/?q=harbours"])
def test_listings_and_search_results_show_the_credited_spelling(client, credited, url):
    page = client.get(url).content.decode()
    assert '<a href="/authors/jane-doe/">J. Doe</a>' in page


def test_feeds_name_each_author_as_the_post_credits_them(client, credited):
    atom = feedparser.parse(client.get("/feed.xml").content).entries[0]
    assert [author.name for author in atom.authors] == ["J. Doe", "Omar Haddad"]
    assert atom.authors[0].href == "http://testserver/authors/jane-doe/"
    rss = client.get("/rss.xml").content.decode()
    assert "<dc:creator>J. Doe</dc:creator><dc:creator>Omar Haddad</dc:creator>" in rss


BYLINE_PAGES = ["/", "/posts/{slug}/", "/authors/jane-doe/", "/feed.xml", "/rss.xml"]


@pytest.mark.parametrize("url", BYLINE_PAGES)
@pytest.mark.parametrize("count", [2, 12])
def test_credited_bylines_cost_the_pages_no_more_queries(
    client, make_post, make_author, django_assert_num_queries, url, count
):
    jane = make_author("Jane Doe", slug="jane-doe")
    for number in range(count):
        post = make_post(authors=[], tags=["shared"])  # tagged: the article lists related posts
        post.set_authors([(jane, f"J. Doe {number}"), make_author()])
    queries = PAGES.get(url, PAGES["/authors/shared-writer/"])
    url = url.format(slug=Post.objects.first().slug)
    assert_queries_cold_and_cached(client, url, queries, django_assert_num_queries)
    assert "J. Doe" in client.get(url).content.decode()


# The desk


def test_the_byline_inline_shows_and_edits_the_credit(staff_client, credited):
    url = f"/admin/posts/post/{credited.pk}/change/"
    page = staff_client.get(url)
    assert 'name="bylines-0-credited_as" value="J. Doe"' in page.content.decode()
    data = admin_form_data(page, title="Harbours")
    data["bylines-0-credited_as"] = "Jane D."
    data["bylines-1-credited_as"] = "O. Haddad"
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert credits(credited) == [("Jane Doe", "Jane D."), ("Omar Haddad", "O. Haddad")]
    listed = staff_client.get("/admin/posts/post/").content.decode()
    assert "Jane D., O. Haddad" in listed


def test_a_restored_revision_brings_its_credits_back(credited, staff_client):
    old = revisions.record(credited)
    assert old.data["authors"][0] == [credited.authors.get(slug="jane-doe").pk, "J. Doe"]
    jane, omar = credited.authors.order_by("name")
    credited.set_authors([omar, jane])
    new = revisions.record(credited)
    assert diff.changes(old.data, new.data)[0]["name"] == "authors"
    assert "Jane Doe as “J. Doe”, Omar Haddad" in diff.changes(old.data, new.data)[0]["html"]

    revisions.restore(credited, old, staff_client.user)

    assert credits(credited) == [("Jane Doe", "J. Doe"), ("Omar Haddad", "")]


def test_an_importers_snapshot_keeps_the_credits_it_was_given(credited):
    jane, omar = credited.authors.order_by("name")
    data = revisions.snapshot(credited, authors=[(jane, "J. Doe"), (omar.pk, "Omar Haddad")])
    assert data["authors"] == [[jane.pk, "J. Doe"], omar.pk]
