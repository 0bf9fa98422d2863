"""sitemap.xml: every published article, and the tag and author pages that list one.

Each section is read in one query into a list (a queryset would cost a second query, to count
it), and only published posts count: a tag or an author with nothing public has no page, and a
draft edited today moves no date.
"""

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.db.models.functions import Greatest
from django.urls import reverse
from django.utils.functional import cached_property

from .feeds import effective_updated
from .models import Post


class ListedSitemap(Sitemap):
    """A sitemap whose items are one query's rows, read once per request (the sitemap view
    makes an instance per request)."""

    def rows(self):
        raise NotImplementedError

    @cached_property
    def _rows(self):
        return list(self.rows())

    def items(self):
        return self._rows


class PostSitemap(ListedSitemap):
    """Every published article, with the time it last changed."""

    def rows(self):
        return Post.objects.published().only("slug", "updated_at", "published_at")

    def lastmod(self, post):
        return effective_updated(post)


class GroupSitemap(ListedSitemap):
    """The pages of a tag or author (`field`, a relation of Post) with a published post; each
    changed last when its most recently changed published post did."""

    field = ""
    url_name = ""

    def rows(self):
        slug = f"{self.field}__slug"
        return (
            Post.objects.published()
            .filter(**{f"{self.field}__isnull": False})
            .values(slug)
            .annotate(lastmod=Max(Greatest("updated_at", "published_at")))
            .values_list(slug, "lastmod")
            .order_by(slug)
        )

    def location(self, row):
        return reverse(self.url_name, kwargs={"slug": row[0]})

    def lastmod(self, row):
        return row[1]


class TagSitemap(GroupSitemap):
    field = "tags"
    url_name = "posts:tag"


class AuthorSitemap(GroupSitemap):
    field = "authors"
    url_name = "posts:author"


SITEMAPS = {"posts": PostSitemap, "tags": TagSitemap, "authors": AuthorSitemap}
