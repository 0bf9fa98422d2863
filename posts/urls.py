from django.contrib.sitemaps.views import index, sitemap
from django.urls import path

from . import caching, feeds, views
from .sitemaps import SITEMAPS, URLSet

app_name = "posts"

# <str:slug>, not <slug:slug>: slugs may be Unicode (allow_unicode=True).
urlpatterns = [
    path("", views.home, name="home"),
    path("posts/<str:slug>/", views.post_detail, name="detail"),
    path("posts/<str:slug>/cite.bib", views.post_bibtex, name="cite"),
    path("tags/", views.tags_index, name="tags"),
    path("tags/<str:slug>/", views.tag_posts, name="tag"),
    path("tags/<str:slug>/feed.xml", feeds.TagFeed(), name="tag_feed"),
    path("authors/<str:slug>/", views.author_posts, name="author"),
    path("authors/<str:slug>/feed.xml", feeds.AuthorFeed(), name="author_feed"),
    path("sections/<str:slug>/", views.section_posts, name="section"),
    path("sections/<str:slug>/feed.xml", feeds.SectionFeed(), name="section_feed"),
    path("archive/<int:year>/", views.archive, name="archive_year"),
    path("archive/<int:year>/<int:month>/", views.archive, name="archive_month"),
    path("feed.xml", feeds.LatestPosts(), name="feed"),
    path("rss.xml", feeds.LatestPostsRss(), name="rss"),
    path(
        "sitemap.xml",
        caching.public_view(index, [caching.SITEMAP]),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "posts:sitemap_section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        caching.public_view(sitemap, [caching.SITEMAP]),
        {"sitemaps": SITEMAPS, "template_name": URLSet()},
        name="sitemap_section",
    ),
    path("robots.txt", views.robots_txt, name="robots"),
]
