"""Listing pages at any depth for the cost of the first: page N starts at a remembered post.

Counting a listing and skipping to its thousandth page (OFFSET) both read every row before it.
Instead, where each page starts (the publication time and id of its first post) is read once, in
one query the database answers with a window function, and kept until the listing changes (its
page-cache keys are purged) or the next scheduled post is due; each page is then one indexed
range read of ten rows.
"""

from django.core.paginator import Paginator
from django.db.models import F, Window
from django.db.models.functions import Mod, RowNumber
from django.utils.functional import cached_property

from pagecache.store import remembered

from .caching import next_publication

# The listings' order (Post.Meta.ordering for public posts, whose dates are never null).
ORDER = (F("published_at").desc(), F("pk").desc())


class ListingPaginator(Paginator):
    """A Paginator over a public listing's queryset, named by `name` and kept under `keys`."""

    def __init__(self, queryset, per_page, *, name: str, keys, **options):
        super().__init__(queryset.order_by(*ORDER), per_page, **options)
        self.name, self.keys = name, tuple(keys)

    @cached_property
    def layout(self) -> tuple[int, list[tuple]]:
        """How many posts, and (published_at, pk) of the first post of each page, in order."""

        def read():
            numbered = self.object_list.annotate(
                place=Mod(Window(RowNumber(), order_by=ORDER) - 1, self.per_page)
            )
            starts = list(numbered.filter(place=0).values_list("published_at", "pk"))
            return self.object_list.count(), starts

        return remembered(
            f"listing-pages:{self.name}:{self.per_page}", self.keys, read,
            until=lambda value: next_publication(),
        )  # fmt: skip

    @cached_property
    def count(self) -> int:
        return self.layout[0]

    def page(self, number):
        number = self.validate_number(number)
        if not self.count:  # an empty first page, where one is allowed
            return self._get_page([], number, self)
        moment, pk = self.layout[1][number - 1]
        # A range the (status, published_at) index reads from its start, less any posts of the
        # same moment that belong to the page before.
        rows = self.object_list.filter(published_at__lte=moment).exclude(
            published_at=moment, pk__gt=pk
        )
        return self._get_page(list(rows[: self.per_page]), number, self)
