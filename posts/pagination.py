"""Listing pages at any depth for the cost of the first: each page reads its posts by id.

Counting a listing and skipping to its thousandth page (OFFSET) both read every row before it.
Instead a listing's count and the ids of its posts, STRETCH pages at a time, are read once and
kept until the listing changes (its page-cache keys are purged) or the next scheduled post is
due; each page then reads its ten posts by id. A stretch is read from whichever end of the
listing is nearer, as one range of the index that orders it: the first request for a page reads
at most half of that index, every later one a small remembered value.
"""

from django.core.paginator import Paginator
from django.db.models import F

from pagecache.store import remembered

from .caching import next_publication

# How many pages' post ids are read and kept together.
STRETCH = 100
# The listings' order, Post.Meta.ordering: read from the post_public_order index on PostgreSQL,
# and from post_public on SQLite, whose descending order puts nulls last.
ORDER = (F("published_at").desc(nulls_last=True), F("pk").desc())


def stretch_of(number) -> int:
    """The stretch holding page `number`; the first for what is not a page number at all, which
    validate_number() then refuses."""
    try:
        return max(0, (int(number) - 1) // STRETCH)
    except (TypeError, ValueError):
        return 0


class ListingPaginator(Paginator):
    """A Paginator over a public listing's queryset, named by `name` and kept under `keys`."""

    def __init__(self, queryset, per_page, *, name: str, keys, **options):
        super().__init__(queryset.order_by(*ORDER), per_page, **options)
        self.name, self.keys = name, tuple(keys)
        # (count, ids) of the stretch holding the page asked for: page() reads it first.
        self.known = None

    @property
    def count(self) -> int:
        return self.known[0]

    def page(self, number):
        self.known = self.remembered_stretch(stretch_of(number))
        number = self.validate_number(number)
        first = (number - 1) % STRETCH * self.per_page
        ids = self.known[1][first : first + self.per_page]
        return self._get_page(self.posts(ids), number, self)

    def posts(self, ids: list[int]) -> list:
        """The posts of `ids`, in that order. The gate and the filters apply again, so a post
        unpublished meanwhile drops out. Read without an ORDER BY: given one, SQLite walks the
        listing's whole index rather than sort ten rows."""
        found = self.object_list.order_by().in_bulk(ids) if ids else {}
        return [found[pk] for pk in ids if pk in found]

    def remembered_stretch(self, stretch: int) -> tuple[int, list[int]]:
        """The listing's count and the ids of stretch `stretch`'s posts, in order."""
        return remembered(
            f"listing:{self.name}:{self.per_page}:{stretch}", self.keys,
            lambda: self.read_stretch(stretch), until=self.kept_until,
        )  # fmt: skip

    def read_stretch(self, stretch: int) -> tuple[int, list[int]]:
        count = self.object_list.count()
        size = STRETCH * self.per_page
        first, last = stretch * size, min((stretch + 1) * size, count)
        if first >= count:
            return count, []
        ids = self.object_list.values_list("pk", flat=True)
        if first <= count - last:
            return count, list(ids[first:last])
        # Nearer the oldest post: read from that end, the index the other way round.
        return count, list(ids.reverse()[count - last : count - first])[::-1]

    @staticmethod
    def kept_until(stretch) -> float:
        """Until the next scheduled post is due; a stretch past the end (a page number that does
        not exist) not at all, so that made-up page numbers fill no cache."""
        count, ids = stretch
        return next_publication() if ids or not count else 0
