"""What makes a file importable, found before anything is written: the model's own limits,
reported at the file's lines, and a path and old URLs that fit where they are kept. What Jekyll
would build despite a clash is adjusted as Jekyll adjusts it, and noted: a slug another post
holds is numbered, and an old URL two files share leads where the old site's did.

Each file checked becomes a `Plan`, which `importer.Batch` writes once every file has passed.
"""

import itertools
import operator
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache, reduce

from django.core.exceptions import ValidationError
from django.db.models import Q
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
SLUG_LENGTH = Post._meta.get_field("slug").max_length
_NUMBERED = re.compile(r".*-(?P<number>\d+)")


@dataclass
class Plan:
    """What validating one file found, kept until it is written."""

    source: Source
    slug: str
    old_urls: list[str]
    notes: list[str]
    status: str = Post.Status.DRAFT
    scheduled: bool = False
    slug_line: int | None = None  # the front-matter line the slug came from, if any
    published_at: datetime | None = None
    rolled_over: bool = False  # the file's date does not exist: it was read as Ruby reads it
    post_id: int | None = None  # the post this file made in an earlier import
    stored_slug: str = ""  # that post's slug
    slug_holder: str = ""  # the post of another source that has the slug wanted, described
    disambiguated: bool = False  # the slug was numbered: another post had it
    # Old URL -> what it leads to now: a post's id, or the path of a feed or listing page.
    taken_urls: dict[str, int | str] = field(default_factory=dict)
    outcome: str = ""  # created, updated or unchanged, once written
    bylines: list[str] = field(default_factory=list)  # the authors' keys, in byline order
    tags: list[str] = field(default_factory=list)  # tag names, categories included
    spooled: tuple[int, int] = (0, 0)  # where the post as validated sits in the spool


def read(source: Source, raw: bytes) -> ParsedPost:
    """The file as its site reads it: with the site's front-matter defaults and time zone, and
    a collection's document without a date dated by its file's last change (Jekyll dates it
    by the build, which a re-import cannot repeat)."""
    undated_at = None
    if source.collection != "posts" and not source.in_drafts:
        changed = source.path.stat().st_mtime
        undated_at = datetime.fromtimestamp(int(changed), UTC)
    return parse(
        source.path, raw, defaults=source.defaults(), zone=source.site.zone, undated_at=undated_at
    )


def status(post: ParsedPost, source: Source) -> str:
    """Published, unless a draft (in `_drafts`, `published: false`, or a file Jekyll would not
    build) or without a date."""
    if post.draft or source.in_drafts or source.unbuilt or post.published_at is None:
        return Post.Status.DRAFT
    return Post.Status.PUBLISHED


def share_old_urls(plans: list[Plan]):
    """An old URL of several files leads to the post of the one Jekyll wrote last, which is
    what the old site served there (Jekyll warns "destination shared by multiple files" and
    builds); each file is told of the others."""
    claims = defaultdict(list)
    for plan in sorted(plans, key=written_order):
        for url in plan.old_urls:
            claims[url].append(plan)
    for url, (*earlier, last) in claims.items():
        for plan in earlier:
            plan.old_urls.remove(url)
            plan.notes.append(
                f"the old URL {url} is also that of {last.source.path}, which Jekyll wrote after "
                "this file: it leads to that post, as on the old site"
            )
        if earlier:
            others = ", ".join(str(plan.source.path) for plan in earlier)
            last.notes.append(
                f"the old URL {url} is also that of {others}: it leads here, as on the old site "
                "(Jekyll wrote this file last)"
            )


def written_order(plan: Plan) -> tuple:
    """When Jekyll's build writes the file: the posts first, then each collection in the order
    `_config.yml` lists them, each by date (undated last), then path."""
    source = plan.source
    labels = ["posts", *source.site.collections]
    date = plan.published_at
    earliest = datetime.min.replace(tzinfo=UTC)
    return (labels.index(source.collection), date is None, date or earliest, source.key)


def check_database(batch: list[Plan]):
    """Find the posts earlier imports made from these files, the old URLs already recorded, and
    the posts of other sources (or written in Quire) that hold the slugs wanted: a re-import
    updates the post its file made, and no other."""
    for start in range(0, len(batch), CHUNK):
        plans = batch[start : start + CHUNK]
        by_key = {plan.source.key: plan for plan in plans}
        stored = Post.objects.filter(source__in=by_key).values_list("source", "pk", "slug")
        for key, pk, slug in stored:
            plan = by_key[key]
            plan.post_id, plan.stored_slug = pk, slug
        by_url = {url: plan for plan in plans for url in plan.old_urls}
        taken = Redirect.objects.filter(old_path__in=by_url)
        for url, pk, target in taken.values_list("old_path", "post", "target"):
            by_url[url].taken_urls[url] = pk or target
        by_slug = defaultdict(list)
        for plan in plans:
            by_slug[plan.slug].append(plan)
        holders = Post.objects.filter(slug__in=by_slug).values_list("slug", "title", "source")
        for slug, title, source in holders:
            origin = f"imported from {source}" if source else "written in Quire"
            for plan in by_slug[slug]:
                if source != plan.source.key:
                    plan.slug_holder = f"the post {title!r} ({origin})"


def assign_slugs(plans: list[Plan]):
    """Each file's post gets the slug it asks for unless another post has it: a post of another
    source (or written in Quire), or the post of a file before it in sorted order (a post
    keeping the slug it has goes first). Then it gets the first of slug-2, slug-3… that no
    post has and no file asks for, as Wagtail and Ghost number a slug that is taken (or the
    numbered slug an earlier import gave it, while the slug it asks for is still taken); its old
    URLs stay its own."""
    owners = {plan.slug: plan for plan in plans if plan.slug == plan.stored_slug}
    clashes = []
    for plan in sorted(plans, key=lambda plan: plan.source.key):
        if plan.slug == plan.stored_slug:
            continue
        if plan.slug_holder:
            clashes.append((plan, f"taken by {plan.slug_holder}"))
        elif plan.slug in owners:
            clashes.append((plan, f"also that of {owners[plan.slug].source.path}"))
        else:
            owners[plan.slug] = plan
    if not clashes:
        return
    taken = set(owners) | slugs_like({plan.slug for plan, _ in clashes})
    for plan, holder in clashes:
        if renumbered(plan.stored_slug, plan.slug):
            slug = plan.stored_slug  # numbered by an earlier import of this file: kept
        else:
            candidates = (numbered(plan.slug, number) for number in itertools.count(2))
            slug = next(candidate for candidate in candidates if candidate not in taken)
        taken.add(slug)
        line = f"line {plan.slug_line}: " if plan.slug_line else ""
        plan.notes.append(
            f"{line}the slug {plan.slug!r} is {holder}: this post is /posts/{slug}/, and its old "
            "URLs lead to it"
        )
        plan.slug, plan.disambiguated = slug, True


def numbered(slug: str, number: int) -> str:
    """The slug with a number, cut to fit the slug's length."""
    suffix = f"-{number}"
    return slug[: SLUG_LENGTH - len(suffix)] + suffix


def renumbered(slug: str, wanted: str) -> bool:
    """Whether `slug` is the one wanted or one assign_slugs() numbers from it."""
    match = _NUMBERED.fullmatch(slug)
    return slug == wanted or bool(
        match and int(match["number"]) >= 2 and numbered(wanted, int(match["number"])) == slug
    )


def slugs_like(slugs: set[str]) -> set[str]:
    """The stored slugs any numbered form of these slugs could clash with, a query per chunk."""
    # Every numbered form begins with this much of its slug (numbers stay under nine digits).
    heads = sorted({slug[: SLUG_LENGTH - 10] for slug in slugs})
    found = set()
    for start in range(0, len(heads), CHUNK):
        like = reduce(
            operator.or_, (Q(slug__startswith=head) for head in heads[start : start + CHUNK])
        )
        found.update(Post.objects.filter(like).values_list("slug", flat=True))
    return found


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
