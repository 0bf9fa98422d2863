"""sitemap.xml: an index of sitemap files listing every published article, and the tag and author
pages that list one.

Only published posts count: a tag or an author with nothing public has no page, and a draft
edited today moves no date. A file holds at most QUIRE_SITEMAP_LIMIT URLs and reads only its
own rows, so serving one costs the same at 1,000 posts as at 1,000,000.
"""

from html import escape
from urllib.parse import quote

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.core.paginator import Paginator
from django.db.models import Count, Max, Subquery
from django.db.models.functions import Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import RFC3986_SUBDELIMS
from taggit.models import Tag

from .models import Author, Post

# The most URLs a sitemap file may list (sitemaps.org).
LIMIT = 50_000
# What reverse() leaves unquoted in a path.
SAFE_IN_PATH = RFC3986_SUBDELIMS + "/~:@"


class KeysetPaginator(Paginator):
    """A sitemap's files: each starts at the first key of its own, found in a subquery of keys
    alone, so the rows of the files before it are never read."""

    def __init__(self, sitemap):
        super().__init__(sitemap.rows(), sitemap.limit)
        self.sitemap = sitemap

    @cached_property
    def count(self):
        return self.sitemap.totals["count"]

    def page(self, number):
        # The first file (listed without ?p=) exists even when empty: it needs no count.
        number = 1 if number == 1 else self.validate_number(number)
        rows = self.object_list
        if number > 1:
            key, offset = self.sitemap.key, (number - 1) * self.per_page
            first = rows.values(key)[offset : offset + 1]
            rows = rows.filter(**{f"{key}__gte": Subquery(first)})
        return self._get_page(rows[: self.per_page], number, self)


class PageSitemap(Sitemap):
    """Pages named by a slug (`url_name`), from `rows()`: (slug, lastmod) pairs in the order of
    a unique `key`."""

    key = "slug"
    url_name = ""
    # Set, so that Sitemap._get finds them without raising AttributeError for every URL.
    changefreq = priority = None

    def __init__(self):
        self.limit = getattr(settings, "QUIRE_SITEMAP_LIMIT", LIMIT)
        # One reverse() a file, not one a URL: a location is the pattern with its slug in it.
        self.head, _, self.tail = reverse(self.url_name, kwargs={"slug": "~"}).rpartition("~")

    def rows(self):
        raise NotImplementedError

    @cached_property
    def totals(self):
        """How many rows, and the latest lastmod: all the index asks of a section, in one query."""
        return self.rows().aggregate(count=Count("*"), latest=Max("lastmod"))

    @property
    def paginator(self):
        return KeysetPaginator(self)

    def get_latest_lastmod(self):
        return self.totals["latest"]

    def location(self, row):
        return f"{self.head}{quote(row[0], safe=SAFE_IN_PATH)}{self.tail}"

    def lastmod(self, row):
        return row[1]


class PostSitemap(PageSitemap):
    """Every published article, with the time it last changed (see feeds.effective_updated); in
    the order they were created, so a new post changes only the last file."""

    key = "pk"
    url_name = "posts:detail"

    def rows(self):
        return (
            Post.objects.published()
            .annotate(lastmod=Greatest("updated_at", "published_at"))
            .values_list("slug", "lastmod")
            .order_by("pk")
        )


class GroupSitemap(PageSitemap):
    """The pages of the tags or authors (`model`, whose relation to Post is `posts`) with a
    published post; each changed last when its most recently changed published post did."""

    model = None
    posts = ""

    def rows(self):
        changed = Greatest(f"{self.posts}__updated_at", f"{self.posts}__published_at")
        return (
            self.model.objects.filter(**{f"{self.posts}__in": Post.objects.published()})
            .values("slug")
            .annotate(lastmod=Max(changed))
            .values_list("slug", "lastmod")
            .order_by("slug")
        )


class TagSitemap(GroupSitemap):
    model = Tag
    posts = "post"
    url_name = "posts:tag"


class AuthorSitemap(GroupSitemap):
    model = Author
    posts = "posts"
    url_name = "posts:author"


SITEMAPS = {"posts": PostSitemap, "tags": TagSitemap, "authors": AuthorSitemap}


class URLSet:
    """A sitemap file's XML, for the sitemap view's `template_name`: Django's sitemap.xml
    template takes about 0.1 ms a URL (seconds for a full file) over fields left empty here."""

    def render(self, context, request=None):
        zone = timezone.get_current_timezone()
        urls = "".join(
            f"<url><loc>{escape(url['location'])}</loc>"
            f"<lastmod>{url['lastmod'].astimezone(zone):%Y-%m-%d}</lastmod></url>\n"
            for url in context["urlset"]
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{urls}</urlset>\n'
        )
