"""What the article page shows besides the post itself (whose table of contents is stored with it):
its citations (see posts.citations), the previous and next posts, related posts and its
structured data.

Everything here reads a post that post_detail fetched with Post.objects.published().for_page()
(its authors and tags prefetched), so building an Article costs one query, however many authors,
tags or related posts there are (three while its links are being found).
"""

import json
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count
from django.urls import reverse
from django.utils.safestring import SafeString

from pagecache.store import remembered

from .caching import LISTS, next_publication
from .citations import Citation
from .models import Post

RELATED_COUNT = 3
# What a link to another post prints: its title, address and date.
LINK_FIELDS = ("title", "slug", "published_at", "published_offset")


# Neighbours and related posts ----------------------------------------------------------------


def related(post: Post, limit: int = RELATED_COUNT) -> list[Post]:
    """Up to `limit` published posts sharing the most tags with this one, newest first among
    equals; never the post itself. One query; none for a post without tags."""
    tag_ids = [tag.pk for tag in post.tags.all()]  # prefetched
    if not tag_ids:
        return []
    return list(
        Post.objects.published()
        .exclude(pk=post.pk)
        # The filter comes first, so the count is of the shared tags only.
        .filter(tags__in=tag_ids)
        .annotate(shared_tags=Count("tags", distinct=True))
        .order_by("-shared_tags", "-published_at", "-pk")
        .only(*LINK_FIELDS)[:limit]
    )


# The page ------------------------------------------------------------------------------------


@dataclass
class Article:
    citation: Citation | None = None
    bibtex_url: str = ""
    previous: Post | None = None
    next: Post | None = None
    related: list[Post] = field(default_factory=list)
    json_ld: str = ""  # structured data, ready for a <script type="application/ld+json">


def build(request, post: Post, *, public: bool = True) -> Article:
    """The article page's extras. `public=False` (a preview: the post may have no public URL yet)
    leaves out the citations and the links to other posts, and costs no query."""
    article = Article()
    article.json_ld = json_ld(structured_data(request, post))
    if public:
        url = request.build_absolute_uri(post.get_absolute_url())
        article.citation = Citation.of(post, url)
        article.bibtex_url = cite_url(post)
        article.previous, article.next, article.related = linked_posts(post)
    return article


def linked_posts(post: Post) -> tuple[Post | None, Post | None, list[Post]]:
    """The previous, next and related posts, in one query by id once their ids are known: those
    are kept until a publish, unpublish or re-dating changes the listings (see posts.caching)."""

    def find():
        previous, following = Post.objects.published().around(post)
        return (
            previous.pk if previous else None,
            following.pk if following else None,
            [other.pk for other in related(post)],
        )

    previous, following, related_ids = remembered(
        f"article-links:{post.pk}", [LISTS], find, until=lambda ids: next_publication()
    )
    ids = [pk for pk in (previous, following, *related_ids) if pk]
    # The ids were found among published posts, and are forgotten as soon as any post leaves
    # them: read by primary key alone, which no planner can mistake for a walk of the archive.
    found = Post.objects.only(*LINK_FIELDS).in_bulk(ids) if ids else {}
    return (
        found.get(previous),
        found.get(following),
        [found[pk] for pk in related_ids if pk in found],
    )


def structured_data(request, post: Post) -> dict:
    """schema.org Article: what search engines show of the piece, from what is already loaded."""
    own_url = request.build_absolute_uri(post.get_absolute_url())
    data = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": post.title,
        "description": post.meta_description,
        "url": post.canonical_url or own_url,
        "mainEntityOfPage": own_url,
        "author": [
            {
                "@type": "Person",
                "name": author.credited_name,
                "url": request.build_absolute_uri(author.get_absolute_url()),
            }
            for author in post.authors.all()
        ],
        "publisher": {"@type": "Organization", "name": settings.QUIRE_SITE_NAME},
        "dateModified": post.updated_at.isoformat() if post.updated_at else None,
        "keywords": [tag.name for tag in post.tag_list],
    }
    if post.published_local:
        data["datePublished"] = post.published_local.isoformat()
    if post.image_url:
        image = request.build_absolute_uri(post.image_url)
        data["image"] = {"@type": "ImageObject", "url": image, "caption": post.featured_alt}
    return {key: value for key, value in data.items() if value not in (None, "", [])}


def json_ld(data: dict) -> SafeString:
    """`data` as JSON for a <script type="application/ld+json"> element.

    "<", ">" and "&" are written as \\u escapes (as Django's json_script does), so no text in
    the data (a title, a tag) can close the element or open a comment, however hostile.
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for character, escape in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e")):
        text = text.replace(character, escape)
    return SafeString(text)


def cite_url(post: Post) -> str:
    return reverse("posts:cite", kwargs={"slug": post.slug})
