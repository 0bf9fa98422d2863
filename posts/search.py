"""Site search: published posts ranked by relevance, with highlighted snippets.

SQLite searches an FTS5 table, `posts_search`, made by migration 0007 and kept up to date by the
signals connected in `connect_signals()`: its rowid is the post's id and it holds every post,
public or not, as plain text (the readers' gate, `Post.objects.published()`, is applied when
searching, so a scheduled post becomes findable at its moment without any job running).
PostgreSQL builds weighted tsvectors from the posts' own columns when searching: no table.

Writes that bypass signals (`bulk_create`, `QuerySet.update`) must call `reindex(post_ids)`, or
run inside `deferred()`, which reindexes every post saved within it once, on the way out.

Ranking: title weighs most, then description, tags and authors, then the body. Snippets come
back from the database with private-use characters around the matched words; the text is
escaped and only then are those characters turned into `<mark>`, so a snippet is safe HTML.

CJK: FTS5's unicode61 tokenizer reads a run of Han or kana (or a Hangul word) as one token, so
on SQLite each such character is indexed, and searched, as a token of its own (a zero-width space
on either side, which the tokenizer treats as a separator and snippets drop): a search for
"中国" is the phrase "中 国" and finds it inside any longer run. PostgreSQL's parser also reads a
run as one word, and nothing is done about it there: a CJK word is found where it stands apart
(between spaces or punctuation, or as a whole tag), not inside a longer run.
"""

import contextlib
import contextvars
import html
import re
from collections import defaultdict
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import DEFAULT_DB_ALIAS, connections, router
from django.db.models import F, Func, OuterRef, Subquery, TextField, Value
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.shortcuts import render
from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe
from taggit.models import Tag

from .models import Author, Byline, Post

TABLE = "posts_search"
# A query longer than this is cut: nobody types more, and a long one only costs time.
MAX_QUERY_LENGTH = 200
# Around the matched words in snippets, until they are escaped and become <mark>.
START, STOP = "\ue000", "\ue001"
# PostgreSQL's parser reads "<word>" as an HTML tag, which ts_headline leaves out: in the text
# it cuts snippets from, "<" and ">" are these until the snippet is escaped.
LT, GT = "\ue002", "\ue003"
# How many tokens an FTS5 snippet holds (FTS5 allows up to 64).
SNIPPET_TOKENS = 24
ELLIPSIS = "…"
# FTS5 column weights, in column order: title, description, tags, authors, body.
BM25_WEIGHTS = (10.0, 5.0, 5.0, 5.0, 1.0)
# PostgreSQL's weights for D, C, B and A: body (C) 0.1, description, tags, authors (B) 0.5,
# title (A) 1.0; the same proportions as BM25_WEIGHTS.
POSTGRES_WEIGHTS = [0.1, 0.1, 0.5, 1.0]
# Stemmed English on both databases: "port" finds "ports" (FTS5's porter tokenizer here).
POSTGRES_CONFIG = "english"

ZERO_WIDTH_SPACE = "\u200b"
# Scripts written without spaces between words (Han, kana) and Hangul syllables.
_CJK = re.compile(
    "[\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
    "\uff66-\uff9f\U00020000-\U0003134f]"
)
# Control characters (NUL among them) and our own delimiters never reach the database.
_UNWANTED = re.compile(f"[\x00-\x1f\x7f{START}{STOP}{LT}{GT}]")
_MARKED = re.compile(f"{START}(.*?){STOP}", re.DOTALL)
# Entities sanitised Markdown output uses, for PostgreSQL ("&amp;" last: "&amp;lt;" is "&lt;").
_ENTITIES = [
    ("&lt;", "<"),
    ("&gt;", ">"),
    ("&quot;", '"'),
    ("&#39;", "'"),
    ("&#x27;", "'"),
    ("&nbsp;", "\xa0"),
    ("&amp;", "&"),
]


# The query as typed


def clean_query(raw: str) -> str:
    """What a reader typed, made safe to search for and to show: no control characters, single
    spaces, at most MAX_QUERY_LENGTH characters."""
    text = " ".join(_UNWANTED.sub(" ", raw or "").split())
    return text[:MAX_QUERY_LENGTH].strip()


def fts5_query(query: str) -> str:
    """Every word as an FTS5 string ("word", inner quotes doubled), all of them required.

    Nothing a reader types is FTS5 syntax: AND, NEAR, *, ^, :, ( ) and quotes are plain text, and
    a word of punctuation alone is an empty string, which FTS5 ignores.
    """
    words = (segment(word) for word in query.split())
    return " ".join('"' + word.replace('"', '""') + '"' for word in words)


def segment(text: str) -> str:
    """Each CJK character made a token of its own for FTS5 (see the module's docstring)."""
    return _CJK.sub(lambda match: f"{ZERO_WIDTH_SPACE}{match[0]}{ZERO_WIDTH_SPACE}", text)


# Snippets


def highlight(snippet: str | None) -> SafeString:
    """A snippet from the database as safe HTML: escaped, with the matched words in <mark>."""
    text = (snippet or "").replace(ZERO_WIDTH_SPACE, "").replace(LT, "<").replace(GT, ">")
    text = " ".join(text.split())
    marked = _MARKED.sub(r"<mark>\1</mark>", escape(text))
    return mark_safe(marked.replace(START, "").replace(STOP, ""))


def best_snippet(*snippets: str | None) -> SafeString:
    """The first snippet that shows a match, else the first that shows anything."""
    candidates = [snippet for snippet in snippets if snippet and snippet.strip()]
    chosen = next((s for s in candidates if START in s), candidates[0] if candidates else "")
    return highlight(chosen)


# Searching


def search(request):
    """/search/?q=: the published posts that match, best first, ten a page."""
    from .views import paginate

    query = clean_query(request.GET.get("q", ""))
    page = paginate(request, find(query))
    return render(request, "posts/search.html", {"query": query, "page_obj": page})


def find(query: str):
    """The published posts matching `query` (already cleaned), for a Paginator: each post it
    yields has `snippet`, safe HTML."""
    using = router.db_for_read(Post)
    if not query:
        return NoResults()
    if connections[using].vendor == "postgresql":
        return PostgresResults(query, using)
    return SQLiteResults(query, using)


class Results:
    """A lazily counted, lazily sliced result list: what a Paginator needs."""

    def __init__(self, query: str, using: str):
        self.query = query
        self.using = using
        self._count = None

    def count(self) -> int:
        if self._count is None:
            self._count = self.fetch_count()
        return self._count

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            raise TypeError("Search results are read a page at a time.")
        start, stop, _ = index.indices(self.count())
        return self.fetch(start, stop) if stop > start else []

    def fetch_count(self) -> int:
        raise NotImplementedError

    def fetch(self, start: int, stop: int) -> list[Post]:
        raise NotImplementedError


class NoResults(Results):
    def __init__(self):
        super().__init__("", DEFAULT_DB_ALIAS)

    def fetch_count(self):
        return 0


class SQLiteResults(Results):
    """FTS5 ranks (bm25) and cuts snippets; then the page's posts are read for printing."""

    def __init__(self, query, using):
        super().__init__(query, using)
        self.match = fts5_query(query)
        public = Post.objects.using(using).published().order_by().values("pk")
        self.public_sql, self.public_params = public.query.get_compiler(using).as_sql()

    def fetch_count(self) -> int:
        sql = (
            f"SELECT count(*) FROM {TABLE} WHERE {TABLE} MATCH %s AND rowid IN ({self.public_sql})"
        )
        with connections[self.using].cursor() as cursor:
            cursor.execute(sql, [self.match, *self.public_params])
            return cursor.fetchone()[0]

    def fetch(self, start, stop):
        rank = f"bm25({TABLE}, {', '.join(map(str, BM25_WEIGHTS))})"
        snippet = f"snippet({TABLE}, %s, %s, %s, %s, {SNIPPET_TOKENS})"
        # The inner query ranks every match and keeps one page; only the page's rows are then
        # cut into snippets (in the same order: bm25 is computed from the same statistics).
        sql = (
            f"SELECT rowid, {snippet}, {snippet} FROM {TABLE} "
            f"WHERE {TABLE} MATCH %s AND rowid IN ("
            f"  SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s AND rowid IN ({self.public_sql})"
            f"  ORDER BY {rank}, rowid DESC LIMIT %s OFFSET %s"
            f") ORDER BY {rank}, rowid DESC"
        )
        params = [
            *(4, START, STOP, ELLIPSIS),  # body
            *(1, START, STOP, ELLIPSIS),  # description
            self.match,
            self.match,
            *self.public_params,
            stop - start,
            start,
        ]
        with connections[self.using].cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        # The public gate once more, after ranking: a post unpublished meanwhile drops out.
        posts = (
            Post.objects.using(self.using)
            .published()
            .for_listing()
            .in_bulk([row[0] for row in rows])
        )
        found = []
        for post_id, body, description in rows:
            if post_id in posts:
                post = posts[post_id]
                post.snippet = best_snippet(body, description)
                found.append(post)
        return found


class PostgresResults(Results):
    """PostgreSQL full-text search over weighted vectors of the posts' columns."""

    def __init__(self, query, using):
        super().__init__(query, using)
        self.queryset = postgres_queryset(query).using(using)

    def fetch_count(self) -> int:
        return self.queryset.count()

    def fetch(self, start, stop):
        posts = list(self.queryset[start:stop])
        for post in posts:
            post.snippet = best_snippet(post.body_snippet, post.description_snippet)
        return posts


def postgres_queryset(query: str):
    from django.contrib.postgres.search import (
        SearchHeadline,
        SearchQuery,
        SearchRank,
        SearchVector,
    )

    config = POSTGRES_CONFIG
    search_query = SearchQuery(query, search_type="websearch", config=config)
    vector = (
        SearchVector(_postgres_text(F("title")), weight="A", config=config)
        + SearchVector(_postgres_text(F("description")), weight="B", config=config)
        + SearchVector(_postgres_names("tags"), weight="B", config=config)
        + SearchVector(_postgres_names("authors"), weight="B", config=config)
        # PostgreSQL's parser skips tags and entities: the HTML is read as its text.
        + SearchVector("body_html", weight="C", config=config)
    )
    headline = {
        "config": config,
        "start_sel": START,
        "stop_sel": STOP,
        "max_fragments": 2,
        "max_words": 30,
        "min_words": 12,
        "fragment_delimiter": f" {ELLIPSIS} ",
    }
    return (
        Post.objects.published()
        .alias(search_document=vector)
        .filter(search_document=search_query)
        .annotate(
            rank=SearchRank(F("search_document"), search_query, weights=POSTGRES_WEIGHTS),
            body_snippet=SearchHeadline(_postgres_body_text(), search_query, **headline),
            # A description is short: all of it, marked.
            description_snippet=SearchHeadline(
                _postgres_text(F("description")),
                search_query,
                config=config,
                start_sel=START,
                stop_sel=STOP,
                highlight_all=True,
            ),
        )
        .order_by("-rank", *Post._meta.ordering)
        .for_listing()
    )


def _postgres_text(expression):
    """Text with "<" and ">" swapped for LT and GT (see LT), our delimiters removed."""
    return Func(
        expression,
        Value(f"<>{START}{STOP}"),
        Value(LT + GT),
        function="translate",
        output_field=TextField(),
    )


def _postgres_body_text():
    """The body as plain text: tags removed, the entities Markdown output uses decoded."""
    # Sanitised HTML double-quotes its attributes and escapes ">" inside them.
    text = Func(
        F("body_html"),
        Value("<[^>]*>"),
        Value(""),
        Value("g"),
        function="regexp_replace",
        output_field=TextField(),
    )
    for entity, character in _ENTITIES:
        text = Func(
            text, Value(entity), Value(character), function="replace", output_field=TextField()
        )
    return _postgres_text(text)


def _postgres_names(kind: str):
    """A post's tag names or byline names, space-separated, as a subquery."""
    from django.contrib.postgres.aggregates import StringAgg

    if kind == "authors":
        rows = Byline.objects.filter(post=OuterRef("pk")).values("post")
        name = "author__name"
    else:
        rows = Post.tags.through.objects.filter(
            content_type__app_label=Post._meta.app_label,
            content_type__model=Post._meta.model_name,
            object_id=OuterRef("pk"),
        ).values("object_id")
        name = "tag__name"
    return Subquery(rows.order_by().annotate(names=StringAgg(name, " ")).values("names"))


# The FTS5 index (SQLite)

INSERT_SQL = (
    f"INSERT INTO {TABLE} (rowid, title, description, tags, authors, body) "
    "VALUES (%s, %s, %s, %s, %s, %s)"
)


def document(title, description, tags, authors, body_html) -> tuple[str, str, str, str, str]:
    """A post's row of the index: its text, the Markdown body as plain text."""
    body = html.unescape(strip_tags(body_html or ""))
    return tuple(
        segment(" ".join(_UNWANTED.sub(" ", text or "").split()))
        for text in (title, description, " ".join(tags), " ".join(authors), body)
    )


def is_indexed(using: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether posts are kept in the FTS5 table on this database (SQLite only)."""
    return connections[using].vendor == "sqlite"


def reindex(post_ids: Iterable[int], using: str = DEFAULT_DB_ALIAS):
    """Bring these posts' rows of the index up to date, dropping those of deleted posts.

    Within `deferred()` the ids are only noted, for one reindex on the way out.
    """
    if not is_indexed(using):
        return
    ids = {int(pk) for pk in post_ids if pk is not None}
    pending = _deferred.get()
    if pending is not None:
        pending[using] |= ids
        return
    ids = sorted(ids)
    for first in range(0, len(ids), 500):
        _reindex_chunk(ids[first : first + 500], using)


def rebuild(using: str = DEFAULT_DB_ALIAS):
    """The whole index written afresh: after a bulk load, or a change of how posts are indexed."""
    if not is_indexed(using):
        return
    with connections[using].cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")
    pks = Post.objects.using(using).order_by("pk").values_list("pk", flat=True)
    reindex(list(pks), using)


def _reindex_chunk(ids: list[int], using: str):
    posts = (
        Post.objects.using(using)
        .filter(pk__in=ids)
        .only("pk", "title", "description", "body_html")
        .prefetch_related("authors", "tags")
    )
    rows = [
        (
            post.pk,
            *document(
                post.title,
                post.description,
                [tag.name for tag in post.tags.all()],
                [author.name for author in post.authors.all()],
                post.body_html,
            ),
        )
        for post in posts
    ]
    with connections[using].cursor() as cursor:
        placeholders = ", ".join(["%s"] * len(ids))
        cursor.execute(f"DELETE FROM {TABLE} WHERE rowid IN ({placeholders})", ids)
        if rows:
            cursor.executemany(INSERT_SQL, rows)


_deferred: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "search_deferred", default=None
)


@contextlib.contextmanager
def deferred():
    """Reindex each post changed within, once, on the way out (not if an exception leaves).

    For batch writers: the importer saves a post, replaces its bylines and tags, and
    bulk-creates the new ones, which no signal reports; every post it saves is reindexed here,
    once, after all of that.
    """
    if _deferred.get() is not None:  # already deferring: the outermost block reindexes
        yield
        return
    token = _deferred.set(defaultdict(set))
    try:
        yield
        pending = _deferred.get()
    finally:
        _deferred.reset(token)
    for using, ids in pending.items():
        reindex(ids, using)


# Keeping the index up to date


def _post_saved(sender, instance, using, **kwargs):
    reindex([instance.pk], using)


def _byline_changed(sender, instance, using, **kwargs):
    reindex([instance.post_id], using)


def _tagged_item_loaded(sender, instance, using, raw=False, **kwargs):
    """`loaddata` writes tagged items without the m2m_changed signal that tags.add() sends."""
    if raw and is_indexed(using):
        content_type = ContentType.objects.db_manager(using).get_for_id(instance.content_type_id)
        if content_type.model_class() is Post:
            reindex([instance.object_id], using)


def _relation_changed(sender, instance, action, reverse, pk_set, using, **kwargs):
    """Post.tags.add/remove/set/clear, and Post.authors (or author.posts) likewise."""
    if not isinstance(instance, Post | Author):
        return  # another model's tags
    if action == "pre_clear" and reverse:
        instance._search_post_ids = list(
            Byline.objects.using(using).filter(author=instance).values_list("post_id", flat=True)
        )
    elif action in ("post_add", "post_remove", "post_clear"):
        if not reverse:
            reindex([instance.pk], using)
        elif action == "post_clear":
            reindex(getattr(instance, "_search_post_ids", []), using)
        else:
            reindex(pk_set or [], using)


def _remember_name(sender, instance, using, **kwargs):
    """An author's or tag's stored name, before a save that may rename it."""
    if instance.pk is None or not is_indexed(using):
        instance._search_old_name = None
        return
    stored = sender._default_manager.using(using).filter(pk=instance.pk)
    instance._search_old_name = stored.values_list("name", flat=True).first()


def _author_saved(sender, instance, using, **kwargs):
    old = getattr(instance, "_search_old_name", None)
    if old is not None and old != instance.name:
        posts = (
            Byline.objects.using(using).filter(author=instance).values_list("post_id", flat=True)
        )
        reindex(posts, using)


def _tag_posts(tag, using):
    return (
        Post.tags.through.objects.using(using)
        .filter(
            tag=tag,
            content_type__app_label=Post._meta.app_label,
            content_type__model=Post._meta.model_name,
        )
        .values_list("object_id", flat=True)
    )


def _tag_saved(sender, instance, using, **kwargs):
    old = getattr(instance, "_search_old_name", None)
    if old is not None and old != instance.name:
        reindex(_tag_posts(instance, using), using)


def _tag_deleting(sender, instance, using, **kwargs):
    instance._search_post_ids = list(_tag_posts(instance, using)) if is_indexed(using) else []


def _tag_deleted(sender, instance, using, **kwargs):
    reindex(getattr(instance, "_search_post_ids", []), using)


def connect_signals():
    """Keep the FTS5 index in step with every post, byline and tag change a signal reports."""
    tagged = Post.tags.through
    receivers = [
        ("post_save", post_save, _post_saved, Post),
        ("post_delete", post_delete, _post_saved, Post),
        ("post_save", post_save, _byline_changed, Byline),
        ("post_delete", post_delete, _byline_changed, Byline),
        ("m2m_changed", m2m_changed, _relation_changed, Byline),
        ("m2m_changed", m2m_changed, _relation_changed, tagged),
        ("post_save", post_save, _tagged_item_loaded, tagged),
        ("pre_save", pre_save, _remember_name, Author),
        ("post_save", post_save, _author_saved, Author),
        ("pre_save", pre_save, _remember_name, Tag),
        ("post_save", post_save, _tag_saved, Tag),
        ("pre_delete", pre_delete, _tag_deleting, Tag),
        ("post_delete", post_delete, _tag_deleted, Tag),
    ]
    for name, signal, receiver, sender in receivers:
        uid = f"posts.search.{name}.{sender.__name__}"
        signal.connect(receiver, sender=sender, dispatch_uid=uid)
