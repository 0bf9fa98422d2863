"""The reader's pages. Every query starts from Post.objects.published(), the one public gate."""

from datetime import date
from urllib.parse import quote

from django.conf import settings
from django.core.paginator import InvalidPage, Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.encoding import escape_uri_path
from taggit.models import Tag

from . import article, caching, citations, listings, markup, tagging
from .caching import LISTS, archive_key, author_key, post_key, section_key, tag_key
from .models import Author, Post, Section
from .pagination import ListingPaginator


def paginate(request, queryset, allow_empty=True, *, listing=None):
    """One page of a listing; a page number that does not exist is a 404, not page 1.

    `listing` ((name, keys)) names a public listing, whose pages start at remembered posts
    (see posts.pagination); other lists are counted and sliced.
    """
    per_page, options = settings.QUIRE_POSTS_PER_PAGE, {"allow_empty_first_page": allow_empty}
    if listing is None:
        paginator = Paginator(queryset, per_page, **options)
    else:
        name, keys = listing
        paginator = ListingPaginator(queryset, per_page, name=name, keys=keys, **options)
    try:
        return paginator.page(request.GET.get("page") or 1)
    except InvalidPage as error:
        raise Http404(str(error)) from error


def listing_context(request, page, *, title, description, **context):
    """What every listing's template needs besides its posts: the page links (numbers with gaps,
    previous and next) and its metadata. `title` is the page's own ("" for the home page, which is
    titled with the site's name); a later page says which it is in its title and description."""
    path = escape_uri_path(request.path)
    number = page.number
    previous = listings.page_href(path, page.previous_page_number()) if page.has_previous() else ""
    following = listings.page_href(path, page.next_page_number()) if page.has_next() else ""
    if number > 1:
        title = f"{title or 'Latest articles'}, page {number}"
        description = listings.with_page(description, number, page.paginator.num_pages)
    return {
        "page_obj": page,
        "page_links": listings.page_links(page, path),
        "prev_href": previous,
        "next_href": following,
        "prev_url": request.build_absolute_uri(previous) if previous else "",
        "next_url": request.build_absolute_uri(following) if following else "",
        "canonical_url": request.build_absolute_uri(listings.page_href(path, number)),
        "page_title": title,
        "meta_description": description,
        **context,
    }


def render_listing(request, queryset, *, keys, title, description, **context):
    """A tag, author, section or archive page; with no public post it does not exist for
    readers. `keys` name the listing, for the page cache."""
    name = "-".join(sorted(keys))
    page = paginate(request, queryset.for_listing(), allow_empty=False, listing=(name, keys))
    context = listing_context(request, page, title=title, description=description, **context)
    response = render(request, "posts/listing.html", context)
    return caching.public(response, {*keys, *caching.shown(page)})


def home(request):
    page = paginate(request, Post.objects.published().for_listing(), listing=("home", [LISTS]))
    site_name, tagline = settings.QUIRE_SITE_NAME, settings.QUIRE_SITE_TAGLINE
    context = listing_context(
        request, page, title="", description=tagline or f"The latest articles from {site_name}."
    )
    if page.number == 1:
        context["json_ld"] = article.json_ld(website_data(request))
    response = render(request, "posts/home.html", context)
    return caching.public(response, {LISTS, *caching.shown(page)})


def website_data(request) -> dict:
    """schema.org WebSite, with the SearchAction that lets a search engine search the site."""
    # Appended after build_absolute_uri(), which would percent-encode the braces.
    search = request.build_absolute_uri(reverse("search:search")) + "?q={search_term_string}"
    data = {
        "@context": "https://schema.org",
        "@type": "WebSite",
        "name": settings.QUIRE_SITE_NAME,
        "url": request.build_absolute_uri(reverse("posts:home")),
    }
    if settings.QUIRE_SITE_TAGLINE:
        data["description"] = settings.QUIRE_SITE_TAGLINE
    data["potentialAction"] = {
        "@type": "SearchAction",
        "target": {"@type": "EntryPoint", "urlTemplate": search},
        "query-input": "required name=search_term_string",
    }
    return data


def post_detail(request, slug):
    post = get_object_or_404(Post.objects.published().for_page(), slug=slug)
    extras = article.build(request, post)
    response = render(request, "posts/detail.html", {"post": post, "article": extras})
    linked = [other for other in (extras.previous, extras.next, *extras.related) if other]
    return caching.public(response, {*caching.shown([post]), *(post_key(o.pk) for o in linked)})


def post_bibtex(request, slug):
    """The post's citation as a BibTeX (biblatex @online) file to download; public posts only."""
    post = get_object_or_404(Post.objects.published().prefetch_related("authors"), slug=slug)
    url = request.build_absolute_uri(post.get_absolute_url())
    key = citations.bibtex_key(post)
    response = HttpResponse(
        citations.Citation.of(post, url).bibtex(key),
        content_type="application/x-bibtex; charset=utf-8",
    )
    # An ASCII name for every client, and the Unicode slug for those that read filename*.
    disposition = f'attachment; filename="{key}.bib"'
    if key != post.slug:
        disposition += f"; filename*=UTF-8''{quote(post.slug, safe='')}.bib"
    response["Content-Disposition"] = disposition
    authors = {author_key(author.pk) for author in post.authors.all()}
    return caching.public(response, {post_key(post.pk), *authors})


def tag_posts(request, slug):
    """A tag's listing; the slug of a merged or renamed tag answers with a 301 to its tag's."""
    tag = Tag.objects.filter(slug=slug).first()
    if tag is None:
        return tagging.moved_tag(slug, "posts:tag", request.GET.urlencode())
    posts = Post.objects.published().filter(tags=tag)
    return render_listing(
        request,
        posts,
        keys={tag_key(tag.pk)},
        title=tag.name,
        description=f"Articles on {tag.name} from {settings.QUIRE_SITE_NAME}.",
        heading=tag.name,
        kind="Tag",
        tag=tag,
        feed_url=reverse("posts:tag_feed", kwargs={"slug": tag.slug}),
    )


def author_posts(request, slug):
    author = get_object_or_404(Author, slug=slug)
    posts = Post.objects.published().filter(authors=author)
    who = f"{author.name}, {author.affiliation}" if author.affiliation else author.name
    description = markup.description(author.bio_html) or (
        f"Articles by {who} in {settings.QUIRE_SITE_NAME}."
    )
    return render_listing(
        request,
        posts,
        keys={author_key(author.pk)},
        title=author.name,
        description=description,
        heading=author.name,
        kind="Author",
        author=author,
        og_type="profile",
        og_image=request.build_absolute_uri(author.photo.url) if author.photo else "",
        feed_url=reverse("posts:author_feed", kwargs={"slug": author.slug}),
    )


def section_posts(request, slug):
    section = get_object_or_404(Section, slug=slug)
    posts = Post.objects.published().filter(section=section)
    description = markup.description(section.description) or (
        f"Articles in {section.name} from {settings.QUIRE_SITE_NAME}."
    )
    return render_listing(
        request,
        posts,
        keys={section_key(section.pk)},
        title=section.name,
        description=description,
        heading=section.name,
        kind="Section",
        section=section,
        feed_url=reverse("posts:section_feed", kwargs={"slug": section.slug}),
    )


def archive(request, year, month=None):
    try:
        first_day = date(year, month or 1, 1)
    # A year too big for a C integer overflows rather than being out of range.
    except (ValueError, OverflowError) as error:
        raise Http404(str(error)) from error
    posts = Post.objects.published().filter(published_at__year=year)
    if month is not None:
        posts = posts.filter(published_at__month=month)
    heading = listings.month_title(first_day) if month else str(year)
    return render_listing(
        request,
        posts,
        keys={archive_key(year, month)},
        title=heading,
        description=f"Articles published in {heading} in {settings.QUIRE_SITE_NAME}.",
        heading=heading,
        kind="Archive",
    )


def tags_index(request):
    """Every tag with a published post, alphabetically, with how many: one query."""
    rows = (
        Post.objects.published()
        .filter(tags__isnull=False)
        .values("tags__name", "tags__slug")
        .annotate(count=Count("pk"))
        .order_by()
    )
    tags = sorted(
        ({"name": row["tags__name"], "slug": row["tags__slug"], "count": row["count"]}
         for row in rows),
        key=lambda tag: listings.alphabetical(tag["name"]),
    )  # fmt: skip
    site_name = settings.QUIRE_SITE_NAME
    context = {
        "tags": tags,
        "page_title": "Topics",
        "meta_description": f"Every topic {site_name} has written on, with its articles.",
        "canonical_url": request.build_absolute_uri(reverse("posts:tags")),
    }
    return caching.public(render(request, "posts/tags.html", context), {LISTS})


def robots_txt(request):
    """Crawlers may read every public page; the sitemap, by its absolute URL, lists them."""
    sitemap = request.build_absolute_uri(reverse("posts:sitemap"))
    lines = ["User-agent: *", "Disallow: /admin/", "Disallow: /markdownx/", f"Sitemap: {sitemap}"]
    response = HttpResponse("\n".join(lines) + "\n", content_type="text/plain")
    return caching.public(response, ())


# An uploaded file is only ever an image: were anything else to slip through, a browser must
# neither guess another type nor run it.
