"""Every post as a Jekyll site: Markdown (or HTML) with front matter, authors, sections, old
URLs.

The folder written is what `import_posts` reads: importing it into an empty database gives the
same posts and pages, and exporting those again gives the same bytes. It is written beside its
place and moved there whole, so an export that fails or is stopped never leaves half a site.
"""

import os
import shutil
import tempfile
from pathlib import Path

import yaml
from django.db.models import Prefetch

from posts.models import Author, Byline, Post, Redirect, Section, post_path
from posts.slugs import readable_slug

from .frontmatter import categories

# Text Jekyll's Liquid or kramdown would act on; a body holding any is exported with Liquid off.
_SYNTAX = ("{%", "{{")


def export(folder: Path) -> int:
    """The site written to `folder`, new or empty, in one step; gives the posts' count."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        # A folder made inside the private scratch one gets the usual permissions.
        site = scratch / "site"
        site.mkdir()
        count = write_site(site)
        # Renaming onto an empty folder replaces it in one step.
        os.replace(site, folder)
    finally:
        shutil.rmtree(scratch)
    return count


def write_site(folder: Path) -> int:
    """Every post, the authors and the config written under `folder`; gives the posts' count."""
    posts = (
        Post.objects.for_page()
        .prefetch_related(
            Prefetch("redirects", Redirect.objects.all()),
            Prefetch("bylines", Byline.objects.select_related("author")),
        )
        .order_by("pk")
    )
    count = 0
    for post in posts.iterator(chunk_size=500):
        path = folder / file_name(post)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(post_file(post), encoding="utf-8")
        count += 1
    write_yaml(folder / "_data" / "authors.yml", authors_data())
    write_yaml(folder / "_config.yml", site_config())
    return count


def file_name(post: Post) -> str:
    """`_posts/` (dated) or `_drafts/` (undated), or the section's collection folder; `.html`
    for a post written in HTML, as Jekyll reads one."""
    local = post.published_local
    suffix = ".html" if post.body_format == Post.BodyFormat.HTML else ".md"
    name = f"{local:%Y-%m-%d}-{post.slug}{suffix}" if local else f"{post.slug}{suffix}"
    if post.section:
        return f"_{post.section.slug}/{name}"
    return f"_posts/{name}" if local else f"_drafts/{name}"


def post_file(post: Post) -> str:
    """The post as Jekyll front matter and its body."""
    values = front_matter(post)
    return "---\n" + dump(values) + "---\n" + post.body


def front_matter(post: Post) -> dict:
    """Quire's fields under the keys Jekyll and its themes use, then every key kept on import."""
    values: dict = {"title": post.title}
    if post.published_local:
        values["date"] = (
            post.published_local
            if post.published_offset is not None
            else (post.published_at.replace(tzinfo=None))
        )
    authors = [byline_key(byline) for byline in post.bylines.all()]
    if len(authors) == 1:
        values["author"] = authors[0]
    elif authors:
        values["authors"] = authors
    for name in ("description", "excerpt"):
        if getattr(post, name):
            values[name] = getattr(post, name)
    if post.excerpt_separator != Post._meta.get_field("excerpt_separator").default:
        values["excerpt_separator"] = post.excerpt_separator
    kept_categories = set(categories(post.front_matter))
    tags = [tag.name for tag in post.tag_list if tag.name not in kept_categories]
    if tags:
        values["tags"] = tags
    image = featured_image(post)
    if image:
        values["image"] = image
    if post.status != Post.Status.PUBLISHED:
        values["published"] = False
    values["permalink"] = post_path(post.slug)
    old_urls = [redirect.old_path for redirect in post.redirects.all()]
    if old_urls:
        values["redirect_from"] = old_urls
    if any(syntax in post.body + post.excerpt for syntax in _SYNTAX):
        # Its Liquid-looking text is the post's own (code samples): keep it from being run.
        values["render_with_liquid"] = False
    values.update((key, value) for key, value in post.front_matter.items() if key != "image")
    if post.canonical_url:
        values["canonical_url"] = post.canonical_url
    return values


def byline_key(byline: Byline) -> str:
    """How the post names its author: by the name it spells where that leads back to the same
    author (an import finds authors by their names' slugs), else by the author's key."""
    spelled = byline.credited_as
    if spelled and readable_slug(spelled) == byline.author.slug:
        return spelled
    return byline.author.slug


def featured_image(post: Post) -> str | dict:
    """`image:` as a URL, or as keys when alt, caption or other kept image keys go with it."""
    kept = post.front_matter.get("image")
    details = {
        "alt": post.image_alt,
        "caption": post.image_caption,
        **(kept if isinstance(kept, dict) else {}),
    }
    details = {key: value for key, value in details.items() if value}
    if not post.image_url:
        return details
    return {"path": post.image_url, **details} if details else post.image_url


def authors_data() -> dict:
    """`_data/authors.yml`: each author's profile under the key posts name them by."""
    data = {}
    for author in Author.objects.order_by("slug"):
        profile = {"name": author.name}
        for name in ("bio", "affiliation"):
            if getattr(author, name):
                profile[name] = getattr(author, name)
        profile.update(author.links)
        data[author.slug] = profile
    return data


def site_config() -> dict:
    """Each section as a collection with its name, so an import gives the same sections."""
    collections = {}
    for section in Section.objects.order_by("slug"):
        meta = {"output": True, "title": section.name}
        if section.description:
            meta["description"] = section.description
        collections[section.slug] = meta
    return {"collections": collections} if collections else {}


def write_yaml(path: Path, data: dict):
    if data:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump(data), encoding="utf-8")


def dump(data: dict) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
