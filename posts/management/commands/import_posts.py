"""Import Markdown files with front matter: everything is validated first, then written at once."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.text import slugify
from taggit.models import Tag

from posts.frontmatter import FrontMatterError, ParsedPost, parse
from posts.models import Author, Post

MARKDOWN_SUFFIXES = {".md", ".markdown"}
# The ParsedPost attribute behind each Post field, where the names differ.
_ATTRIBUTE_OF = {"external_image": "image_url"}


class Command(BaseCommand):
    help = (
        "Import Markdown files with front matter (files, or folders searched for *.md and "
        "*.markdown). All files are validated first; nothing is written unless all are valid."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
        parser.add_argument(
            "--dry-run", action="store_true", help="Validate and report without writing."
        )

    def handle(self, *args, paths, dry_run, **options):
        posts = validate(markdown_files(paths))
        if dry_run:
            created = would_create(posts)
        else:
            with transaction.atomic():
                created = [write(post) for post in posts]
        for post, is_new in zip(posts, created, strict=True):
            verb = "created" if is_new else "updated"
            self.stdout.write(f"{'would be ' if dry_run else ''}{verb} {post.slug} ({post.path})")
            for note in post.notes:
                self.stdout.write(f"  note: {note}")
        drafts = sum(status(post) == Post.Status.DRAFT for post in posts)
        summary = f"{sum(created)} created, {len(created) - sum(created)} updated, {drafts} drafts"
        if dry_run:
            summary = f"Dry run, nothing was written; it would be: {summary}"
        self.stdout.write(summary)


def markdown_files(paths: list[Path]) -> list[Path]:
    """Files as given, and the Markdown files under folders, sorted; each file once."""
    files = {}
    for path in paths:
        if path.is_dir():
            found = sorted(
                file
                for file in path.rglob("*")
                if file.suffix.lower() in MARKDOWN_SUFFIXES and file.is_file()
            )
        elif path.exists():
            found = [path]
        else:
            raise CommandError(f"{path}: no such file or folder")
        files.update((file.resolve(), file) for file in found)
    if not files:
        raise CommandError("no .md or .markdown files found in " + ", ".join(map(str, paths)))
    return list(files.values())


def validate(files: list[Path]) -> list[ParsedPost]:
    """Every file parsed and checked against the model; one error anywhere stops the whole batch."""
    posts, errors, owners = [], [], {}
    for file in files:
        try:
            post = parse(file)
        except FrontMatterError as error:
            errors.append(error)
            continue
        errors += model_errors(post)
        if post.slug in owners:
            errors.append(
                FrontMatterError(
                    post.path,
                    post.where("slug")[1],
                    f"the slug {post.slug!r} is also the slug of {owners[post.slug]}",
                )
            )
        owners.setdefault(post.slug, post.path)
        posts.append(post)
    if errors:
        raise CommandError(
            f"{len(errors)} error(s); nothing was written:\n" + "\n".join(map(str, errors))
        )
    return posts


def would_create(posts: list[ParsedPost]) -> list[bool]:
    """For each post, whether an import would create it (True) or update it (False)."""
    slugs = [post.slug for post in posts]
    existing = set(Post.objects.filter(slug__in=slugs).values_list("slug", flat=True))
    return [slug not in existing for slug in slugs]


def model_errors(post: ParsedPost) -> list[FrontMatterError]:
    """The model's own limits (lengths, URLs, slugs), each reported at its front-matter line."""
    errors = []
    candidate = Post(slug=post.slug, **stored_fields(post))
    for field, messages in field_errors(candidate).items():
        key, line = post.where(_ATTRIBUTE_OF.get(field, field))
        errors += [FrontMatterError(post.path, line, f"{key}: {message}") for message in messages]
    key, line = post.where("authors")
    for name in post.authors:
        for field, messages in field_errors(author_for(name)).items():
            errors += [
                FrontMatterError(post.path, line, f"{key}: {name!r}: {field}: {message}")
                for message in messages
            ]
    key, line = post.where("tags")
    longest = Tag._meta.get_field("name").max_length
    errors += [
        FrontMatterError(post.path, line, f"{key}: {name!r} is over {longest} characters")
        for name in post.tags
        if len(name) > longest
    ]
    return errors


def field_errors(instance) -> dict[str, list[str]]:
    # Uniqueness is not an error here: an existing slug is updated, not duplicated.
    try:
        instance.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        return error.message_dict
    return {}


def author_for(name: str) -> Author:
    return Author(name=name, slug=slugify(name, allow_unicode=True))


def status(post: ParsedPost) -> str:
    """Published, unless `published: false` or there is no date to publish it at."""
    if post.draft or post.published_at is None:
        return Post.Status.DRAFT
    return Post.Status.PUBLISHED


def stored_fields(post: ParsedPost) -> dict:
    """The Post fields an import sets, all but the slug it is found by."""
    return {
        "title": post.title,
        "description": post.description,
        "body": post.body,
        "excerpt": post.excerpt,
        "excerpt_separator": post.excerpt_separator,
        "status": status(post),
        "published_at": post.published_at,
        "published_offset": post.published_offset,
        "external_image": post.image_url,
        "image_alt": post.image_alt,
        "image_caption": post.image_caption,
        "front_matter": post.extra,
    }


def write(post: ParsedPost) -> bool:
    """Create or update the post by slug, with its byline in the file's order; True if created."""
    stored, created = Post.objects.update_or_create(slug=post.slug, defaults=stored_fields(post))
    # `authors.set()` would keep old rows in their old places; `add()` appends in order.
    stored.bylines.all().delete()
    for name in post.authors:
        candidate = author_for(name)
        author, _ = Author.objects.get_or_create(slug=candidate.slug, defaults={"name": name})
        stored.authors.add(author)
    stored.tags.set(post.tags)
    return created
