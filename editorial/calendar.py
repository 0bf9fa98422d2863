"""Planning help around the post form: the editorial calendar's month and the tag suggestions
behind the tag field's autocomplete (static/js/editor.js). PostAdmin serves both."""

import re
from datetime import date, datetime

from django.db.models import Case, IntegerField, Q, Value, When
from django.db.models.functions import Lower
from django.utils import timezone

from posts.listings import month_title

TAG_SUGGESTIONS = 10

_MONTH = re.compile(r"(\d{4})-(\d{2})")


def month_of(value: str | None) -> date:
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


def month_posts(posts, month: date):
    """The posts dated in `month` (site time zone) and the undated drafts, with what the
    calendar prints and nothing more."""
    start, end = _midnight(month), _midnight(_shift(month, 1))
    dated = Q(published_at__gte=start, published_at__lt=end)
    return (
        posts.filter(dated | Q(published_at__isnull=True))
        .defer("body", "body_html", "excerpt", "excerpt_html", "front_matter")
        .prefetch_related(None)
        .prefetch_related("authors")
        .order_by("published_at", "pk")
    )


def month_context(posts, month: date) -> dict:
    """The calendar page's month: `posts` (from month_posts()) day by day, undated ones last,
    each linked to its change page, and the neighbouring months."""
    days: dict[date, list[dict]] = {}
    undated = []
    for post in posts:
        entry = {
            "post": post,
            "url": post.get_admin_url(),
            "status": post.status_label,
            "authors": ", ".join(author.credited_name for author in post.authors.all()),
        }
        if post.published_at is None:
            undated.append(entry)
        else:
            entry["when"] = timezone.localtime(post.published_at)
            days.setdefault(entry["when"].date(), []).append(entry)
    previous, following = _shift(month, -1), _shift(month, 1)
    return {
        "title": f"Editorial calendar: {month_title(month)}",
        "month": month,
        "month_label": month_title(month),
        "days": sorted(days.items()),
        "undated": undated,
        "previous_month": f"{previous:%Y-%m}" if previous.year > 1 else None,
        "next_month": f"{following:%Y-%m}" if following.year < 9999 else None,
        "previous_label": month_title(previous),
        "next_label": month_title(following),
        "time_zone": timezone.get_current_timezone_name(),
    }


def tag_suggestions(tags, query: str) -> list[str]:
    """Up to 10 names of `tags` containing `query`, case-insensitively, the ones starting with
    it first."""
    if not query:
        return []
    names = (
        tags.filter(name__icontains=query)
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
    return list(names)
