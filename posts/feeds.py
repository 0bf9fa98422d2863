"""Atom and RSS feeds of published posts: the whole site, or one tag, author or section.

Every entry carries the whole article as HTML, a summary, every author of the byline (named as the
post credits them), the tags as categories and the featured image as Media RSS <media:content>;
every URL in them is absolute.
"""

import contextvars
import mimetypes
import re

from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.contrib.syndication.views import Feed, add_domain
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape
from taggit.models import Tag

from . import caching, tagging
from .models import Author, Post, Section

FEED_LENGTH = 20
# The posts of the feed being built (a Feed instance serves every request, in any thread).
_items: contextvars.ContextVar[list] = contextvars.ContextVar("feed_items")
# Feed readers show the image across their column: the rendition at least this wide.
FEED_IMAGE_WIDTH = 960

MEDIA_NS = "http://search.yahoo.com/mrss/"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"

# A site-relative URL in an attribute of sanitised HTML (nh3 double-quotes every attribute).
_RELATIVE_URL = re.compile(r'(\s(?:src|href)=")(/(?!/))')
_SRCSET = re.compile(r'(\ssrcset=")([^"]*)(")')


def effective_updated(post):
    """When the post last changed for readers: its last save, or the moment it went public if
    that came later (a post scheduled, then published when its time came, changed then)."""
    return max(post.updated_at, post.published_at)


def feed_image(post) -> dict | None:
    """The featured image for feed readers: {"url", "medium"}, and for a library image the
    rendition's "width", "height", "type" and "fileSize". URLs may still be site-relative."""
    if post.image_id:
        image = post.image
        chosen = image.rendition(FEED_IMAGE_WIDTH)
        if chosen:
            url = image.file.storage.url(chosen["name"])
            sizes = {"width": chosen["width"], "height": chosen["height"]}
            if chosen.get("bytes"):
                sizes["fileSize"] = chosen["bytes"]
        else:
            url = image.file.url
            sizes = {"width": image.width, "height": image.height}
        found = {"url": url, "medium": "image", **{k: v for k, v in sizes.items() if v}}
        mime_type = mimetypes.guess_type(url)[0]
        if mime_type and mime_type.startswith("image/"):
            found["type"] = mime_type
        return found
    if post.external_image:
        return {"url": post.external_image, "medium": "image"}
    return None


def absolute_html(text: str, origin: str) -> str:
    """Sanitised HTML with its site-relative links and image sources made absolute: feed readers
    show it away from the site, and few of them resolve a relative URL."""
    text = _RELATIVE_URL.sub(lambda match: f"{match[1]}{origin}{match[2]}", text)

    def candidates(match):
        parts = []
        for candidate in match[2].split(","):
            candidate = candidate.strip()
            if candidate.startswith("/") and not candidate.startswith("//"):
                candidate = origin + candidate
            parts.append(candidate)
        return f"{match[1]}{', '.join(parts)}{match[3]}"

    return _SRCSET.sub(candidates, text)


def media_content(handler, item):
    image = item.get("image")
    if image:
        handler.addQuickElement("media:content", None, {k: str(v) for k, v in image.items()})


class QuireAtomFeed(Atom1Feed):
    """Atom with the whole article in <content>, every author, and Media RSS images."""

    def root_attributes(self):
        return {**super().root_attributes(), "xmlns:media": MEDIA_NS}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name, url in item["authors"]:
            handler.startElement("author", {})
            handler.addQuickElement("name", name)
            handler.addQuickElement("uri", url)
            handler.endElement("author")
        handler.addQuickElement("content", item["content"], {"type": "html"})
        media_content(handler, item)


class QuireRssFeed(Rss201rev2Feed):
    """RSS 2.0: the summary in <description>, the whole article in <content:encoded>, each
    author as <dc:creator> (<author> must be an e-mail address), and Media RSS images."""

    def rss_attributes(self):
        return {
            **super().rss_attributes(),
            "xmlns:content": CONTENT_NS,
            "xmlns:dc": DC_NS,
            "xmlns:media": MEDIA_NS,
        }

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name, _url in item["authors"]:
            handler.addQuickElement("dc:creator", name)
        handler.addQuickElement("content:encoded", item["content"])
        media_content(handler, item)


class LatestPosts(Feed):
    """The latest published posts, in full, so feed readers need not visit the page."""

    feed_type = QuireAtomFeed
    description_template = None

    def title(self, obj=None):
        return f"{settings.QUIRE_SITE_NAME}: {obj}" if obj else settings.QUIRE_SITE_NAME

    def subtitle(self, obj=None):
        return settings.QUIRE_SITE_TAGLINE

    description = subtitle

    def author_name(self, obj=None):
        # Atom: an entry without a byline is credited to the publication.
        return settings.QUIRE_SITE_NAME

    def link(self, obj=None):
        return obj.get_absolute_url() if obj else reverse("posts:home")

    def posts(self, obj):
        return Post.objects.published()

    def items(self, obj=None):
        items = list(self.posts(obj).for_page()[:FEED_LENGTH])
        _items.set(items)
        return items

    def item_title(self, post):
        return post.title

    def item_description(self, post):
        """The summary: the description (plain text, so escaped into HTML), else the excerpt."""
        if post.description:
            return escape(post.description)
        return post.excerpt_html or None

    def item_extra_kwargs(self, post):
        return {
            "content": post.body_html,
            "authors": [
                (author.credited_name, author.get_absolute_url()) for author in post.authors.all()
            ],
            "image": feed_image(post),
        }

    def item_pubdate(self, post):
        return post.published_at

    def item_updateddate(self, post):
        return effective_updated(post)

    def item_author_name(self, post):
        return None  # every author is written by the feed type, from item["authors"]

    def item_categories(self, post):
        return [tag.name for tag in post.tag_list]

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        return caching.public(response, request.feed_keys)

    def listing_key(self, obj) -> str:
        return caching.LISTS

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        # What the page cache keeps the feed for: its listing and every entry in it.
        request.feed_keys = {self.listing_key(obj), *caching.shown(_items.get())}
        domain, secure = get_current_site(request).domain, request.is_secure()
        origin = add_domain(domain, "", secure)
        for item in feed.items:
            item["authors"] = [
                (name, add_domain(domain, url, secure)) for name, url in item["authors"]
            ]
            if item["image"]:
                item["image"]["url"] = add_domain(domain, item["image"]["url"], secure)
            item["content"] = absolute_html(item["content"], origin)
            if item["description"]:
                item["description"] = absolute_html(item["description"], origin)
        return feed


class LatestPostsRss(LatestPosts):
    feed_type = QuireRssFeed


class ListingFeed(LatestPosts):
    """A tag's, author's or section's feed; like its page, none exists without a public post."""

    model = None

    def get_object(self, request, slug):
        return get_object_or_404(self.model, slug=slug)

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        if not feed.items:
            raise Http404("Nothing published here.")
        return feed


class TagFeed(ListingFeed):
    model = Tag

    def __call__(self, request, slug):
        """The feed of a merged or renamed tag's old slug answers with a 301 to its tag's."""
        try:
            return super().__call__(request, slug=slug)
        except Http404:
            # Looked up only once no tag answered: a tag's own feed costs no extra query.
            if Tag.objects.filter(slug=slug).exists():
                raise
            return tagging.moved_tag(slug, "posts:tag_feed")

    def listing_key(self, tag):
        return caching.tag_key(tag.pk)

    def link(self, tag):
        return reverse("posts:tag", kwargs={"slug": tag.slug})

    def posts(self, tag):
        return Post.objects.published().filter(tags=tag)


class AuthorFeed(ListingFeed):
    model = Author

    def listing_key(self, author):
        return caching.author_key(author.pk)

    def posts(self, author):
        return Post.objects.published().filter(authors=author)


class SectionFeed(ListingFeed):
    model = Section

    def listing_key(self, section):
        return caching.section_key(section.pk)

    def posts(self, section):
        return Post.objects.published().filter(section=section)
