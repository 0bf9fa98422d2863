from django.contrib.sitemaps import Sitemap

from .models import Post


class PostSitemap(Sitemap):
    """Every published article, with the time it last changed."""

    def items(self):
        return Post.objects.published().only("slug", "updated_at")

    def lastmod(self, post):
        return post.updated_at
