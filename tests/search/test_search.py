"""Site search: ranking, every field, safe snippets, pages, the public gate, an index that follows
every write, the bounded ranking of common words, odd input, and a fixed number of queries. Runs
on SQLite (FTS5) and PostgreSQL (stored vectors)."""

import importlib
from datetime import timedelta
from io import StringIO
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.contrib.postgres.search import SearchQuery
from django.core.management import call_command
from django.core.paginator import Paginator
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from taggit.models import Tag

from editorial import revisions
from posts.models import Byline, Post
from search import backends, index, text
from search.models import SearchDocument
from transfer import importer

pytestmark = pytest.mark.django_db

SQLITE = connection.vendor == "sqlite"
only_sqlite = pytest.mark.skipif(not SQLITE, reason="the FTS5 index exists on SQLite only")
only_postgres = pytest.mark.skipif(
    SQLITE, reason="SearchDocument is PostgreSQL's index; SQLite searches its FTS5 table"
)


@pytest.fixture(autouse=True)
def no_page_cache(settings):
    """Each request searches: these tests are about the index, not the page cache."""
    settings.QUIRE_PAGE_CACHE_SECONDS = 0


def warm(client):
    """A first request, after which the page cache remembers its own lookups: what is counted
    then is the search's (the page cache's tests count the rest)."""
    assert client.get("/search/").status_code == 200


def found(client, query, **params):
    response = client.get("/search/", {"q": query, **params})
    assert response.status_code == 200
    return [post.title for post in response.context["page_obj"]]


# Ranking and fields


def test_a_title_match_ranks_above_a_body_only_match(client, make_post):
    make_post(
        "Harbour economics",
        body="Cranes and quays.",
        published_at=timezone.now() - timedelta(days=9),
    )
    make_post("Coastal notes", body="A piece that mentions a harbour once.")
    make_post("Unrelated", body="Nothing to see.")
    assert found(client, "harbour") == ["Harbour economics", "Coastal notes"]


def test_a_description_match_ranks_above_a_body_only_match(client, make_post):
    make_post("First", description="On glaciers.", published_at=timezone.now() - timedelta(days=9))
    make_post("Second", body="Once, briefly, glaciers.")
    assert found(client, "glaciers") == ["First", "Second"]


@pytest.mark.parametrize("field", ["title", "description", "tag", "author", "body"])
def test_each_field_is_searched(client, make_post, make_author, field):
    word = "Quetzalcoatl"
    fields = {
        "title": {"title": f"The {word} question"},
        "description": {"description": f"Notes on {word}."},
        "tag": {"tags": [word]},
        "author": {"authors": [make_author(f"Ana {word}")]},
        "body": {"body": f"A long body that names {word} once."},
    }[field]
    make_post(**{"title": "Found piece", **fields})
    make_post("Other piece")
    assert found(client, word.lower()) == [fields.get("title", "Found piece")]


def test_words_are_stemmed_and_all_of_them_required(client, make_post):
    make_post("Ports and power", body="Harbours project influence.")
    make_post("Ports alone")
    assert found(client, "port harbour") == ["Ports and power"]


def test_a_whole_cjk_word_cyrillic_and_hangul_are_found(client, make_post):
    make_post("中国 经济 报告", tags=["中国"])
    make_post("Обзор", body="Москва и Петербург.")
    make_post("서울 이야기", body="서울 여행")
    assert found(client, "中国") == ["中国 经济 报告"]
    assert found(client, "москва") == ["Обзор"]
    assert found(client, "서울") == ["서울 이야기"]


@only_sqlite
def test_sqlite_finds_a_cjk_word_inside_a_longer_run(client, make_post):
    make_post("关于中国经济的报告", body="日本語のテキストです。中国经济。")
    make_post("无关的文章")
    assert found(client, "中国") == ["关于中国经济的报告"]
    assert found(client, "テキスト") == ["关于中国经济的报告"]
    page = client.get("/search/", {"q": "中国"}).content.decode()
    assert "<mark>中国</mark>" in page


# Snippets


def test_snippets_mark_the_words_and_escape_everything_else(client, make_post):
    make_post(
        "Escaping piece",
        description='<img src=x onerror="alert(1)"> zanzibar',
        body='Before &lt;b&gt; the word zanzibar, 5 < 6 & "quoted".\n\nAfter.',
    )
    page = client.get("/search/", {"q": "zanzibar"}).content.decode()
    snippet = page[page.index('class="card__excerpt search-snippet">') :]
    snippet = snippet[: snippet.index("</p>")]
    assert "<mark>zanzibar</mark>" in snippet
    assert "&lt;b&gt;" in snippet and "<b>" not in snippet
    assert "&lt; 6 &amp;" in snippet
    assert "<img" not in page and "onerror=&quot;" not in page.split("<main", 1)[0]


@pytest.mark.parametrize(("query", "word"), [("zanzibar", "zanzibar"), ("country", "countries")])
def test_a_match_deep_in_a_long_body_is_shown_marked(client, make_post, query, word):
    before = " ".join(f"filler{number}" for number in range(600))
    make_post("Long read", body=f"{before} where {word} meet.\n\nMore text after it.")
    page = client.get("/search/", {"q": query}).content.decode()
    assert f"<mark>{word}</mark> meet." in page
    assert "filler0 " not in page


def test_a_description_only_match_shows_the_description(client, make_post):
    make_post("Plain", description="Secret <word> okapi here.", body="Body without it.")
    page = client.get("/search/", {"q": "okapi"}).content.decode()
    assert "Secret &lt;word&gt; <mark>okapi</mark> here." in page
    assert found(client, "word") == ["Plain"]


def test_a_query_cannot_inject_markup(client, make_post):
    make_post("Marked", body="mark my words")
    page = client.get("/search/", {"q": '<mark>"words</mark><script>'}).content.decode()
    assert "<script>" not in page
    assert "&lt;mark&gt;" in page  # shown back escaped


# The page


def test_the_page_has_its_title_form_count_results_and_noindex(client, make_post, make_author):
    author = make_author("Noor Haddad", slug="noor-haddad")
    post = make_post("Harbours and hegemony", authors=[author], body="Ports matter.")
    make_post("Harbour dues", body="Fees paid at the harbour.")
    page = client.get("/search/", {"q": "harbour"}).content.decode()
    assert f"<title>Search: harbour · {settings.QUIRE_SITE_NAME}</title>" in page
    assert '<meta name="robots" content="noindex">' in page
    assert '<label class="search-form__label" for="search-query">' in page
    assert 'type="search" name="q" value="harbour"' in page
    assert "2 results for “harbour”" in page
    assert f'href="{post.get_absolute_url()}">Harbours and hegemony</a>' in page
    assert 'href="/authors/noor-haddad/">Noor Haddad</a>' in page
    assert "<time datetime=" in page
    assert "<mark>" in page


def test_an_empty_query_prompts_and_searches_nothing(client, make_post, django_assert_num_queries):
    make_post("Anything")
    warm(client)
    for query in ("", "   ", " \t\r\n"):
        with django_assert_num_queries(0):
            response = client.get("/search/", {"q": query})
        page = response.content.decode()
        assert response.status_code == 200
        assert f"<title>Search · {settings.QUIRE_SITE_NAME}</title>" in page
        assert "Type a few words" in page and "<article" not in page
    assert client.get("/search/").status_code == 200
    assert "<article" in client.get("/search/", {"q": "anything"}).content.decode()


def test_no_match_says_so(client, make_post):
    make_post("Anything")
    page = client.get("/search/", {"q": "xylophone"}).content.decode()
    assert "0 results" in page and "No articles found" in page


def test_results_come_ten_a_page(client, make_post):
    for number in range(12):
        make_post(f"Dispatch {number:02}", body="About fjords.")
    first = client.get("/search/", {"q": "fjords"})
    assert len(first.context["page_obj"]) == 10
    assert "12 results" in first.content.decode()
    assert 'href="?q=fjords&amp;page=2"' in first.content.decode()
    second = found(client, "fjords", page=2)
    assert len(second) == 2
    assert not set(second) & {post.title for post in first.context["page_obj"]}
    assert 'href="?q=fjords"' in client.get("/search/", {"q": "fjords", "page": 2}).content.decode()
    assert client.get("/search/", {"q": "fjords", "page": 3}).status_code == 404
    assert client.get("/search/", {"q": "fjords", "page": "abc"}).status_code == 404
    assert client.get("/search/", {"q": "", "page": 2}).status_code == 404


# The public gate


def test_only_published_posts_are_ever_returned(client, make_post):
    make_post("Visible walrus")
    make_post("Draft walrus", status=Post.Status.DRAFT, published_at=None)
    make_post("Review walrus", status=Post.Status.REVIEW, published_at=None)
    make_post("Scheduled walrus", published_at=timezone.now() + timedelta(minutes=5))
    make_post("Undated walrus")
    Post.objects.filter(title="Undated walrus").update(published_at=None)
    former = make_post("Former walrus")
    former.status = Post.Status.DRAFT
    former.save()
    response = client.get("/search/", {"q": "walrus"})
    assert [post.title for post in response.context["page_obj"]] == ["Visible walrus"]
    assert "1 result for" in response.content.decode()


def test_a_scheduled_post_is_found_once_its_time_comes(client, make_post):
    post = make_post("Timed narwhal", published_at=timezone.now() + timedelta(minutes=5))
    assert found(client, "narwhal") == []
    Post.objects.filter(pk=post.pk).update(published_at=timezone.now() - timedelta(minutes=1))
    assert found(client, "narwhal") == ["Timed narwhal"]


# The index follows edits


def test_a_retitled_post_is_found_by_its_new_title_only(client, make_post):
    post = make_post("Old heading")
    post.title = "Fresh heading"
    post.save()
    assert found(client, "old") == []
    assert found(client, "fresh") == ["Fresh heading"]


def test_retagging_moves_a_post_between_tags(client, make_post):
    post = make_post("Tagged", tags=["tundra"])
    post.tags.set(["steppe"])
    assert found(client, "tundra") == []
    assert found(client, "steppe") == ["Tagged"]
    post.tags.clear()
    assert found(client, "steppe") == []
    post.tags.add("taiga")
    assert found(client, "taiga") == ["Tagged"]


def test_a_renamed_tag_is_found_by_its_new_name(client, make_post):
    make_post("Tagged", tags=["tundra"])
    tag = Tag.objects.get(name="tundra")
    tag.name = "permafrost"
    tag.save()
    assert found(client, "tundra") == []
    assert found(client, "permafrost") == ["Tagged"]
    tag.delete()
    assert found(client, "permafrost") == []


def test_bylines_follow_new_co_authors_renames_and_removals(client, make_post, make_author):
    post = make_post("Bylined")
    co_author = make_author("Ingrid Solvang")
    post.authors.add(co_author)
    assert found(client, "solvang") == ["Bylined"]
    co_author.name = "Ingrid Halvorsen"
    co_author.save()
    assert found(client, "solvang") == []
    assert found(client, "halvorsen") == ["Bylined"]
    post.authors.remove(co_author)
    assert found(client, "halvorsen") == []
    Byline.objects.create(post=post, author=co_author, position=5)
    assert found(client, "halvorsen") == ["Bylined"]
    Byline.objects.filter(post=post, author=co_author).delete()
    assert found(client, "halvorsen") == []
    co_author.posts.add(post)
    assert found(client, "halvorsen") == ["Bylined"]
    co_author.posts.clear()
    assert found(client, "halvorsen") == []


def test_a_byline_set_in_one_write_is_searched(client, make_post, make_author):
    post = make_post("Bylined", authors=[make_author("Ada Byron")])
    post.set_authors([make_author("Ingrid Solvang")])
    assert found(client, "solvang") == ["Bylined"]
    assert found(client, "byron") == []


def test_a_deleted_post_is_gone(client, make_post):
    post = make_post("Ephemeral mayfly")
    assert found(client, "mayfly") == ["Ephemeral mayfly"]
    post.delete()
    assert found(client, "mayfly") == []


def test_an_edited_body_is_searched_as_text(client, make_post):
    post = make_post("Edited", body="First version.")
    assert found(client, "first") == ["Edited"]
    post.body = "Second version about **lichens** and [moss](https://example.org/href-word)."
    post.save()
    assert found(client, "lichens") == ["Edited"]
    assert found(client, "moss") == ["Edited"]
    assert found(client, "first") == []
    assert found(client, "href") == []  # markup is not text: a link's address is not searched


def test_writes_that_bypass_signals_are_reindexed_by_deferred(client, make_post, make_author):
    author = make_author("Tobias Renner")
    with index.deferred():
        post = Post.objects.create(title="Imported", slug="imported", status="published")
        Byline.objects.bulk_create([Byline(post=post, author=author, position=0)])
        Post.tags.through.objects.bulk_create(
            [Post.tags.through(tag=Tag.objects.create(name="estuary"), content_object=post)]
        )
    assert found(client, "renner") == ["Imported"]
    assert found(client, "estuary") == ["Imported"]


def test_reindex_takes_up_bulk_created_rows(client, make_post, make_author):
    post = make_post("Bulk", authors=[])
    Byline.objects.bulk_create([Byline(post=post, author=make_author("Amara Okafor"))])
    index.reindex([post.pk])
    assert found(client, "okafor") == ["Bulk"]


def test_loaded_fixtures_are_searchable(client):
    call_command("loaddata", "demo", verbosity=0)
    assert "The Fragile Backbone" in found(client, "infrastructure")[0]  # a tag
    assert found(client, "okafor") or found(client, "solvang")  # an author
    assert any("Mekong" in title for title in found(client, "mekong"))


def import_files(tmp_path, front):
    path = tmp_path / "2025-05-14-imported.md"
    path.write_text(f"---\n{front}---\n_Lead._\n\n<excerpt/>\n\nRest.\n", encoding="utf-8")
    call_command("import_posts", str(path), stdout=StringIO(), stderr=StringIO())


def test_an_import_wrapped_in_deferred_is_searchable(client, tmp_path, monkeypatch):
    """The wiring the importer needs: Batch.write inside search.index.deferred()."""
    write = importer.Batch.write

    def deferred_write(self, *args, **kwargs):
        with index.deferred():
            write(self, *args, **kwargs)

    monkeypatch.setattr(importer.Batch, "write", deferred_write)
    import_files(tmp_path, "title: Imported piece\nauthor: Zoë Lindqvist\ntags: [fjord]\n")
    assert found(client, "lindqvist") == ["Imported piece"]
    assert found(client, "fjord") == ["Imported piece"]
    import_files(tmp_path, "title: Imported piece\nauthor: Ben Jaros\ntags: [estuary]\n")
    assert found(client, "lindqvist") == found(client, "fjord") == []
    assert found(client, "jaros") == found(client, "estuary") == ["Imported piece"]


def test_an_import_is_searchable_by_its_authors_and_tags(client, tmp_path):
    import_files(tmp_path, "title: Imported piece\nauthor: Zoë Lindqvist\ntags: [fjord]\n")
    assert found(client, "imported") == ["Imported piece"]  # the post itself is indexed
    assert found(client, "lindqvist") == ["Imported piece"]
    assert found(client, "fjord") == ["Imported piece"]


@only_sqlite
def test_the_migration_fills_the_index_with_existing_posts(client, make_post, make_author):
    make_post("Before search", authors=[make_author("Helena Marchetti")], tags=["lagoon"])
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM posts_search")
    assert found(client, "lagoon") == []
    migration = importlib.import_module("posts.migrations.0007_search")
    state = MigrationLoader(connection).project_state(("posts", "0007_search"))
    migration.fill_index(state.apps, SimpleNamespace(connection=connection))
    assert found(client, "lagoon") == ["Before search"]
    assert found(client, "marchetti") == ["Before search"]


@only_postgres
def test_the_migration_writes_documents_for_existing_posts(client, make_post, make_author):
    make_post("Before search", authors=[make_author("Helena Marchetti")], tags=["lagoon"])
    wipe_index()
    assert found(client, "lagoon") == []
    migration = importlib.import_module("search.migrations.0002_fill_documents")
    state = MigrationLoader(connection).project_state(("search", "0002_fill_documents"))
    migration.fill(state.apps, SimpleNamespace(connection=connection))
    assert found(client, "lagoon") == ["Before search"]
    assert found(client, "marchetti") == ["Before search"]


def wipe_index():
    """The index emptied behind the signals' back, as a bulk load leaves it."""
    if SQLITE:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM posts_search")
    else:
        SearchDocument.objects.all().delete()


def test_rebuild_rewrites_the_whole_index(client, make_post, make_author):
    make_post("Rebuilt", body="sturgeon", authors=[make_author("Ines Varga")], tags=["delta"])
    make_post("Also rebuilt", body="sturgeon", status=Post.Status.DRAFT, published_at=None)
    wipe_index()
    assert found(client, "sturgeon") == []
    index.rebuild()
    assert found(client, "sturgeon") == found(client, "varga") == found(client, "delta")
    assert found(client, "sturgeon") == ["Rebuilt"]
    moment = timezone.now() - timedelta(days=30)
    Post.objects.filter(title="Also rebuilt").update(
        status=Post.Status.PUBLISHED, published_at=moment
    )
    assert sorted(found(client, "sturgeon")) == ["Also rebuilt", "Rebuilt"]  # drafts, indexed too


def test_rebuild_keeps_a_full_index_whole(client, make_post):
    make_post("Kept", body="sturgeon")
    index.rebuild()
    index.rebuild()
    assert found(client, "sturgeon") == ["Kept"]


# PostgreSQL's stored vectors follow every write


def weights(post, word) -> str:
    """The weights at which the post's stored vector holds `word` (A title; B description, tags
    and authors; C body), e.g. "AC"; "" where it does not."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT weights FROM search_searchdocument, unnest(vector) "
            "WHERE post_id = %s AND lexeme = (tsvector_to_array(to_tsvector('english', %s)))[1]",
            [post.pk, word],
        )
        row = cursor.fetchone()
    return "".join(sorted(set(row[0]))) if row else ""


def holds(post, words) -> bool:
    """Whether the post's stored vector has every one of `words`."""
    query = SearchQuery(words, search_type="plain", config="english")
    return SearchDocument.objects.filter(pk=post.pk, vector=query).exists()


@only_postgres
def test_a_saved_post_is_stored_weighted_by_field_with_its_text(make_post, make_author):
    post = make_post(
        "Harbour economics",
        description="On dredging.",
        tags=["estuaries"],
        authors=[make_author("Ana Quiroga")],
        body="The **quays** of [the port](https://example.org/href-word) &amp; <i>cranes</i>.",
    )
    expected = {
        "harbour": "A", "dredging": "B", "estuaries": "B", "quiroga": "B", "quays": "C"
    }  # fmt: skip
    assert {word: weights(post, word) for word in expected} == expected
    assert weights(post, "href") == ""  # a link's address is not text
    assert SearchDocument.objects.get(pk=post.pk).body == "The quays of the port & cranes."


@only_postgres
def test_a_saved_edit_replaces_the_vector(make_post):
    post = make_post("Old heading", body="First version.")
    post.title, post.body = "Fresh heading", "Second version."
    post.save()
    assert holds(post, "fresh second") and not holds(post, "old") and not holds(post, "first")


@only_postgres
def test_a_byline_set_in_one_write_is_stored(make_post, make_author):
    post = make_post(authors=[make_author("Ada Byron")])
    post.set_authors([make_author("Ingrid Solvang")])
    assert weights(post, "solvang") == "B" and weights(post, "byron") == ""


@only_postgres
def test_a_renamed_tag_and_a_renamed_author_are_stored(make_post, make_author):
    author = make_author("Ingrid Solvang")
    post = make_post(tags=["tundra"], authors=[author])
    tag = Tag.objects.get(name="tundra")
    tag.name = "permafrost"
    tag.save()
    author.name = "Ingrid Halvorsen"
    author.save()
    assert weights(post, "permafrost") == weights(post, "halvorsen") == "B"
    assert weights(post, "tundra") == weights(post, "solvang") == ""
    post.tags.remove(tag)
    assert weights(post, "permafrost") == ""


@only_postgres
def test_a_deleted_post_takes_its_document_with_it(make_post, make_author):
    post = make_post(authors=[make_author(), make_author()], tags=["tundra"])
    post.delete()
    assert not SearchDocument.objects.filter(pk=post.pk).exists()
    connection.check_constraints()  # no document written for the post while it was deleted


@only_postgres
def test_loaded_fixtures_are_stored():
    call_command("loaddata", "demo", verbosity=0)
    posts = Post.objects.all()
    assert posts and SearchDocument.objects.count() == len(posts)
    assert all(holds(post, post.title) for post in posts)


@only_postgres
def test_a_deferred_import_is_stored_once_complete(make_author):
    author = make_author("Tobias Renner")
    with index.deferred():
        post = Post.objects.create(title="Imported", slug="imported", status="published")
        Byline.objects.bulk_create([Byline(post=post, author=author, position=0)])
        Post.tags.through.objects.bulk_create(
            [Post.tags.through(tag=Tag.objects.create(name="estuary"), content_object=post)]
        )
        assert not holds(post, "imported")  # written once, on the way out
    assert weights(post, "renner") == weights(post, "estuary") == "B"


@only_postgres
def test_a_restored_revision_is_stored(make_post, make_author, django_user_model):
    first, second = make_author("Ada Byron"), make_author("Ingrid Solvang")
    post = make_post("Old heading", authors=[first], tags=["tundra"])
    old = revisions.record(post)
    post.title = "Fresh heading"
    post.save()
    post.set_authors([second])
    post.tags.set(["steppe"])
    revisions.restore(post, old, django_user_model.objects.create_superuser("ed", "e@x.org", "pw"))
    assert holds(post, "old heading byron tundra")
    assert not holds(post, "fresh") and weights(post, "solvang") == weights(post, "steppe") == ""


# Odd input

ODD = [
    "",
    " ",
    "x" * 5000,
    "word " * 300,
    '"',
    '""',
    '"unbalanced quote',
    "it's",
    "a AND b",
    "OR",
    "the",
    "a & b | !c <-> d:*",
    "NOT walrus",
    "NEAR(walrus tusk)",
    "NEAR/2",
    "*",
    "walr*",
    "^walrus",
    "title:walrus",
    "{title body}:walrus",
    "(walrus",
    ")",
    "-",
    "-walrus",
    "walrus -tusk",
    "+walrus",
    ":",
    "\t",
    "wal\trus",
    "\r\n",
    "中国",
    "关于中国经济的报告",
    "Москва",
    "한국어",
    "🙂",
    "🦭 walrus",
    "\ue000walrus\ue001",
    "<script>alert(1)</script>",
    "%",
    "_",
    "\\",
    "'; DROP TABLE posts_post; --",
    "\u200b",
    "ﷺ",
    "a" + "\u0301" * 50,
    "node.js c++ x.y.z",
    "$1.00 3.14 [a] a(b) a|b a\\b",
    "walrus's tusk-like (walrus)",
]


@pytest.mark.parametrize("query", ODD)
def test_odd_input_never_fails(client, make_post, query):
    make_post("Walrus tusks", body="The walrus 中国 Москва 한국어 🦭.", tags=["中国"])
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    shown = response.context["query"]
    assert len(shown) <= text.MAX_QUERY_LENGTH
    assert "\x00" not in shown
    assert client.get("/search/", {"q": query, "page": 1}).status_code == 200


def test_a_long_query_is_cut(client, make_post):
    make_post("Walrus")
    response = client.get("/search/", {"q": "walrus " + "x" * 1000})
    assert len(response.context["query"]) == text.MAX_QUERY_LENGTH


def test_reserved_words_are_searched_as_words(client, make_post):
    make_post("Near and far", body="Not or and.")
    make_post("Elsewhere")
    assert found(client, "near") == ["Near and far"]
    assert found(client, '"near') == ["Near and far"]
    assert found(client, "far)") == ["Near and far"]


def test_fts5_queries_are_quoted_words():
    assert text.fts5_query('say "hi" NEAR(x) *') == '"say" """hi""" "NEAR(x)" "*"'
    assert text.clean_query(" a\x00b \n c ") == "a b c"


# Bounded ranking: the most recent matches, counted up to a cap


@pytest.fixture
def three_candidates(monkeypatch):
    monkeypatch.setattr(backends, "CANDIDATES", 3)
    monkeypatch.setattr(backends, "ROW_COST", 1)  # so that a small archive has "few" matches


def dated(make_post, title, days, **fields):
    return make_post(title, published_at=timezone.now() - timedelta(days=days), **fields)


# How many posts match: at most the cap, most of the archive, or a part of it (on SQLite each
# has its own plan, named by what its query does).
SHARES = {"few": (0, 0, "CROSS JOIN"), "most": (2, 0, "EXISTS"), "some": (2, 10, "+p.pk IN")}


@pytest.mark.parametrize(("older", "others", "plan"), SHARES.values(), ids=SHARES.keys())
def test_the_most_recent_public_matches_are_ranked(
    client, make_post, three_candidates, older, others, plan
):
    for number in range(others):
        dated(make_post, f"Filler {number}", days=1 + number)
    dated(make_post, "Body only", days=3, body="A walrus.")
    dated(make_post, "Walrus in the title", days=4)
    dated(make_post, "Described", days=5, description="On the walrus.")
    for number in range(older):  # better matches, but older than the three most recent
        dated(make_post, f"Older walrus {number}", days=30 + number, description="Walrus.")
    if older:  # newer, but not public: it takes no place among the three
        dated(make_post, "Draft walrus", days=1, status=Post.Status.DRAFT)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/search/", {"q": "walrus"})
    ranking = queries.captured_queries[1]["sql"]
    assert found(client, "walrus") == ["Walrus in the title", "Described", "Body only"]
    page = response.content.decode()
    if older:
        assert "3+ results for “walrus”" in page
        assert "Showing the 3 most recent matches, best first." in page
    else:
        assert "3 results for “walrus”" in page and "most recent" not in page
    if SQLITE:
        assert plan in ranking


def test_a_capped_count_pages_through_the_ranked_matches_only(client, make_post, monkeypatch):
    monkeypatch.setattr(backends, "CANDIDATES", 12)
    for number in range(15):
        dated(make_post, f"Fjord {number:02}", days=number)
    page = client.get("/search/", {"q": "fjord", "page": 2}).content.decode()
    assert "12+ results for “fjord”, page 2 of 2" in page
    assert sorted(found(client, "fjord", page=2) + found(client, "fjord")) == [
        f"Fjord {number:02}" for number in range(12)
    ]
    assert client.get("/search/", {"q": "fjord", "page": 3}).status_code == 404


def test_a_capped_count_is_printed_with_its_thousands(rf):
    context = {"query": "fjord", "page_obj": Paginator([], 10).page(1), "capped": True}
    context["page_obj"].paginator.count = 1000
    page = render_to_string("search/search.html", context, request=rf.get("/search/"))
    assert "1,000+ results for “fjord”" in page
    assert "Showing the 1,000 most recent matches, best first." in page


# Queries


@pytest.fixture
def library(make_post, make_author):
    def build(count):
        shared = make_author("Shared Writer", slug="shared-writer")
        for number in range(count):
            make_post(
                f"Beluga {number}",
                authors=[make_author(), shared],
                tags=["whales", f"topic-{number}"],
                body=f"Beluga notes {number}.",
            )

    return build


# SQLite: how many posts match, the ranked candidates, the page's posts with their snippets,
# bylines, tags. PostgreSQL: the ranked candidates, the page's posts with their snippets,
# bylines, tags.
SEARCH_QUERIES = 5 if SQLITE else 4


@pytest.mark.parametrize("count", [1, 12])
def test_search_uses_a_fixed_number_of_queries(client, library, django_assert_num_queries, count):
    library(count)
    warm(client)
    with django_assert_num_queries(SEARCH_QUERIES):
        response = client.get("/search/", {"q": "beluga"})
    assert len(response.context["page_obj"]) == min(count, 10)


@pytest.mark.parametrize("words", ["beluga", "whales", "beluga notes 3"])
def test_a_capped_search_costs_the_same(
    client, library, django_assert_num_queries, monkeypatch, words
):
    monkeypatch.setattr(backends, "CANDIDATES", 4)
    library(12)
    warm(client)
    with django_assert_num_queries(SEARCH_QUERIES):
        response = client.get("/search/", {"q": words, "page": 1})
    assert response.status_code == 200


def test_a_search_without_results_costs_one_query(client, library, django_assert_num_queries):
    library(2)
    warm(client)
    with django_assert_num_queries(1):
        assert client.get("/search/", {"q": "orca"}).status_code == 200
