"""Site search's queries: the published posts that match, best first, with snippets.

The rule that keeps a search's cost flat as the archive grows: of the public posts that match,
the CANDIDATES most recently published are ranked, counted and paged (the page then says
"1,000+ results"). Ranking every match would cost time in proportion to the archive; a reader
after an older piece adds words, and the fewer posts those match are all ranked.

Ranking on both databases: title weighs most, then description, tags and authors, then the
body. SQLite ranks with FTS5's bm25 over `search.index`'s table; PostgreSQL with ts_rank over
the stored vectors of `SearchDocument`. Snippets are cut for the page's posts only, from the
stored plain text.
"""

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import DEFAULT_DB_ALIAS, connections, router
from django.db.models import Exists, F, Func, OuterRef, TextField, Value
from django.db.models.expressions import RawSQL
from django.utils.functional import cached_property

from posts.models import Post

from .index import POSTGRES_CONFIG, TABLE
from .models import SearchDocument
from .text import ELLIPSIS, GT, LT, START, STOP, best_snippet, fts5_query

# How many of the most recent matching public posts are ranked: a hundred pages.
CANDIDATES = 1000
# On SQLite, reading a post's row by id costs about as much as stepping through this many
# entries of the (status, published_at) index (measured at 100,000 posts).
ROW_COST = 50
# On SQLite, the share of posts a word matches is judged among this many of the newest ids.
SAMPLE = 2000
# How many tokens an FTS5 snippet holds (FTS5 allows up to 64).
SNIPPET_TOKENS = 24
# FTS5 column weights, in column order: title, description, tags, authors, body.
BM25_WEIGHTS = (10.0, 5.0, 5.0, 5.0, 1.0)
# PostgreSQL's weights for D, C, B and A: body (C) 0.1, description, tags, authors (B) 0.5,
# title (A) 1.0; the same proportions as BM25_WEIGHTS.
POSTGRES_WEIGHTS = [0.1, 0.1, 0.5, 1.0]
# The most recent first, as the (status, published_at) index reads backwards.
RECENT_FIRST = (F("published_at").desc(), F("pk").desc())


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
    """The ranked candidates, found at once and read a page at a time: what a Paginator needs."""

    def __init__(self, query: str, using: str):
        self.query = query
        self.using = using

    @cached_property
    def ranking(self) -> tuple[list[int], bool]:
        """The ids of the CANDIDATES most recent matching public posts, best first (of equal
        scores, the higher id), and whether more posts match."""
        return self.rank()

    @property
    def ranked(self) -> list[int]:
        return self.ranking[0]

    @property
    def capped(self) -> bool:
        return self.ranking[1]

    def count(self) -> int:
        return len(self.ranked)

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            raise TypeError("Search results are read a page at a time.")
        ids = self.ranked[index]
        if not ids:
            return []
        # The public gate once more, after ranking: a post unpublished meanwhile drops out.
        # It is a subquery per row so that SQLite reads the page's rows by id rather than walk
        # the (status, published_at) index of the whole archive.
        public = Exists(Post.objects.using(self.using).published().filter(pk=OuterRef("pk")))
        page = Post.objects.using(self.using).filter(public).for_listing()
        posts = self.with_snippets(page).in_bulk(ids)
        for post in posts.values():
            post.snippet = best_snippet(post.body_snippet, post.description_snippet)
        return [posts[pk] for pk in ids if pk in posts]

    def rank(self) -> tuple[list[int], bool]:
        raise NotImplementedError

    def with_snippets(self, posts):
        """`posts` annotated with `body_snippet` and `description_snippet`."""
        raise NotImplementedError


class NoResults(Results):
    def __init__(self):
        super().__init__("", DEFAULT_DB_ALIAS)

    def rank(self):
        return [], False


class SQLiteResults(Results):
    """FTS5 finds the matches, ranks the candidates with bm25 and cuts the page's snippets.

    SQLite's planner cannot tell how many posts the words match, so the candidates are found by
    the plan that suits the count: where few posts match (at most CANDIDATES, and fewer than
    one in ROW_COST), each is looked up; where most posts match (of the SAMPLE newest ids),
    the newest public posts are each checked against FTS5 until enough match; in between, the
    newest public posts are checked against the set of matches.
    """

    def __init__(self, query, using):
        super().__init__(query, using)
        self.match = fts5_query(query)

    def rank(self):
        matched, sampled, posts = self.counts()
        if not matched:
            return [], False
        public = Post.objects.using(self.using).published().order_by()
        public = public.values("pk", "published_at")
        public_sql, public_params = public.query.get_compiler(self.using).as_sql()
        matches = f"SELECT rowid AS id FROM {TABLE} WHERE {TABLE} MATCH %s"
        if matched <= CANDIDATES and matched * ROW_COST <= posts:
            plan = f"({matches}) AS m CROSS JOIN ({public_sql}) AS p ON p.pk = m.id"
            params = [self.match, *public_params]
        elif 2 * sampled > min(SAMPLE, posts):
            plan = f"({public_sql}) AS p WHERE EXISTS ({matches} AND rowid = p.pk)"
            params = [*public_params, self.match]
        else:
            # Unary "+": the matches are a set to test against, not rows to look up one by one.
            plan = f"({public_sql}) AS p WHERE +p.pk IN ({matches})"
            params = [*public_params, self.match]
        rank = f"bm25({TABLE}, {', '.join(map(str, BM25_WEIGHTS))})"
        # One more than CANDIDATES tells whether more match. One pass of FTS5 over the matches
        # scores the rest: bm25 reads each word's statistics once per pass, far too slow to
        # repeat for each candidate. The rowid range only narrows that pass, much where posts
        # were added in order of publication.
        sql = (
            f"WITH found (id, published_at) AS MATERIALIZED ("
            f"  SELECT p.pk, p.published_at FROM {plan}"
            f"  ORDER BY p.published_at DESC, p.pk DESC LIMIT %s"
            f"), candidates (id) AS MATERIALIZED ("
            f"  SELECT id FROM found ORDER BY published_at DESC, id DESC LIMIT %s"
            f") SELECT rowid, (SELECT count(*) FROM found) FROM {TABLE} WHERE {TABLE} MATCH %s"
            f"  AND rowid BETWEEN (SELECT min(id) FROM candidates)"
            f"  AND (SELECT max(id) FROM candidates)"
            f"  AND +rowid IN candidates ORDER BY {rank}, rowid DESC"
        )
        with connections[self.using].cursor() as cursor:
            cursor.execute(sql, [*params, CANDIDATES + 1, CANDIDATES, self.match])
            rows = cursor.fetchall()
        return [pk for pk, _ in rows], bool(rows) and rows[0][1] > CANDIDATES

    def counts(self) -> tuple[int, int, int]:
        """How many posts the words match (counted up to CANDIDATES + 1), how many of the SAMPLE
        highest ids they match, and the highest id (about how many posts there are): each count
        reads a bounded part of the index, whatever the archive's size."""
        match = f"SELECT 1 FROM {TABLE} WHERE {TABLE} MATCH %s"
        sql = (
            f"WITH posts (n) AS (SELECT coalesce(max(id), 0) FROM {Post._meta.db_table}) "
            f"SELECT (SELECT count(*) FROM ({match} LIMIT %s)), "
            f"(SELECT count(*) FROM ({match} AND rowid > (SELECT n FROM posts) - %s)), "
            f"(SELECT n FROM posts)"
        )
        with connections[self.using].cursor() as cursor:
            cursor.execute(sql, [self.match, CANDIDATES + 1, self.match, SAMPLE])
            return cursor.fetchone()

    def with_snippets(self, posts):
        snippet = (
            f"(SELECT snippet({TABLE}, %s, %s, %s, %s, {SNIPPET_TOKENS}) FROM {TABLE} "
            f'WHERE {TABLE} MATCH %s AND rowid = "{Post._meta.db_table}"."id")'
        )
        marks = (START, STOP, ELLIPSIS)
        return posts.annotate(
            body_snippet=RawSQL(snippet, (4, *marks, self.match), output_field=TextField()),
            description_snippet=RawSQL(snippet, (1, *marks, self.match), output_field=TextField()),
        )


class PostgresResults(Results):
    """The stored vectors find the matches (the GIN index for a rare word, the recency index
    for a common one: the planner's statistics choose) and ts_rank ranks the candidates."""

    def __init__(self, query, using):
        super().__init__(query, using)
        self.search_query = SearchQuery(query, search_type="websearch", config=POSTGRES_CONFIG)

    def rank(self):
        rank = SearchRank(F("search_document__vector"), self.search_query, weights=POSTGRES_WEIGHTS)
        found = (
            Post.objects.using(self.using)
            .published()
            .filter(search_document__vector=self.search_query)
            .annotate(rank=rank)
            .order_by(*RECENT_FIRST)
            .values_list("pk", "rank")[: CANDIDATES + 1]
        )
        # Through a cursor, which PostgreSQL plans without parallel workers: starting them
        # costs more than reading a thousand candidates.
        found = list(found.iterator(chunk_size=CANDIDATES + 1))
        best_first = sorted(found[:CANDIDATES], key=lambda row: (-row[1], -row[0]))
        return [pk for pk, _ in best_first], len(found) > CANDIDATES

    def with_snippets(self, posts):
        marks = {"config": POSTGRES_CONFIG, "start_sel": START, "stop_sel": STOP}
        return posts.annotate(
            body_snippet=SearchHeadline(
                _around_first_match(self.query),
                self.search_query,
                max_fragments=2,
                max_words=30,
                min_words=12,
                fragment_delimiter=f" {ELLIPSIS} ",
                **marks,
            ),
            # A description is short: all of it, marked.
            description_snippet=SearchHeadline(
                _parser_safe(F("description")), self.search_query, highlight_all=True, **marks
            ),
        )


# Words of the body given to ts_headline: before the first match, and from it on.
WORDS_BEFORE, WORDS_FROM = 40, 80


def _around_first_match(query: str):
    """The stored body's words around the first that begins with a stem of the query's words.

    ts_headline parses all the text it is given, milliseconds for a long body; this stretch
    holds the first match (a stem begins the words it stems from, but for a final y made i).
    Without one, the body's first words: what ts_headline would show.
    """
    table = SearchDocument._meta.db_table
    # The stems as a pattern, \m(stem|stem), their punctuation escaped.
    pattern = (
        r"SELECT '\m(' || string_agg("
        r"regexp_replace(rtrim(stem, 'i'), '([^[:alnum:]_])', '\\\1', 'g'), '|') || ')' "
        r"FROM unnest(tsvector_to_array(to_tsvector(%s::regconfig, %s))) AS stem"
    )
    sql = (
        "(SELECT array_to_string(words[greatest(1, n - %s) : n + %s], ' ') FROM ("
        "  SELECT string_to_array(d.body, ' ') AS words,"
        "  1 + length(left(d.body, at)) - length(replace(left(d.body, at), ' ', '')) AS n"
        f"  FROM {table} AS d, regexp_instr(d.body, ({pattern}), 1, 1, 0, 'i') AS at"
        f'  WHERE d.post_id = "{Post._meta.db_table}"."id"'
        ") AS around)"
    )
    params = (WORDS_BEFORE, WORDS_FROM, POSTGRES_CONFIG, query)
    return RawSQL(sql, params, output_field=TextField())


def _parser_safe(expression):
    """Text as search.index.postgres_text() stores it: "<" and ">" swapped for LT and GT, our
    delimiters removed."""
    return Func(
        expression,
        Value(f"<>{START}{STOP}"),
        Value(LT + GT),
        function="translate",
        output_field=TextField(),
    )
