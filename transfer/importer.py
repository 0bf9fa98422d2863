"""Posts from Markdown files: validated as a batch, then written, each keyed by its source file.

Each file is read and parsed once: the post it became waits in a spool file on disk between
validating and writing, so what is stored is what was validated, and memory holds the text of
two chunks of posts at most (one being written, the next being rendered), whatever the size of
the site.

Writing costs a fixed number of queries per chunk of new posts: the authors and tags a batch
names, and the posts it may update, are read a chunk at a time, and new posts, their bylines,
tags, old URLs and search index rows inserted likewise. A post an import updates is saved on
its own, as the admin saves it.

The checks a file must pass, and the `Plan` each file becomes, are in `validation`. Once the
posts are written, the old site's feeds and listing pages lead to Quire's (see `oldsite`).
"""

import pickle
import re
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import IO

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Max
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag, TaggedItem

from editorial import revisions
from editorial.models import Revision
from pagecache import purging
from posts import markup
from posts.markup import counted
from posts.models import Author, Post, Redirect, Section, post_path
from posts.slugs import readable_slug
from search import index as search

from . import liquid, oldsite, people, rendering
from .documents import FrontMatterError, read_bytes
from .frontmatter import ParsedPost
from .jekyll import Site, Source, author_profile, find_sources
from .validation import (
    CHUNK,
    Plan,
    assign_slugs,
    check_database,
    length_errors,
    model_errors,
    read,
    share_old_urls,
    status,
)

# A byline entry: the author, and the name as the post spells it where the author's own differs.
Entry = tuple[Author, str]


@dataclass
class Batch:
    sources: list[Source]
    skipped: list[str] = field(default_factory=list)
    plans: list[Plan] = field(default_factory=list)
    # What Liquid's post_url and link resolve against: names and keys of the batch's posts.
    slugs_by_name: dict[str, str] = field(default_factory=dict)
    authors: dict[str, Author] = field(default_factory=dict)
    stored_authors: dict[str, Author] = field(default_factory=dict)  # by slug, see look_up()
    # The profile each author is made from, with its site, by slug (or name), see look_up().
    profiles: dict[str, tuple[Site, dict]] = field(default_factory=dict)
    # Author -> each other spelling posts credit it with -> the files that spell it so.
    spellings: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(list)))
    tags: dict[str, Tag] = field(default_factory=dict)  # by name in lower case, see tag()
    sections: dict[str, Section] = field(default_factory=dict)
    new_authors: int = 0
    new_tags: int = 0
    # The old site's feeds and listing pages: (old path, target, why, whether it leads there).
    site_redirects: list[tuple[str, str, str, bool]] = field(default_factory=list)
    pending: list = field(default_factory=list)  # rows for one bulk insert, see flush()
    # A dry run stores no avatar: a file written to storage outlives the rollback.
    dry_run: bool = False
    spool: IO[bytes] = field(default_factory=tempfile.TemporaryFile)

    @classmethod
    def find(cls, paths: list[Path], old_baseurl: str | None = None) -> "Batch":
        sources, skipped = find_sources(paths, old_baseurl=old_baseurl)
        return cls(sources, skipped)

    def close(self):
        self.spool.close()

    @cached_property
    def sites(self) -> list[Site]:
        return list(dict.fromkeys(source.site for source in self.sources))

    @cached_property
    def post_type(self) -> ContentType:
        return ContentType.objects.get_for_model(Post)

    # Validating

    def validate(self, on_file=lambda: None) -> list[str]:
        """Every file parsed and checked; the errors, each naming its file and line. Without
        errors, the slugs and old URLs files share are settled as Jekyll would settle them."""
        errors: list[FrontMatterError] = []
        keys: dict[str, Path] = {}  # source key -> the file that has it
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
            # A re-import finds a file's post by its key: two files cannot share one.
            other = keys.setdefault(source.key, source.path)
            if other != source.path:
                message = f"the source {source.key!r} is also that of {other}"
                errors.append(FrontMatterError(source.path, None, message))
            self.plans.append(self.plan(source, post, old_urls))
        if not errors:
            share_old_urls(self.plans)
            check_database(self.plans)
            assign_slugs(self.plans)
            for plan in self.plans:
                self.name(plan)
        # A broken _config.yml is the same error for every file of its site: say it once.
        return list(dict.fromkeys(map(str, errors)))

    def plan(self, source: Source, post: ParsedPost, old_urls: list[str]) -> Plan:
        """What writing the file's post will take; the post waits in the spool."""
        plan = Plan(source, post.slug, old_urls, post.notes, status=status(post, source))
        if source.unbuilt:
            plan.notes.append(f"imported as a draft: {source.unbuilt}")
        plan.slug_line = post.where("slug")[1]
        plan.published_at, plan.rolled_over = post.published_at, post.rolled_over
        plan.bylines = post.authors
        plan.tags = list(dict.fromkeys(post.tags + post.categories))
        plan.spooled = (self.spool.tell(), self.spool.write(pickle.dumps(post)))
        plan.scheduled = plan.status == Post.Status.PUBLISHED and post.published_at > timezone.now()
        return plan

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
        # Tags are bulk-created, which no signal reports: each post is indexed once, after them.
        # The page cache is purged once, for every key the batch's writes named.
        with purging.batch(), search.deferred():
            compress_quickly()
            self.look_up()
            self.write_each(on_file)
            self.redirect_old_site()

    def look_up(self):
        """The profile each of the batch's authors is made from, and the authors (by slug) and
        tags that exist already, a few queries in all.

        A profile from the site's author data names its author; a name alone only spells it,
        and the first spelling names a new author that no data describes.
        """
        for plan in self.plans:
            for key in plan.bylines:
                profile = named_profile(plan.source.site, key)
                known_as = profile["slug"] or profile["name"]
                held = self.profiles.get(known_as)
                if held is None or (is_plain(held[1]) and not is_plain(profile)):
                    self.profiles[known_as] = (plan.source.site, profile)
        slugs = {profile["slug"] for _, profile in self.profiles.values()}
        slugs.discard("")
        values = sorted(slugs)
        for start in range(0, len(values), CHUNK):
            for author in Author.objects.filter(slug__in=values[start : start + CHUNK]):
                self.stored_authors[author.slug] = author
        # Tags are one per name whatever its case (TAGGIT_CASE_INSENSITIVE), as in the admin.
        keys = sorted({name.lower() for plan in self.plans for name in plan.tags})
        for start in range(0, len(keys), CHUNK):
            tags = Tag.objects.annotate(key=Lower("name")).filter(
                key__in=keys[start : start + CHUNK]
            )
            for tag in tags.order_by("pk"):
                self.tags.setdefault(tag.key, tag)

    def write_each(self, on_file):
        new_posts = sum(plan.post_id is None for plan in self.plans)
        with rendering.Ahead(new_posts) as ahead:
            for chunk, converted, renderings in self.read_ahead(ahead):
                with markup.rendered_ahead(renderings()):
                    self.write_chunk(chunk, converted, on_file)
                # The database indexes this chunk while the next one is rendered.
                search.write_noted()

    def read_ahead(self, ahead: rendering.Ahead):
        """Each chunk of plans with its posts converted, the rendering of its new posts started
        a chunk ahead of its writing."""
        started = None
        for start in range(0, len(self.plans), CHUNK):
            chunk = self.plans[start : start + CHUNK]
            converted = [self.converted(plan) for plan in chunk]
            sources = [
                (
                    fields["body"],
                    fields["excerpt"],
                    fields["excerpt_separator"],
                    fields["body_format"],
                )
                for plan, (fields, _, _) in zip(chunk, converted, strict=True)
                if plan.post_id is None
            ]
            if started is not None:
                yield started
            started = chunk, converted, ahead.start(sources)
        if started is not None:
            yield started

    def write_chunk(self, chunk: list[Plan], converted: list, on_file):
        stored = self.stored(chunk)
        new = []
        for plan, (fields, authors, tags) in zip(chunk, converted, strict=True):
            on_file()
            post = stored.get(plan.post_id)
            if post is None:
                new.append((plan, Post(source=plan.source.key, **fields), authors, tags))
            else:
                plan.outcome = self.update(plan, fields, authors, tags, post)
        self.create(new)
        self.flush()

    def stored(self, plans: list[Plan]) -> dict[int, Post]:
        """The posts earlier imports made from these files, with what a re-import compares."""
        ids = [plan.post_id for plan in plans if plan.post_id is not None]
        if not ids:
            return {}
        posts = Post.objects.select_related("section").only("pk", "section", *STORED_FIELDS)
        return posts.prefetch_related("bylines", "tags", "redirects").in_bulk(ids)

    def converted(self, plan: Plan) -> tuple[dict, list[Entry], list[Tag]]:
        """One file's post as its fields, byline and tags, its Jekyll syntax converted."""
        start, size = plan.spooled
        self.spool.seek(start)
        # Only this batch wrote the spool, and only what validate() parsed.
        post: ParsedPost = pickle.loads(self.spool.read(size))
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
        if post.dated_by_file and plan.post_id is not None:
            # A checkout changes the file's date, not the post's: the first import's stands.
            del fields["published_at"], fields["published_offset"]
        # A file outside any collection says nothing of sections: an editor's choice stays.
        if plan.source.collection != "posts":
            fields["section"] = self.section(plan.source)
        # "NATO" and "nato" in one post are one tag, given once.
        tags = list({tag.pk: tag for tag in map(self.tag, post.tags + post.categories)}.values())
        return fields, self.byline(plan, post.authors), tags

    def convert(self, source: Source, post: ParsedPost, text: str, first_line: int | None):
        """Jekyll's Liquid and kramdown syntax turned into plain Markdown, with notes."""
        if not text:
            return text, []
        context = liquid.LiquidContext(
            site=source.site.config,
            page={**source.defaults(), **post.front_matter},
            includes_dir=source.site.includes_dir,
            data=source.site.data,
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

    def byline(self, plan: Plan, keys: list[str]) -> list[Entry]:
        """Each author the keys name, once and in order, with the name as this post spells it
        where the author's own differs (`Daniel R DePetris` for `Daniel R. DePetris`, whose slug
        is the same): the post keeps its spelling."""
        entries: dict[Author, str] = {}
        for key in keys:
            profile = author_profile(plan.source.site, key)
            author = self.author(profile["slug"] or profile["name"])
            if author not in entries:
                entries[author] = "" if profile["name"] == author.name else profile["name"]
                if entries[author]:
                    self.spellings[author][entries[author]].append(plan.source.path)
        return list(entries.items())

    def author(self, known_as: str) -> Author:
        """The author known by that slug (or name), made or brought up to date from its profile
        the first time the batch names it."""
        if known_as not in self.authors:
            site, profile = self.profiles[known_as]
            self.authors[known_as] = self.stored_author(profile)
            if profile.get("avatar"):
                # A dry run still reports an avatar it could not use, and stores none.
                avatar = people.avatar_file(site, profile)
                if not self.dry_run:
                    people.store_avatar(self.authors[known_as], avatar, site.notes)
        return self.authors[known_as]

    def stored_author(self, profile: dict) -> Author:
        """The stored author of a profile: found, made, or updated from the site's data."""
        fields = {name: value for name, value in profile.items() if name not in ("slug", "avatar")}
        slug = profile["slug"]
        # A name of punctuation alone has no readable slug (saving gives it "author-N"): such
        # an author is known by name.
        if slug:
            author = self.stored_authors.get(slug)
        else:
            author = Author.objects.filter(name=profile["name"]).first()
        if author is None:
            author = Author(slug=slug, **fields)
            author.save()
            self.new_authors += 1
        elif not is_plain(profile) and any(getattr(author, k) != v for k, v in fields.items()):
            # Profiles from _data/authors.yml are the source; a plain name changes nothing.
            for name, value in fields.items():
                setattr(author, name, value)
            author.save()
        return author

    def tag(self, name: str) -> Tag:
        """The tag of that name in any case: look_up() found those that exist, so any other is
        new, spelt as first met."""
        key = name.lower()
        if key not in self.tags:
            self.tags[key] = Tag.objects.create(name=name)
            self.new_tags += 1
        return self.tags[key]

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

    def create(self, new: list[tuple[Plan, Post, list[Entry], list[Tag]]]):
        """A chunk's new posts with their bylines, in a few INSERTs; their tags and old URLs
        wait for flush()."""
        Post.create_all([(post, authors) for _, post, authors, _ in new])
        for plan, post, _, tags in new:
            plan.outcome = "created"
            plan.post_id = post.pk
            self.relate(plan, post, tags)

    def update(
        self, plan: Plan, fields: dict, authors: list[Entry], tags: list[Tag], stored: Post
    ) -> str:
        """Bring `stored`, the post from this source, up to date; say whether it changed."""
        known = (
            [(byline.author_id, byline.credited_as) for byline in stored.bylines.all()],
            {tag.pk for tag in stored.tags.all()},
            {redirect.old_path for redirect in stored.redirects.all()},
        )
        wanted = (
            [(author.pk, credited) for author, credited in authors],
            {tag.pk for tag in tags},
            set(plan.old_urls),
        )
        same_fields = all(getattr(stored, name) == value for name, value in fields.items())
        if same_fields and known[:2] == wanted[:2] and wanted[2] <= known[2]:
            return "unchanged"
        # Saved with every column loaded: a save of a partly loaded post writes only those.
        post = Post.objects.select_related("section").get(pk=stored.pk)
        revisions.keep_before_change(post)
        for name, value in fields.items():
            setattr(post, name, value)
        post.save()
        post.tags.clear()
        post.set_authors(authors)
        self.relate(plan, post, tags)
        # A new post's history starts at its first change (see keep_before_change).
        self.pending.append(self.revision(plan, post, authors, tags))
        return "updated"

    def relate(self, plan: Plan, post: Post, tags: list[Tag]):
        """The post's tags and old URLs, pending for flush(); an old URL another post had now
        leads here."""
        self.pending += [
            TaggedItem(content_type_id=self.post_type.pk, object_id=post.pk, tag_id=tag.pk)
            for tag in tags
        ]
        for url in plan.old_urls:
            held = plan.taken_urls.get(url)
            if held is None:
                self.pending.append(Redirect(old_path=url, post_id=post.pk))
            elif held != post.pk:
                # A post's own old URL wins over the old site's feed or listing page there.
                led_to = f"led to {held}" if isinstance(held, str) else "led to another post"
                plan.notes.append(f"the old URL {url} {led_to}; it now leads here")
                Redirect.objects.filter(old_path=url).update(post=post, target="")

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
        for model in (TaggedItem, Redirect, Revision):
            model.objects.bulk_create(row for row in self.pending if type(row) is model)
        self.pending.clear()

    def redirect_old_site(self):
        """The old site's feeds and listing pages lead to Quire's, unless the old path is taken:
        a redirect there already (a post's own old URL among them) wins."""
        posts = {plan.source: plan.post_id for plan in self.plans}
        found = oldsite.site_redirects(self.sites, posts)
        wanted = {old: (target, why) for old, target, why in found}
        paths = sorted(wanted)
        taken = {}
        for start in range(0, len(paths), CHUNK):
            found = Redirect.objects.filter(old_path__in=paths[start : start + CHUNK])
            taken.update(found.values_list("old_path", "target"))
        for old, (target, why) in wanted.items():
            if old not in taken:
                self.pending.append(Redirect(old_path=old, target=target))
            self.site_redirects.append((old, target, why, taken.get(old, target) == target))
        self.flush()

    def site_notes(self) -> list[str]:
        """What the import noticed of the sites' own files (their author data, avatars)."""
        return [note for site in self.sites for note in site.notes]

    def merged_spellings(self) -> list[str]:
        """Each author posts spell in other ways, once, with the spellings and their files."""
        lines = []
        for author, spellings in self.spellings.items():
            written = ", ".join(
                f"{spelling!r} in {counted(len(files), 'file')}"
                for spelling, files in spellings.items()
            )
            lines.append(
                f"author {author.name!r} also written {written}: merged, each post keeps its "
                "spelling"
            )
            lines += [f"  {path}" for files in spellings.values() for path in files]
        return lines

    def summary(self) -> str:
        outcomes = Counter(plan.outcome for plan in self.plans)
        drafts = sum(plan.status == Post.Status.DRAFT for plan in self.plans)
        scheduled = sum(plan.scheduled for plan in self.plans)
        redirects = sum(len(plan.old_urls) for plan in self.plans)
        summary = (
            f"{outcomes['created']} created, {outcomes['updated']} updated, "
            f"{outcomes['unchanged']} unchanged; {counted(drafts, 'draft')}, "
            f"{scheduled} scheduled; {counted(redirects, 'old URL')} redirected; "
            f"{counted(len(self.authors), 'author')} ({self.new_authors} new), "
            f"{counted(len(self.tags), 'tag')} ({self.new_tags} new)"
        )
        adjusted = self.adjustments()
        return (
            f"{summary}; adjusted as Jekyll would: {', '.join(adjusted)}" if adjusted else summary
        )

    def adjustments(self) -> list[str]:
        """What the import settled as Jekyll would have, counted: only what happened."""
        counts = [
            (sum(plan.disambiguated for plan in self.plans), "slug numbered", "slugs numbered"),
            (sum(plan.rolled_over for plan in self.plans), "date rolled over", "dates rolled over"),
            (
                sum(bool(plan.source.unbuilt) for plan in self.plans),
                "imported as a draft because Jekyll would not build it",
                "imported as drafts because Jekyll would not build them",
            ),
            (
                sum(map(len, self.spellings.values())),
                "author spelling merged",
                "author spellings merged",
            ),
            (
                sum(leads for *_, leads in self.site_redirects),
                "old feed or listing URL redirected",
                "old feed or listing URLs redirected",
            ),
        ]
        return [counted(number, noun, plural) for number, noun, plural in counts if number]


def compress_quickly():
    """On PostgreSQL, the text the rest of this transaction stores is compressed with lz4 where
    the server has it, not pglz: an import stores tens of megabytes, which lz4 compresses
    several times faster. Readers see no difference; a later save compresses as before."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
        )
        if (cursor.fetchone() or (False,))[0]:
            cursor.execute("SET LOCAL default_toast_compression = lz4")


def named_profile(site: Site, key: str) -> dict:
    """The profile of the author a byline key names: the site's author data under the key, or
    under the key's slug (`Daniel R DePetris` is `daniel-r-depetris`), else the name alone."""
    profile = author_profile(site, key)
    if is_plain(profile) and profile["slug"]:
        data = author_profile(site, profile["slug"])
        return profile if is_plain(data) else data
    return profile


def is_plain(profile: dict) -> bool:
    """A profile that is a name only: the byline's key, with no author data behind it."""
    return profile.keys() <= {"slug", "name"}


# The Post fields an import sets from a file (and, for a collection's file, the section).
STORED_FIELDS = (
    "title", "slug", "description", "body", "body_format", "excerpt", "excerpt_separator",
    "status", "published_at", "published_offset", "external_image", "image_alt",
    "image_caption", "canonical_url", "front_matter",
)  # fmt: skip


def stored_fields(post: ParsedPost, body: str, excerpt: str, plan: Plan) -> dict:
    """The Post fields an import sets from a file, as STORED_FIELDS names them."""
    return {
        "title": post.title,
        "slug": plan.slug,
        "description": post.description,
        "body": body,
        "body_format": plan.source.body_format,
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
