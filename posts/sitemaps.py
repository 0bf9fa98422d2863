"""sitemap.xml: an index of sitemap files listing every published article, and the tag and author
pages that list one.

Only published posts count: a tag or an author with nothing public has no page, and a draft
edited today moves no date. A file holds at most QUIRE_SITEMAP_LIMIT URLs. What the index shows
of a section (how many files, when it last changed) is read in queries of a bounded part of an
index however large the archive, and remembered until a public post changes: while none does,
the index costs no query at all.
"""

import math
from html import escape
from urllib.parse import quote

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.core.paginator import Paginator
from django.db.models import Max, Q, Subquery
from django.db.models.functions import Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import RFC3986_SUBDELIMS
from taggit.models import Tag

from pagecache.store import remembered

from .caching import SITEMAP, next_publication
from .models import Author, Post

# The most URLs a sitemap file may list (sitemaps.org).
LIMIT = 50_000
# What reverse() leaves unquoted in a path.
SAFE_IN_PATH = RFC3986_SUBDELIMS + "/~:@"


def latest_change(posts):
    """When the latest of `posts` changed for readers (see feeds.effective_updated): the later of
    the post saved last and the post published last, each the first of an index read backwards,
    however many posts there are."""
    last_saved, last_published = (
        posts.order_by(f"-{field}").values("pk")[:1] for field in ("updated_at", "published_at")
    )
    both = Post.objects.filter(Q(pk=Subquery(last_saved)) | Q(pk=Subquery(last_published)))
    return both.aggregate(latest=Max(Greatest("updated_at", "published_at")))["latest"]


class FilePaginator(Paginator):
    """A sitemap's files: as many as its summary says, each with the rows its sitemap reads."""

    def __init__(self, sitemap):
        super().__init__(sitemap.rows(), sitemap.limit)
        self.sitemap = sitemap

    @cached_property
    def num_pages(self):
        return self.sitemap.summary["files"]

    def page(self, number):
        # The first file (listed without ?p=) exists even when empty: it needs no summary.
        number = 1 if number == 1 else self.validate_number(number)
        return self._get_page(self.sitemap.file(number), number, self)


class PageSitemap(Sitemap):
    """Pages named by a slug (`url_name`), from `rows()`: (slug, lastmod) pairs in a fixed
    order."""

    url_name = ""

    def __init__(self):
        self.limit = getattr(settings, "QUIRE_SITEMAP_LIMIT", LIMIT)
        # One reverse() a file, not one a URL: a location is the pattern with its slug in it.
        self.head, _, self.tail = reverse(self.url_name, kwargs={"slug": "~"}).rpartition("~")

    def rows(self):
        raise NotImplementedError

    def file(self, number: int):
        """The rows of file `number`."""
        first = (number - 1) * self.limit
        return self.rows()[first : first + self.limit]

    def read_summary(self) -> dict:
        """{"files": how many files, "latest": the latest lastmod}."""
        raise NotImplementedError

    @cached_property
    def summary(self) -> dict:
        """All the index asks of a section, kept until a public post changes or the next
        scheduled one is due."""
        return remembered(
            f"sitemap:{self.url_name}", [SITEMAP], self.read_summary,
            until=lambda summary: next_publication(),
        )  # fmt: skip

    def files(self, count: int) -> int:
        """How many files `count` URLs fill; the first exists even when empty."""
        return max(1, math.ceil(count / self.limit))

    @property
    def paginator(self):
        return FilePaginator(self)

    def get_latest_lastmod(self):
        return self.summary["latest"]

    def get_urls(self, page=1, site=None, protocol=None):
        """The file's URLs, with only what URLSet prints: Django's own builds a dozen fields a
        URL through several lookups each, most of a file's time at 50,000 URLs."""
        origin = f"{self.get_protocol(protocol)}://{self.get_domain(site)}{self.head}"
        urls = [
            {"location": f"{origin}{quote(slug, safe=SAFE_IN_PATH)}{self.tail}", "lastmod": lastmod}
            for slug, lastmod in self.paginator.page(page).object_list
        ]
        # What the sitemap view sends as Last-Modified.
        self.latest_lastmod = max((url["lastmod"] for url in urls), default=None)
        return urls


class PostSitemap(PageSitemap):
    """Every published article, with the time it last changed (see feeds.effective_updated); in
    the order they were created, so a new post changes only the last file."""

    url_name = "posts:detail"

    def rows(self):
        return (
            Post.objects.published()
            .annotate(lastmod=Greatest("updated_at", "published_at"))
            .values_list("slug", "lastmod")
            .order_by("pk")
        )

    def file(self, number):
        """Each file starts at the first id of its own, found in a subquery of ids alone, so the
        rows of the files before it are never read."""
        rows = self.rows()
        if number > 1:
            first = rows.values("pk")[(number - 1) * self.limit :][:1]
            rows = rows.filter(pk__gte=Subquery(first))
        return rows[: self.limit]

    def read_summary(self):
        public = Post.objects.published()
        return {"files": self.files(public.count()), "latest": latest_change(public)}


class GroupSitemap(PageSitemap):
    """The pages of the tags or authors (`model`, Post's relation to which is `post_field`) with
    a published post; each changed last when its most recently changed published post did."""

    model = None
    post_field = ""

    def linked(self):
        """The published posts on one of these pages."""
        return Post.objects.published().filter(**{f"{self.post_field}__isnull": False})

    def rows(self):
        # From the posts' side, so that their dates can come from post_public alone (SQLite,
        # with no statistics, still starts tags from taggit's table and reads each post).
        slug = f"{self.post_field}__slug"
        return (
            self.linked()
            .values(slug)
            .annotate(lastmod=Max(Greatest("updated_at", "published_at")))
            .values_list(slug, "lastmod")
            .order_by(slug)
        )

    def read_summary(self):
        """Which of them have a public post is counted only when there are more of them than
        one file holds: counting reads every post's tags (or byline), where one file is known
        from the count of their own table."""
        total = self.model.objects.count()
        listed = total if total <= self.limit else self.rows().count()
        return {"files": self.files(listed), "latest": latest_change(self.linked())}


class TagSitemap(GroupSitemap):
    model = Tag
    post_field = "tags"
    url_name = "posts:tag"


class AuthorSitemap(GroupSitemap):
    model = Author
    post_field = "authors"
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
