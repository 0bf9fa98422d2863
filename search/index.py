"""The search index: a row for every post, public or not, written whenever a post changes.

SQLite keeps it in the FTS5 table `posts_search` (made by migration posts 0007), its rowid the
post's id. PostgreSQL keeps it in `SearchDocument` (search.models): the body as plain text, for
snippets, and the stored weighted vector (title A; description, tags and authors B; body C),
GIN-indexed. Both are written from the same text, the body read with `plain_text()`.

The readers' gate, `Post.objects.published()`, is applied when searching, so a scheduled post
becomes findable at its moment without any job running.

The signals in `search.signals` keep the index up to date. Writes that bypass signals
(`bulk_create`, `QuerySet.update`) must call `reindex(post_ids)`, or run inside `deferred()`,
which reindexes every post saved within it once, on the way out, or as the writer goes on
(`write_noted()`): the database then tokenizes and stores a chunk while the writer prepares the
next one.
"""

import contextlib
import contextvars
import threading
from collections import defaultdict
from collections.abc import Iterable

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import F

from posts.markup import plain_text
from posts.models import Byline, Post

from .models import SearchDocument
from .text import GT, LT, segment, single_spaced

TABLE = "posts_search"
INSERT_SQL = (
    f"INSERT INTO {TABLE} (rowid, title, description, tags, authors, body) "
    "VALUES (%s, %s, %s, %s, %s, %s)"
)
# Posts read and written per statement.
CHUNK = 500
# Stemmed English on both databases: "port" finds "ports" (FTS5's porter tokenizer there).
POSTGRES_CONFIG = "english"
# PostgreSQL's parser reads "<word>" as a tag and skips it: its text has LT and GT instead.
_PARSER_SAFE = str.maketrans({"<": LT, ">": GT})


def document(title, description, tags, authors, body_html) -> tuple[str, str, str, str, str]:
    """A post's row of the FTS5 table: its text, the Markdown body as plain text."""
    body = plain_text(body_html or "")
    return tuple(
        segment(single_spaced(text))
        for text in (title, description, " ".join(tags), " ".join(authors), body)
    )


def postgres_text(text: str | None) -> str:
    """Text as PostgreSQL parses it for the index and snippets: single-spaced, parser-safe."""
    return single_spaced(text).translate(_PARSER_SAFE)


def reindex(post_ids: Iterable[int], using: str = DEFAULT_DB_ALIAS):
    """Bring these posts' rows of the index up to date, dropping those of deleted posts.

    Within `deferred()` the ids are only noted, for one reindex on the way out.
    """
    ids = {int(pk) for pk in post_ids if pk is not None}
    pending = _deferred.get()
    if pending is not None:
        pending[using] |= ids
        return
    _write_all(sorted(ids), using)


def rebuild(using: str = DEFAULT_DB_ALIAS):
    """The whole index written afresh, in one transaction, a chunk of posts per statement: after
    a bulk load, or a change of how posts are indexed. A failure leaves the old index; on
    PostgreSQL, searches read the old one until the new one commits."""
    with transaction.atomic(using=using):
        if connections[using].vendor == "postgresql":
            SearchDocument.objects.using(using).delete()
        else:
            _recreate_fts5_table(using)
        pks = Post.objects.using(using).order_by("pk").values_list("pk", flat=True)
        _write_all(list(pks), using)
        with connections[using].cursor() as cursor:
            if connections[using].vendor == "postgresql":
                # The GIN index's pending entries merged in, as VACUUM would: a search reads
                # the whole pending list.
                (index,) = SearchDocument._meta.indexes
                cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index.name])
            else:
                # One segment instead of many: each lookup then reads one b-tree, not dozens.
                cursor.execute(f"INSERT INTO {TABLE} ({TABLE}) VALUES ('optimize')")


def _recreate_fts5_table(using: str):
    """An empty FTS5 table, as defined before: deleting its rows would re-read every one."""
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE name = %s", [TABLE])
        (definition,) = cursor.fetchone()
        cursor.execute(f"DROP TABLE {TABLE}")
        cursor.execute(definition)


def _write_all(ids: list[int], using: str):
    write = _write_documents if connections[using].vendor == "postgresql" else _write_fts5
    for first in range(0, len(ids), CHUNK):
        chunk = ids[first : first + CHUNK]
        write(_texts(chunk, using), chunk, using)


def _texts(ids: list[int], using: str) -> list[tuple]:
    """(pk, title, description, tag names, byline names, body_html) of the posts that exist."""
    tags, authors = defaultdict(list), defaultdict(list)
    items = Post.tags.through.objects.using(using).filter(
        object_id__in=ids,
        content_type__app_label=Post._meta.app_label,
        content_type__model=Post._meta.model_name,
    )
    for post_id, name in items.order_by("id").values_list("object_id", "tag__name"):
        tags[post_id].append(name)
    bylines = Byline.objects.using(using).filter(post__in=ids)
    bylines = bylines.order_by("post_id", F("position").asc(nulls_last=True), "id")
    # A post's own spelling of a name is searched for as well as the author's.
    for post_id, name, credited in bylines.values_list("post_id", "author__name", "credited_as"):
        authors[post_id] += [name, credited] if credited else [name]
    posts = Post.objects.using(using).filter(pk__in=ids).order_by("pk")
    return [
        (pk, title, description, tags[pk], authors[pk], body_html)
        for pk, title, description, body_html in posts.values_list(
            "pk", "title", "description", "body_html"
        )
    ]


def _write_fts5(texts: list[tuple], ids: list[int], using: str):
    rows = [(pk, *document(*text)) for pk, *text in texts]
    placeholders = ", ".join(["%s"] * len(ids))

    def write(cursor):
        cursor.execute(f"DELETE FROM {TABLE} WHERE rowid IN ({placeholders})", ids)
        if rows:
            cursor.executemany(INSERT_SQL, rows)

    _run(using, write)


def _write_documents(texts: list[tuple], ids: list[int], using: str):
    """One statement for the chunk: PostgreSQL weighs and stores the vectors itself."""
    # A deleted post's bylines are deleted before it, and their signals write its document anew.
    gone = set(ids).difference(text[0] for text in texts)
    if gone:
        SearchDocument.objects.using(using).filter(pk__in=gone).delete()
    if not texts:
        return
    pks, titles, descriptions, tags, authors, bodies = zip(*texts, strict=True)
    heads = [
        " ".join([description, *tag_names, *author_names])
        for description, tag_names, author_names in zip(descriptions, tags, authors, strict=True)
    ]
    table = SearchDocument._meta.db_table
    vector = " || ".join(
        f"setweight(to_tsvector(%(config)s, {column}), '{weight}')"
        for column, weight in (("title", "A"), ("head", "B"), ("body", "C"))
    )
    sql = (
        f"INSERT INTO {table} (post_id, body, vector) "
        f"SELECT id, body, {vector} "
        "FROM unnest(%(ids)s::bigint[], %(titles)s::text[], %(heads)s::text[], %(bodies)s::text[])"
        " AS text (id, title, head, body) "
        "ON CONFLICT (post_id) DO UPDATE SET body = excluded.body, vector = excluded.vector"
    )
    params = {
        "config": POSTGRES_CONFIG,
        "ids": list(pks),
        "titles": [postgres_text(title) for title in titles],
        "heads": [postgres_text(head) for head in heads],
        "bodies": [postgres_text(plain_text(body_html or "")) for body_html in bodies],
    }
    _run(using, lambda cursor: cursor.execute(sql, params))


def _run(using: str, write):
    """Call write(cursor): now, or within deferred() while this thread goes on (see _Behind):
    the database's own work on a chunk of rows (tokenizing, stemming, weighing) is most of what
    indexing costs."""
    behind = _behind.get()
    if behind is None:
        with connections[using].cursor() as cursor:
            write(cursor)
    else:
        behind.run(connections[using], write)


class _Behind:
    """Statements the database runs while this thread goes on: sent, and waited for, by a
    thread of their own on this thread's connection, so within its transaction. Any other query
    on the connection, and leaving, waits for them first, and raises their error if they failed.
    """

    def __init__(self):
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self._connections = contextlib.ExitStack()
        self._shared: set[str] = set()

    def run(self, connection, write):
        self.wait()
        if connection.alias not in self._shared:
            self._shared.add(connection.alias)
            connection.inc_thread_sharing()
            self._connections.callback(connection.dec_thread_sharing)
            self._connections.enter_context(connection.execute_wrapper(self._before_query))
        self._thread = threading.Thread(target=self._write, args=(connection, write))
        self._thread.start()

    def _write(self, connection, write):
        try:
            with connection.cursor() as cursor:
                write(cursor)
        except BaseException as error:  # raised in the thread that waits for it
            self._error = error

    def _before_query(self, execute, sql, params, many, context):
        if threading.current_thread() is not self._thread:
            self.wait()
        return execute(sql, params, many, context)

    def wait(self):
        """Once the statement has run; its error, if it failed, is raised here."""
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        error, self._error = self._error, None
        if error is not None:
            raise error

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        """Waits for the statement; its error is raised unless another one is leaving."""
        try:
            self.wait()
        except Exception:
            if kind is None:
                raise
        finally:
            self._connections.close()


_deferred: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "search_deferred", default=None
)
_behind: contextvars.ContextVar[_Behind | None] = contextvars.ContextVar(
    "search_behind", default=None
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
    behind = _Behind()
    tokens = _deferred.set(defaultdict(set)), _behind.set(behind)
    try:
        with behind:
            yield
        pending = _deferred.get()
    finally:
        _behind.reset(tokens[1])
        _deferred.reset(tokens[0])
    for using, ids in pending.items():
        reindex(ids, using)


def write_noted():
    """Within deferred(): reindex the posts noted so far now rather than on the way out, for a
    batch writer to index as it goes. The database tokenizes and stores them (PostgreSQL weighs
    its vectors) while the caller goes on: the next query waits for it."""
    for using, ids in (_deferred.get() or {}).items():
        _write_all(sorted(ids), using)
        ids.clear()
