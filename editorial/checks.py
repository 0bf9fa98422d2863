"""Content checks: what an editor should fix before publishing a post, one sentence each.

`checks(post, user)` lists them for the post form's read-only "Content check" field: the
description, the excerpt marker of a long body, alt text, empty sections, and links to posts
readers cannot see yet or that do not exist.
"""

import copy
import html
import re
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.http.request import split_domain_port, validate_host
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve

from posts import markup
from posts.middleware import old_url_variants
from posts.models import Post, Redirect, post_path

from . import roles

DESCRIPTION_LIMIT = markup.DESCRIPTION_LENGTH  # what search engines show
LONG_BODY_WORDS = 600  # a body this long wants an excerpt marker

# Any heading of sanitised HTML; only h2-h6 are checked for content, but an h1 also ends them.
_HEADING = re.compile(r"<h([1-6])\b[^>]*>(.*?)</h\1\s*>", re.IGNORECASE | re.DOTALL)
# markdown-it-footnote appends its notes after the text: they are not part of the last section.
_FOOTNOTES = re.compile(r'<hr class="footnotes-sep"\s*/?>', re.IGNORECASE)
_HREF = re.compile(r'<a\b[^>]*?\bhref="([^"]*)"', re.IGNORECASE)


def _quoted_list(items: list[str]) -> str:
    quoted = [f"“{item}”" for item in items]
    if len(quoted) == 1:
        return quoted[0]
    return ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _rendered(post):
    """The post with its body HTML: as stored, or rendered (without the DB) for a post whose
    HTML was never derived, such as an unsaved one."""
    if post.body_html or not post.body:
        return post
    rendered = copy.copy(post)  # never change the caller's object
    rendered.body_html, rendered.excerpt_html = markup.render_post(
        post.body, post.excerpt, post.excerpt_separator, post.body_format
    )
    return rendered


def checks(post, user) -> list[str]:
    """What to fix before publishing, one sentence each; [] when all is well. Other posts are
    named only to a `user` who may open them in the admin."""
    [found] = checks_of([post], user)
    return found


def checks_of(posts, user) -> list[list[str]]:
    """checks() of each post, in order, the posts they link to looked up once for them all:
    one query for the linked posts, and one more only if some do not exist."""
    rendered = [_rendered(post) for post in posts]
    links = [[s for s in linked_post_slugs(post.body_html) if s != post.slug] for post in rendered]
    every = {slug for slugs in links for slug in slugs}
    linked = _linked_posts(every, user)
    redirected = _redirected_slugs(every - linked.keys())
    found = []
    for post, slugs in zip(rendered, links, strict=True):
        sentences = [
            *_description_checks(post),
            *_excerpt_checks(post),
            *_image_checks(post),
            *_section_checks(post),
            *_linked_post_checks(slugs, linked, redirected, user),
        ]
        found.append([sentence for sentence in sentences if sentence])
    return found


def checks_html(post, user):
    """`checks()` as HTML for the admin's read-only "Content check" field."""
    found = checks(post, user)
    if not found:
        return "Nothing to fix."
    return render_to_string("admin/posts/post/content_check.html", {"checks": found})


def _description_checks(post):
    description = post.description.strip()
    if not description:
        yield "Write a description: search engines and link previews show it under the title."
    elif len(description) > DESCRIPTION_LIMIT:
        excess = len(description) - DESCRIPTION_LIMIT
        yield (
            f"Shorten the description by {markup.counted(excess, 'character')}: search engines "
            f"show about {DESCRIPTION_LIMIT} and cut the rest (it has {len(description)})."
        )


def _excerpt_checks(post):
    separator = post.excerpt_separator
    if post.excerpt.strip() or (separator and separator in post.body):
        return
    words = markup.word_count(post.body_html)
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
            f"Write alt text for {markup.counted(len(missing), 'image')} (readers who cannot see "
            f"them get nothing): {', '.join(missing)}."
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
        if not markup.plain_text(between) and "<img" not in between.lower():
            empty.append(markup.plain_text(heading[2]) or f"(untitled h{level})")
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


def _linked_posts(slugs, user) -> dict:
    """The posts of these slugs, by slug, each knowing whether readers and `user` may see it."""
    if not slugs:
        return {}
    linked = (
        Post.objects.filter(slug__in=slugs)
        .only("title", "slug", "status", "published_at")
        .annotate(
            public=Exists(Post.objects.published().filter(pk=OuterRef("pk"))),
            openable=Exists(roles.visible(user, Post.objects.filter(pk=OuterRef("pk")))),
        )
    )
    return {other.slug: other for other in linked}


def _redirected_slugs(slugs) -> set[str]:
    """The slugs of no post whose address an old URL still sends on (a renamed post's)."""
    if not slugs:
        return set()
    variants = {slug: old_url_variants(post_path(slug)) for slug in slugs}
    every = [variant for found in variants.values() for variant in found]
    redirected = set(Redirect.objects.filter(old_path__in=every).values_list("old_path", flat=True))
    return {slug for slug, found in variants.items() if not redirected.isdisjoint(found)}


def _linked_post_checks(slugs, linked, redirected, user):
    """Links to posts readers cannot see yet, and to posts that do not exist."""
    yield from _draft_link_checks(
        [linked[slug] for slug in slugs if slug in linked and not linked[slug].public], user
    )
    missing = [post_path(slug) for slug in slugs if slug not in linked and slug not in redirected]
    if missing:
        yield (
            f"Links to a post that does not exist: {', '.join(missing)} (readers get “not "
            f"found”; correct or remove {'the link' if len(missing) == 1 else 'the links'})."
        )


def _draft_link_checks(targets, user):
    """Linked posts readers cannot see yet, named only to a user who may open them."""
    named = [linked for linked in targets if linked.openable]
    if named:
        listed = "; ".join(
            f"“{linked.title}” ({linked.status_label}, {linked.get_absolute_url()})"
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
