"""Editorial help around the post form: content checks, the editorial calendar and tag suggestions.

`checks(post, user)` names what an editor should fix before publishing; the calendar lists a month's
posts day by day; the tag suggestions feed the tag field's autocomplete (static/js/editor.js).
"""

import copy
import html
import re
from datetime import date, datetime
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Value, When
from django.db.models.functions import Lower
from django.http import JsonResponse
from django.http.request import split_domain_port, validate_host
from django.template.response import TemplateResponse
from django.urls import Resolver404, path, resolve, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join, strip_tags

from . import markup, roles

DESCRIPTION_LIMIT = markup.DESCRIPTION_LENGTH  # what search engines show
LONG_BODY_WORDS = 600  # a body this long wants an excerpt marker
TAG_SUGGESTIONS = 10

# Any heading of sanitised HTML; only h2-h6 are checked for content, but an h1 also ends them.
_HEADING = re.compile(r"<h([1-6])\b[^>]*>(.*?)</h\1\s*>", re.IGNORECASE | re.DOTALL)
# markdown-it-footnote appends its notes after the text: they are not part of the last section.
_FOOTNOTES = re.compile(r'<hr class="footnotes-sep"\s*/?>', re.IGNORECASE)
_HREF = re.compile(r'<a\b[^>]*?\bhref="([^"]*)"', re.IGNORECASE)


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else plural or word + 's'}"


def _quoted_list(items: list[str]) -> str:
    quoted = [f"“{item}”" for item in items]
    if len(quoted) == 1:
        return quoted[0]
    return ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _text(fragment: str) -> str:
    return " ".join(html.unescape(strip_tags(fragment)).split())


def _rendered(post):
    """The post with its body HTML: as stored, or rendered (without the DB) for a post whose
    HTML was never derived, such as an unsaved one."""
    if post.body_html or not post.body:
        return post
    rendered = copy.copy(post)  # never change the caller's object
    rendered.body_html, rendered.excerpt_html = markup.render_post(
        post.body, post.excerpt, post.excerpt_separator
    )
    return rendered


def checks(post, user) -> list[str]:
    """What to fix before publishing, one sentence each; [] when all is well. Other posts are
    named only to a `user` who may open them in the admin."""
    post = _rendered(post)
    found = [
        *_description_checks(post),
        *_excerpt_checks(post),
        *_image_checks(post),
        *_section_checks(post),
        *_draft_link_checks(post, user),
    ]
    return [sentence for sentence in found if sentence]


def checks_html(post, user):
    """`checks()` as HTML for the admin's read-only "Content check" field."""
    found = checks(post, user)
    if not found:
        return "Nothing to fix."
    return format_html(
        '<ul class="content-checks">{}</ul>',
        format_html_join("", "<li>{}</li>", ((sentence,) for sentence in found)),
    )


def _description_checks(post):
    description = post.description.strip()
    if not description:
        yield "Write a description: search engines and link previews show it under the title."
    elif len(description) > DESCRIPTION_LIMIT:
        excess = len(description) - DESCRIPTION_LIMIT
        yield (
            f"Shorten the description by {_plural(excess, 'character')}: search engines show "
            f"about {DESCRIPTION_LIMIT} and cut the rest (it has {len(description)})."
        )


def _excerpt_checks(post):
    separator = post.excerpt_separator
    if post.excerpt.strip() or (separator and separator in post.body):
        return
    words = len(_text(post.body_html).split())
    if words <= LONG_BODY_WORDS:
        return
    where = (
        f"put {separator} where the excerpt should end"
        if separator
        else "set an excerpt separator and put it where the excerpt should end"
    )
    yield (
        f"Mark the excerpt: the body runs to {words} words, so {where} (or write an excerpt); "
        "listings show only the first paragraph otherwise."
    )


def _image_checks(post):
    missing = post.images_missing_alt()
    if missing:
        yield (
            f"Write alt text for {_plural(len(missing), 'image')} (readers who cannot see them "
            f"get nothing): {', '.join(missing)}."
        )


def empty_sections(body_html: str) -> list[str]:
    """The h2-h6 headings with nothing under them: followed directly by a heading of the same or
    a higher level, or by the end of the body. Their text, in order."""
    body_html = _FOOTNOTES.split(body_html, maxsplit=1)[0]
    headings = list(_HEADING.finditer(body_html))
    empty = []
    for index, heading in enumerate(headings):
        level = int(heading[1])
        if level < 2:
            continue
        following = headings[index + 1] if index + 1 < len(headings) else None
        if following is not None and int(following[1]) > level:
            continue  # a subsection: its content belongs to this section too
        between = body_html[heading.end() : following.start() if following else len(body_html)]
        if not _text(between) and "<img" not in between.lower():
            empty.append(_text(heading[2]) or f"(untitled h{level})")
    return empty


def _section_checks(post):
    empty = empty_sections(post.body_html)
    if len(empty) == 1:
        yield (
            f"Write something under the heading {_quoted_list(empty)} or remove it: another "
            "heading or the end of the body follows it directly."
        )
    elif empty:
        yield (
            f"Write something under the headings {_quoted_list(empty)} or remove them: another "
            "heading or the end of the body follows each directly."
        )


def _own_host(netloc: str) -> bool:
    host, _ = split_domain_port(netloc)
    # "*" would make every site on the web ours.
    return bool(host) and validate_host(host, [h for h in settings.ALLOWED_HOSTS if h != "*"])


def linked_post_slugs(body_html: str) -> list[str]:
    """The slugs of this site's posts that links in the HTML lead to, in order, each once."""
    slugs = []
    for match in _HREF.finditer(body_html):
        url = urlsplit(html.unescape(match[1]).strip())
        if url.scheme not in ("", "http", "https") or (url.netloc and not _own_host(url.netloc)):
            continue
        if not url.path.startswith("/"):
            continue
        target = unquote(url.path)
        try:
            found = resolve(target)
        except Resolver404:
            try:  # /posts/slug, which APPEND_SLASH redirects
                found = resolve(target + "/")
            except Resolver404:
                continue
        if found.view_name == "posts:detail" and found.kwargs["slug"] not in slugs:
            slugs.append(found.kwargs["slug"])
    return slugs


def _draft_link_checks(post, user):
    from .models import Post

    slugs = [slug for slug in linked_post_slugs(post.body_html) if slug != post.slug]
    if not slugs:
        return
    unpublished = (
        Post.objects.filter(slug__in=slugs)
        .exclude(pk__in=Post.objects.published().values("pk"))
        .only("title", "slug", "status", "published_at")
        .annotate(openable=Exists(roles.visible(user, Post.objects.filter(pk=OuterRef("pk")))))
    )
    by_slug = {linked.slug: linked for linked in unpublished}
    targets = [by_slug[slug] for slug in slugs if slug in by_slug]
    named = [linked for linked in targets if linked.openable]
    if named:
        listed = "; ".join(
            f"“{linked.title}” ({status_label(linked)}, {linked.get_absolute_url()})"
            for linked in named
        )
        yield (
            f"Publish or unlink {'the post' if len(named) == 1 else 'the posts'} this one links "
            f"to that readers cannot see yet (they get “not found”): {listed}."
        )
    # A post the user may not open keeps its title and status to itself: only the link is named.
    unnamed = [linked.get_absolute_url() for linked in targets if not linked.openable]
    if unnamed:
        yield (
            f"Unlink or ask an editor about {', '.join(unnamed)}: "
            f"{'it leads to a page' if len(unnamed) == 1 else 'they lead to pages'} readers "
            "cannot see yet (they get “not found”)."
        )


def status_label(post) -> str:
    """Draft, In review, Scheduled or Published."""
    return "Scheduled" if post.is_scheduled else post.get_status_display()


# The editorial calendar.

_MONTH = re.compile(r"(\d{4})-(\d{2})")


def _month(value: str | None) -> date:
    """The first day of ?month=YYYY-MM, else of this month in the site's time zone."""
    match = _MONTH.fullmatch(value or "")
    if match and 1 <= int(match[2]) <= 12 and 1 < int(match[1]) < 9999:
        return date(int(match[1]), int(match[2]), 1)
    return timezone.localdate().replace(day=1)


def _shift(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day))


def calendar_view(request, model_admin):
    """A month's posts, day by day in the site's time zone; undated drafts last."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    month = _month(request.GET.get("month"))
    start, end = _midnight(month), _midnight(_shift(month, 1))
    posts = (
        model_admin.get_queryset(request)
        .filter(Q(published_at__gte=start, published_at__lt=end) | Q(published_at__isnull=True))
        .defer("body", "body_html", "excerpt", "excerpt_html", "front_matter")
        .prefetch_related(None)
        .prefetch_related("authors")
        .order_by("published_at", "pk")
    )
    opts = model_admin.model._meta
    change_url = f"{model_admin.admin_site.name}:{opts.app_label}_{opts.model_name}_change"
    days: dict[date, list[dict]] = {}
    undated = []
    for post in posts:
        entry = {
            "post": post,
            "url": reverse(change_url, args=[post.pk], current_app=model_admin.admin_site.name),
            "status": status_label(post),
            "authors": ", ".join(author.name for author in post.authors.all()),
        }
        if post.published_at is None:
            undated.append(entry)
        else:
            entry["when"] = timezone.localtime(post.published_at)
            days.setdefault(entry["when"].date(), []).append(entry)
    previous, following = _shift(month, -1), _shift(month, 1)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": opts,
        "title": f"Editorial calendar: {month:%B %Y}",
        "month": month,
        "days": sorted(days.items()),
        "undated": undated,
        "previous_month": f"{previous:%Y-%m}" if previous.year > 1 else None,
        "next_month": f"{following:%Y-%m}" if following.year < 9999 else None,
        "previous_label": f"{previous:%B %Y}",
        "next_label": f"{following:%B %Y}",
        "time_zone": timezone.get_current_timezone_name(),
        "changelist_url": reverse(
            f"{model_admin.admin_site.name}:{opts.app_label}_{opts.model_name}_changelist",
            current_app=model_admin.admin_site.name,
        ),
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "admin/posts/post/calendar.html", context)


# Tag suggestions for the tag field's autocomplete.


def tag_suggest_view(request, model_admin):
    """{"tags": [...]}: up to 10 existing tag names containing ?q=, case-insensitively, the ones
    starting with it first."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    query = request.GET.get("q", "").strip()
    if not query:
        return JsonResponse({"tags": []})
    tags = model_admin.model._meta.get_field("tags").remote_field.model
    names = (
        tags.objects.filter(name__icontains=query)
        .annotate(
            prefix=Case(
                When(name__istartswith=query, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("prefix", Lower("name"), "name")
        .values_list("name", flat=True)[:TAG_SUGGESTIONS]
    )
    return JsonResponse({"tags": list(names)})


def admin_urls(model_admin) -> list:
    """For `PostAdmin.get_urls()`, ahead of the admin's own (its catch-all would take them)."""
    site = model_admin.admin_site

    def calendar(request):
        return calendar_view(request, model_admin)

    def suggest(request):
        return tag_suggest_view(request, model_admin)

    return [
        path("calendar/", site.admin_view(calendar), name="posts_post_calendar"),
        path("tags/suggest/", site.admin_view(suggest), name="posts_post_tag_suggest"),
    ]
