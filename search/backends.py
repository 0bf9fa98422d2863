"""Site search's queries: the published posts that match, best first, with snippets.

SQLite ranks matches in the FTS5 table (`search.index`) with bm25 and cuts snippets from it;
PostgreSQL builds weighted tsvectors from the posts' own columns when searching. Ranking on both:
title weighs most, then description, tags and authors, then the body.
"""

from django.db import DEFAULT_DB_ALIAS, connections, router
from django.db.models import F, Func, OuterRef, Subquery, TextField, Value

from posts.models import Byline, Post

from .index import TABLE
from .text import ELLIPSIS, GT, LT, START, STOP, best_snippet, fts5_query

# How many tokens an FTS5 snippet holds (FTS5 allows up to 64).
SNIPPET_TOKENS = 24
# FTS5 column weights, in column order: title, description, tags, authors, body.
BM25_WEIGHTS = (10.0, 5.0, 5.0, 5.0, 1.0)
# PostgreSQL's weights for D, C, B and A: body (C) 0.1, description, tags, authors (B) 0.5,
# title (A) 1.0; the same proportions as BM25_WEIGHTS.
POSTGRES_WEIGHTS = [0.1, 0.1, 0.5, 1.0]
# Stemmed English on both databases: "port" finds "ports" (FTS5's porter tokenizer here).
POSTGRES_CONFIG = "english"
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
