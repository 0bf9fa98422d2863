"""Posts from Markdown files: validated as a batch, then written, each keyed by its source file.

Each file is read once: its bytes go to a spool file on disk while it is validated, and are
parsed again from there to be written, so what is stored is what was validated, and no more than
one post's text is held in memory at a time, whatever the size of the site.

The checks a file must pass, and the `Plan` each file becomes, are in `validation`.
"""

import re
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO

from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from editorial import revisions
from editorial.models import Revision
from posts.markup import counted
from posts.models import Author, Post, Redirect, Section, post_path
from posts.slugs import readable_slug
from search import index as search

from . import liquid
from .documents import FrontMatterError, read_bytes
from .frontmatter import ParsedPost
from .jekyll import Source, author_profile, find_sources
from .validation import (
    CHUNK,
    Plan,
    check_database,
    length_errors,
    model_errors,
    read,
    status,
)


@dataclass
class Batch:
    sources: list[Source]
    skipped: list[str] = field(default_factory=list)
    plans: list[Plan] = field(default_factory=list)
    # What Liquid's post_url and link resolve against: names and keys of the batch's posts.
    slugs_by_name: dict[str, str] = field(default_factory=dict)
    authors: dict[str, Author] = field(default_factory=dict)
    tags: dict[str, Tag] = field(default_factory=dict)
    sections: dict[str, Section] = field(default_factory=dict)
    new_authors: int = 0
    new_tags: int = 0
    pending: list = field(default_factory=list)  # rows for one bulk insert, see flush()
    spool: IO[bytes] = field(default_factory=tempfile.TemporaryFile)

    @classmethod
    def find(cls, paths: list[Path]) -> "Batch":
        sources, skipped = find_sources(paths)
        return cls(sources, skipped)

    def close(self):
        self.spool.close()

    # Validating

    def validate(self, on_file=lambda: None) -> list[str]:
        """Every file parsed and checked; the errors, each naming its file and line."""
        errors: list[FrontMatterError] = []
        owners: dict[str, Path] = {}  # slug, key or old URL -> the file that has it
        for source in self.sources:
            on_file()
            try:
                raw = read_bytes(source.path)
                post = read(source, raw)
                # Bylines come from the site's author data: a fault there is this file's too.
                for key in post.authors:
                    author_profile(source.site, key)
            except FrontMatterError as error:
                errors.append(error)
                continue
            try:
                # A post exported from Quire names its own URL as its permalink.
                own_url = post_path(post.slug)
                old_urls = [url for url in source.old_urls(post) if url != own_url]
            except ValueError as error:
                key, line = post.where("permalink")
                errors.append(FrontMatterError(source.path, line, f"{key}: {error}"))
                continue
            errors += model_errors(post) + length_errors(source, post, old_urls)
            claims = [("slug", post.slug, post.where("slug")[1]), ("source", source.key, None)]
            claims += [("old URL", url, post.where("permalink")[1]) for url in old_urls]
            for kind, value, line in claims:
                other = owners.setdefault(f"{kind} {value}", source.path)
                if other != source.path:
                    errors.append(
                        FrontMatterError(
                            source.path, line, f"the {kind} {value!r} is also that of {other}"
                        )
                    )
            plan = Plan(source, post.slug, old_urls, post.notes, status=status(post, source))
            plan.spooled = (self.spool.tell(), self.spool.write(raw))
            plan.scheduled = (
                plan.status == Post.Status.PUBLISHED and post.published_at > timezone.now()
            )
            self.plans.append(plan)
            self.name(plan)
        errors += check_database(self.plans)
        # A broken _config.yml is the same error for every file of its site: say it once.
        return list(dict.fromkeys(map(str, errors)))

    def name(self, plan: Plan):
        """Record the names Liquid's {% post_url %} and {% link %} may use for this post."""
        relative = plan.source.relative
        self.slugs_by_name[str(relative)] = plan.slug
        if plan.source.collection == "posts" and not plan.source.in_drafts:
            self.slugs_by_name[relative.stem] = plan.slug
            parts = relative.parts
            if "_posts" in parts:  # {% post_url 2024/2024-03-01-name %} for a post in a subfolder
                below = PurePosixPath(*parts[parts.index("_posts") + 1 :])
                self.slugs_by_name[str(below.with_suffix(""))] = plan.slug

    # Writing

    def write(self, on_file=lambda: None):
        """Each planned post created, updated or left alone; call inside a transaction."""
        # Bylines and tags are bulk-created, which no signal reports: index each post once, last.
        with search.deferred():
            self.write_each(on_file)

    def write_each(self, on_file):
        for plan in self.plans:
            on_file()
            start, size = plan.spooled
            self.spool.seek(start)
            post = read(plan.source, self.spool.read(size))
            body, body_notes = self.convert(plan.source, post, post.body, post.body_line)
            excerpt, excerpt_notes = self.convert(
                plan.source, post, post.excerpt, post.lines.get("excerpt")
            )
            plan.notes = plan.notes + body_notes + excerpt_notes
            if post.image_url and not post.image_url.startswith(("/", "http://", "https://")):
                site_path = plan.source.site.baseurl + "/" + post.image_url
                plan.notes.append(
                    f"image {post.image_url!r} is relative to the site: stored as {site_path!r}"
                )
                post.image_url = site_path
            fields = stored_fields(post, body, excerpt, plan)
            # A file outside any collection says nothing of sections: an editor's choice stays.
            if plan.source.collection != "posts":
                fields["section"] = self.section(plan.source)
            authors = list(dict.fromkeys(self.author(plan.source, key) for key in post.authors))
            tags = [self.tag(name) for name in dict.fromkeys(post.tags + post.categories)]
            plan.outcome = self.save(plan, fields, authors, tags)
            if len(self.pending) >= CHUNK:
                self.flush()
        self.flush()

    def convert(self, source: Source, post: ParsedPost, text: str, first_line: int | None):
        """Jekyll's Liquid and kramdown syntax turned into plain Markdown, with notes."""
        if not text:
            return text, []
        context = liquid.LiquidContext(
            site=source.site.config,
            page=post.front_matter,
            includes_dir=source.site.includes_dir,
            resolve_post_url=self.post_url,
            resolve_link=self.post_url,
            first_line=first_line or 1,
            liquid=post.liquid,
        )
        return liquid.convert(text, context)

    def post_url(self, name: str) -> str | None:
        """The Quire URL of a post named as Liquid names it, in this batch or imported before."""
        name = name.strip().strip("\"'")
        slug = self.slugs_by_name.get(name) or self.slugs_by_name.get(
            str(PurePosixPath(name).with_suffix(""))
        )
        if slug is None:
            stem = PurePosixPath(name).stem
            pattern = rf"(^|/){re.escape(stem)}\.[a-z]+$"
            found = Post.objects.filter(source__regex=pattern).first()
            slug = found.slug if found else None
        return reverse("posts:detail", kwargs={"slug": slug}) if slug else None

    def author(self, source: Source, key: str) -> Author:
        profile = author_profile(source.site, key)
        slug = profile.pop("slug")
        # A name of punctuation alone has no readable slug (saving gives it "author-N"): such
        # an author is known by name.
        known = {"slug": slug} if slug else {"name": profile["name"]}
        known_as = slug or profile["name"]
        if known_as not in self.authors:
            author = Author.objects.filter(**known).first()
            if author is None:
                author = Author(slug=slug, **profile)
                author.save()
                self.new_authors += 1
            elif len(profile) > 1 and any(getattr(author, k) != v for k, v in profile.items()):
                # Profiles from _data/authors.yml are the source; a plain name changes nothing.
                for name, value in profile.items():
                    setattr(author, name, value)
                author.save()
            self.authors[known_as] = author
        return self.authors[known_as]

    def tag(self, name: str) -> Tag:
        if name not in self.tags:
            tag = Tag.objects.filter(name=name).first()
            if tag is None:
                tag = Tag.objects.create(name=name)
                self.new_tags += 1
            self.tags[name] = tag
        return self.tags[name]

    def section(self, source: Source) -> Section | None:
        """A Jekyll collection becomes a section of the same name."""
        if source.collection == "posts":
            return None
        label = source.collection
        if label not in self.sections:
            meta = source.site.collections.get(label, {})
            name = str(meta.get("title") or label.replace("_", " ").replace("-", " ").title())
            section, _ = Section.objects.get_or_create(
                slug=readable_slug(label),
                defaults={"name": name, "description": str(meta.get("description") or "")},
            )
            self.sections[label] = section
        return self.sections[label]

    def save(self, plan: Plan, fields: dict, authors: list[Author], tags: list[Tag]) -> str:
        """Create the post, or bring the one from this source up to date; say which."""
        if plan.post_id is None:
            post = Post(source=plan.source.key, **fields)
            post.save()
            outcome = "created"
        else:
            post = Post.objects.select_related("section").get(pk=plan.post_id)
            known = (
                [author.pk for author in post.authors.all()],
                {tag.pk for tag in post.tags.all()},
                set(post.redirects.values_list("old_path", flat=True)),
            )
            wanted = ([a.pk for a in authors], {tag.pk for tag in tags}, set(plan.old_urls))
            same_fields = all(getattr(post, name) == value for name, value in fields.items())
            if same_fields and known[:2] == wanted[:2] and wanted[2] <= known[2]:
                return "unchanged"
            revisions.keep_before_change(post)
            for name, value in fields.items():
                setattr(post, name, value)
            post.save()
            post.tags.clear()
            outcome = "updated"
        post.set_authors(authors)
        self.pending += [Post.tags.through(tag=tag, content_object=post) for tag in tags]
        if outcome == "updated":
            # A new post's history starts at its first change (see keep_before_change).
            self.pending.append(self.revision(plan, post, authors, tags))
        for url in plan.old_urls:
            owner = plan.taken_urls.get(url)
            if owner is None:
                self.pending.append(Redirect(old_path=url, post=post))
            elif owner != post.pk:
                plan.notes.append(f"the old URL {url} led to another post; it now leads here")
                Redirect.objects.filter(old_path=url).update(post=post)
        return outcome

    def revision(self, plan, post, authors, tags) -> Revision:
        """The post as this import left it, as the next revision of its history."""
        latest = post.revisions.aggregate(n=Max("number"))["n"] or 0
        return Revision(
            post=post,
            number=latest + 1,
            note=f"Imported from {plan.source.key}"[:200],
            data=revisions.snapshot(post, authors=authors, tags=tags),
        )

    def flush(self):
        """Insert the tags, old URLs and revisions of the posts written since the last flush.

        One insert per kind for many posts: taggit's add() alone would cost a get_or_create
        per tag.
        """
        for model in (Post.tags.through, Redirect, Revision):
            model.objects.bulk_create(row for row in self.pending if type(row) is model)
        self.pending.clear()

    def summary(self) -> str:
        outcomes = Counter(plan.outcome for plan in self.plans)
        drafts = sum(plan.status == Post.Status.DRAFT for plan in self.plans)
        scheduled = sum(plan.scheduled for plan in self.plans)
        redirects = sum(len(plan.old_urls) for plan in self.plans)
        return (
            f"{outcomes['created']} created, {outcomes['updated']} updated, "
            f"{outcomes['unchanged']} unchanged; {counted(drafts, 'draft')}, "
            f"{scheduled} scheduled; {counted(redirects, 'old URL')} redirected; "
            f"{counted(len(self.authors), 'author')} ({self.new_authors} new), "
            f"{counted(len(self.tags), 'tag')} ({self.new_tags} new)"
        )


def stored_fields(post: ParsedPost, body: str, excerpt: str, plan: Plan) -> dict:
    """The Post fields an import sets from a file."""
    return {
        "title": post.title,
        "slug": post.slug,
        "description": post.description,
        "body": body,
        "excerpt": excerpt,
        "excerpt_separator": post.excerpt_separator,
        "status": plan.status,
        "published_at": post.published_at,
        "published_offset": post.published_offset,
        "external_image": post.image_url,
        "image_alt": post.image_alt,
        "image_caption": post.image_caption,
        "canonical_url": post.canonical_url,
        "front_matter": post.extra,
    }
