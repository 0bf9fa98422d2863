"""The SQLite search index: the FTS5 table `posts_search`, made by migration 0007.

Its rowid is the post's id and it holds every post, public or not, as plain text (the readers'
gate, `Post.objects.published()`, is applied when searching, so a scheduled post becomes findable
at its moment without any job running). PostgreSQL needs no table: it builds its vectors from the
posts' own columns when searching.

The signals in `search.signals` keep the table up to date. Writes that bypass signals
(`bulk_create`, `QuerySet.update`) must call `reindex(post_ids)`, or run inside `deferred()`,
which reindexes every post saved within it once, on the way out.
"""

import contextlib
import contextvars
from collections import defaultdict
from collections.abc import Iterable

from django.db import DEFAULT_DB_ALIAS, connections

from posts.markup import plain_text
from posts.models import Post

from .text import segment, single_spaced

TABLE = "posts_search"
INSERT_SQL = (
    f"INSERT INTO {TABLE} (rowid, title, description, tags, authors, body) "
    "VALUES (%s, %s, %s, %s, %s, %s)"
)
# Posts reindexed per statement.
CHUNK = 500


def document(title, description, tags, authors, body_html) -> tuple[str, str, str, str, str]:
    """A post's row of the index: its text, the Markdown body as plain text."""
    body = plain_text(body_html or "")
    return tuple(
        segment(single_spaced(text))
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
    for first in range(0, len(ids), CHUNK):
        _reindex_chunk(ids[first : first + CHUNK], using)


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
