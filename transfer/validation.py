"""What makes a file importable, found before anything is written: the model's own limits,
reported at the file's lines; a path and old URLs that fit where they are kept; and a slug no
post from another file (or written in Quire) already holds.

Each file checked becomes a `Plan`, which `importer.Batch` writes once every file has passed.
"""

from dataclasses import dataclass, field
from functools import lru_cache

from django.core.exceptions import ValidationError
from taggit.models import Tag

from posts.models import Author, Post, Redirect
from posts.slugs import readable_slug

from .documents import FrontMatterError
from .frontmatter import ParsedPost, parse
from .jekyll import Source

# The ParsedPost attribute behind each Post field, where the names differ.
_ATTRIBUTE_OF = {"external_image": "image_url"}
# How many files one query checks against the database, and how many posts one insert is for:
# the posts of two chunks are in memory while a batch is written.
CHUNK = 100


@dataclass
class Plan:
    """What validating one file found, kept until it is written."""

    source: Source
    slug: str
    old_urls: list[str]
    notes: list[str]
    status: str = Post.Status.DRAFT
    scheduled: bool = False
    post_id: int | None = None  # the post this file made in an earlier import
    taken_urls: dict[str, int] = field(default_factory=dict)  # old URL -> post it leads to now
    outcome: str = ""  # created, updated or unchanged, once written
    bylines: list[str] = field(default_factory=list)  # the authors' keys, in byline order
    tags: list[str] = field(default_factory=list)  # tag names, categories included
    spooled: tuple[int, int] = (0, 0)  # where the post as validated sits in the spool


def read(source: Source, raw: bytes) -> ParsedPost:
    """The file as its site reads it: with the site's front-matter defaults and time zone."""
    return parse(source.path, raw, defaults=source.defaults(), zone=source.site.zone)


def status(post: ParsedPost, source: Source) -> str:
    """Published, unless a draft (in `_drafts` or `published: false`) or without a date."""
    if post.draft or source.in_drafts or post.published_at is None:
        return Post.Status.DRAFT
    return Post.Status.PUBLISHED


def check_database(batch: list[Plan]) -> list[FrontMatterError]:
    """Find the posts earlier imports made from these files and the old URLs already
    recorded, and refuse a slug used by a post from another source (or written in Quire):
    a re-import updates the post its file made, and no other."""
    errors = []
    for start in range(0, len(batch), CHUNK):
        plans = batch[start : start + CHUNK]
        by_key = {plan.source.key: plan for plan in plans}
        for key, pk in Post.objects.filter(source__in=by_key).values_list("source", "pk"):
            by_key[key].post_id = pk
        by_url = {url: plan for plan in plans for url in plan.old_urls}
        for url, pk in Redirect.objects.filter(old_path__in=by_url).values_list("old_path", "post"):
            by_url[url].taken_urls[url] = pk
        by_slug = {plan.slug: plan for plan in plans}
        taken = Post.objects.filter(slug__in=by_slug).values_list("slug", "title", "source")
        for slug, title, source in taken:
            plan = by_slug[slug]
            if source != plan.source.key:
                origin = f"imported from {source}" if source else "written in Quire"
                errors.append(
                    FrontMatterError(
                        plan.source.path,
                        None,
                        f"the slug {slug!r} is taken by the post {title!r} ({origin}); "
                        "give this file another slug:",
                    )
                )
    return errors


def model_errors(post: ParsedPost) -> list[FrontMatterError]:
    """The model's own limits (lengths, URLs, slugs), each reported at its front-matter line."""
    errors = []
    image = post.image_url
    candidate = Post(
        slug=post.slug,
        title=post.title,
        description=post.description,
        excerpt_separator=post.excerpt_separator,
        external_image=image if image.startswith(("/", "http://", "https://")) else "/" + image,
        image_alt=post.image_alt,
        image_caption=post.image_caption,
        canonical_url=post.canonical_url,
    )
    for field_name, messages in field_errors(candidate).items():
        key, line = post.where(_ATTRIBUTE_OF.get(field_name, field_name))
        errors += [FrontMatterError(post.path, line, f"{key}: {message}") for message in messages]
    key, line = post.where("authors")
    for name in post.authors:
        errors += [
            FrontMatterError(post.path, line, f"{key}: {name!r}: {field_name}: {message}")
            for field_name, message in author_errors(name)
        ]
    longest = Tag._meta.get_field("name").max_length
    for attribute in ("tags", "categories"):
        key, line = post.where(attribute)
        errors += [
            FrontMatterError(post.path, line, f"{key}: {name!r} is over {longest} characters")
            for name in getattr(post, attribute)
            if len(name) > longest
        ]
    return errors


@lru_cache(maxsize=4096)
def author_errors(name: str) -> tuple[tuple[str, str], ...]:
    """The model's limits on an author of that name: the same in every post that names it."""
    author = Author(name=name, slug=readable_slug(name) or "author")
    return tuple(
        (field_name, message)
        for field_name, messages in field_errors(author).items()
        for message in messages
    )


def length_errors(source: Source, post: ParsedPost, old_urls: list[str]) -> list[FrontMatterError]:
    """The file's path and its old URLs must fit where they are kept."""
    errors = []
    longest_key = Post._meta.get_field("source").max_length
    if len(source.key) > longest_key:
        message = f"the path {source.key!r} is over {longest_key} characters"
        errors.append(FrontMatterError(source.path, None, message))
    longest_url = Redirect._meta.get_field("old_path").max_length
    line = post.where("redirect_from")[1] or post.where("permalink")[1]
    errors += [
        FrontMatterError(
            source.path, line, f"the old URL {url[:60]}… is over {longest_url} characters"
        )
        for url in old_urls
        if len(url) > longest_url
    ]
    return errors


def field_errors(instance) -> dict[str, list[str]]:
    # Uniqueness is checked against the batch and the database separately.
    try:
        instance.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        return error.message_dict
    return {}
