"""What the article page shows besides the post itself: a table of contents, its citations (see
posts.citations), the previous and next posts, related posts and its structured data.

Everything here reads a post that post_detail fetched with Post.objects.published().for_listing()
(its authors and tags prefetched), so building an Article costs two queries at most, however many
authors, tags or related posts there are: one for previous/next, one for related posts (none for
a post without tags).
"""

import json
from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.conf import settings
from django.db.models import Count, Q, Subquery
from django.urls import reverse
from django.utils.safestring import SafeString

from .citations import Citation
from .models import Post

TOC_MIN_HEADINGS = 3
RELATED_COUNT = 3

# Table of contents --------------------------------------------------------


@dataclass
class TocEntry:
    id: str
    text: str
    level: int
    children: list["TocEntry"] = field(default_factory=list)


class _BodyReader(HTMLParser):
    """One pass over body_html: its <h2>/<h3> headings that carry an id."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.headings: list[TocEntry] = []
        self._heading: TocEntry | None = None
        self._skip_depth = 0  # inside a footnote reference: "[1]" is no part of a heading's text

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self._skip_depth:
            self._skip_depth += tag not in _VOID
        elif tag == "sup" and "footnote-ref" in (attrs.get("class") or "").split():
            self._skip_depth = 1
        elif tag in ("h2", "h3") and attrs.get("id"):
            self._heading = TocEntry(attrs["id"], "", int(tag[1]))

    def handle_endtag(self, tag):
        if self._skip_depth:
            self._skip_depth -= 1
        elif self._heading is not None and tag == f"h{self._heading.level}":
            self._heading.text = " ".join(self._heading.text.split())
            if self._heading.text:
                self.headings.append(self._heading)
            self._heading = None

    def handle_data(self, data):
        if self._heading is not None and not self._skip_depth:
            self._heading.text += data


_VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


def read_headings(body_html: str) -> list[TocEntry]:
    reader = _BodyReader()
    reader.feed(body_html)
    reader.close()
    return reader.headings


def table_of_contents(headings: list[TocEntry]) -> list[TocEntry]:
    """The headings as a tree (each <h3> under the <h2> before it), or [] for a short piece."""
    if len(headings) < TOC_MIN_HEADINGS:
        return []
    top = min(heading.level for heading in headings)
    tree: list[TocEntry] = []
    for heading in headings:
        entry = TocEntry(heading.id, heading.text, heading.level)
        if heading.level > top and tree:
            tree[-1].children.append(entry)
        else:
            tree.append(entry)
    return tree


# Neighbours and related posts ----------------------------------------------------------------


def neighbours(post: Post) -> tuple[Post | None, Post | None]:
    """The published posts just before and just after this one by publication date (ties broken
    by id, as listings order them), in one query."""
    published = Post.objects.published()
    earlier = published.filter(
        Q(published_at__lt=post.published_at) | Q(published_at=post.published_at, pk__lt=post.pk)
    ).order_by("-published_at", "-pk")
    later = published.filter(
        Q(published_at__gt=post.published_at) | Q(published_at=post.published_at, pk__gt=post.pk)
    ).order_by("published_at", "pk")
    both = Post.objects.filter(
        Q(pk=Subquery(earlier.values("pk")[:1])) | Q(pk=Subquery(later.values("pk")[:1]))
    ).only("title", "slug", "published_at", "published_offset")
    previous = following = None
    for other in both:
        if (other.published_at, other.pk) < (post.published_at, post.pk):
            previous = other
        else:
            following = other
    return previous, following


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
        .only("title", "slug", "published_at", "published_offset")[:limit]
    )


# The page ------------------------------------------------------------------------------------


@dataclass
class Article:
    toc: list[TocEntry]
    citation: Citation | None = None
    bibtex_url: str = ""
    previous: Post | None = None
    next: Post | None = None
    related: list[Post] = field(default_factory=list)
    json_ld: str = ""  # structured data, ready for a <script type="application/ld+json">


def build(request, post: Post, *, public: bool = True) -> Article:
    """The article page's extras. `public=False` (a preview: the post may have no public URL yet)
    leaves out the citations and the links to other posts, and costs no query."""
    article = Article(table_of_contents(read_headings(post.body_html)))
    article.json_ld = json_ld(structured_data(request, post))
    if public:
        url = request.build_absolute_uri(post.get_absolute_url())
        article.citation = Citation.of(post, url)
        article.bibtex_url = cite_url(post)
        article.previous, article.next = neighbours(post)
        article.related = related(post)
    return article


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
                "name": author.name,
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
