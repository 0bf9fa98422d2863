"""The reader's pages. Every query starts from Post.objects.published(), the one public gate."""

from datetime import date

from django.conf import settings
from django.core.paginator import InvalidPage, Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views import static
from taggit.models import Tag

from .models import Author, Post, Section


def paginate(request, queryset, allow_empty=True):
    """One page of a listing; a page number that does not exist is a 404, not page 1."""
    paginator = Paginator(
        queryset, settings.QUIRE_POSTS_PER_PAGE, allow_empty_first_page=allow_empty
    )
    try:
        return paginator.page(request.GET.get("page") or 1)
    except InvalidPage as error:
        raise Http404(str(error)) from error


def render_listing(request, queryset, **context):
    """A tag, author or section page; with no public post it does not exist for readers."""
    page = paginate(request, queryset.for_listing(), allow_empty=False)
    return render(request, "posts/listing.html", {"page_obj": page, **context})


def home(request):
    page = paginate(request, Post.objects.published().for_listing())
    return render(request, "posts/home.html", {"page_obj": page})


def post_detail(request, slug):
    post = get_object_or_404(Post.objects.published().for_listing(), slug=slug)
    return render(request, "posts/detail.html", {"post": post})


def tag_posts(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    posts = Post.objects.published().filter(tags=tag)
    return render_listing(request, posts, heading=tag.name, kind="Tag", tag=tag)


def author_posts(request, slug):
    author = get_object_or_404(Author, slug=slug)
    posts = Post.objects.published().filter(authors=author)
    return render_listing(request, posts, heading=author.name, kind="Author", author=author)


def section_posts(request, slug):
    section = get_object_or_404(Section, slug=slug)
    posts = Post.objects.published().filter(section=section)
    return render_listing(request, posts, heading=section.name, kind="Section", section=section)


def archive(request, year, month=None):
    try:
        first_day = date(year, month or 1, 1)
    except ValueError as error:
        raise Http404(str(error)) from error
    posts = Post.objects.published().filter(published_at__year=year)
    if month is not None:
        posts = posts.filter(published_at__month=month)
    heading = first_day.strftime("%B %Y" if month else "%Y")
    return render_listing(request, posts, heading=heading, kind="Archive")


def robots_txt(request):
    sitemap = request.build_absolute_uri(reverse("posts:sitemap"))
    lines = ["User-agent: *", "Disallow: /admin/", "Disallow: /markdownx/", f"Sitemap: {sitemap}"]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


# An uploaded file is only ever an image: were anything else to slip through, a browser must
# neither guess another type nor run it.
MEDIA_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; img-src 'self'; sandbox",
    "Cross-Origin-Resource-Policy": "same-site",
}


def media(request, path):
    """Uploaded files, when Django serves them (QUIRE_SERVE_MEDIA), with locked-down headers."""
    if not settings.QUIRE_SERVE_MEDIA:
        raise Http404("Media are served by the web server.")
    response = static.serve(request, path, document_root=settings.MEDIA_ROOT)
    for header, value in MEDIA_HEADERS.items():
        response[header] = value
    return response
