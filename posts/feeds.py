"""Atom and RSS feeds of published posts: the whole site, or one tag, author or section."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from taggit.models import Tag

from .models import Author, Post, Section

FEED_LENGTH = 20


class FullContentAtom(Atom1Feed):
    """Atom with each article's whole HTML in <content>, the excerpt staying in <summary>."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("content", item["content"], {"type": "html"})


class LatestPosts(Feed):
    """Full HTML content, so feed readers need not visit the page to read the article."""

    feed_type = FullContentAtom
    description_template = None

    def title(self, obj=None):
        return f"{settings.QUIRE_SITE_NAME}: {obj}" if obj else settings.QUIRE_SITE_NAME

    def subtitle(self, obj=None):
        return settings.QUIRE_SITE_TAGLINE

    description = subtitle

    def link(self, obj=None):
        return obj.get_absolute_url() if obj else "/"

    def posts(self, obj):
        return Post.objects.published()

    def items(self, obj=None):
        return self.posts(obj).for_listing()[:FEED_LENGTH]

    def item_title(self, post):
        return post.title

    def item_description(self, post):
        return post.description or post.excerpt_html

    def item_extra_kwargs(self, post):
        return {"content": post.body_html}

    def item_pubdate(self, post):
        return post.published_at

    def item_updateddate(self, post):
        return max(post.updated_at, post.published_at)

    def item_author_name(self, post):
        return ", ".join(author.name for author in post.authors.all()) or None

    def item_categories(self, post):
        return [tag.name for tag in post.tag_list]


class LatestPostsRss(LatestPosts):
    """RSS 2.0 carries the whole article in <description>, as most readers expect."""

    feed_type = Rss201rev2Feed

    def item_description(self, post):
        return post.body_html


class ListingFeed(LatestPosts):
    """A tag's, author's or section's feed; like its page, none exists without a public post."""

    model = None

    def get_object(self, request, slug):
        obj = get_object_or_404(self.model, slug=slug)
        if not self.posts(obj).exists():
            raise Http404("Nothing published here.")
        return obj


class TagFeed(ListingFeed):
    model = Tag

    def link(self, tag):
        return reverse("posts:tag", kwargs={"slug": tag.slug})

    def posts(self, tag):
        return Post.objects.published().filter(tags=tag)


class AuthorFeed(ListingFeed):
    model = Author

    def posts(self, author):
        return Post.objects.published().filter(authors=author)


class SectionFeed(ListingFeed):
    model = Section

    def posts(self, section):
        return Post.objects.published().filter(section=section)
