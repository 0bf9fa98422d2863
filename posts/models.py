"""The publication's content: authors, sections, posts with ordered bylines, and old URLs.

Every `*_html` field is derived from its source (Markdown, or a post's HTML) when the row is
written, including rows that `loaddata` writes without calling `save()`.
"""

import re
from datetime import timedelta
from datetime import timezone as dt_timezone

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import URLValidator
from django.db import models, router, transaction
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.encoding import uri_to_iri
from django.utils.http import url_has_allowed_host_and_scheme
from taggit.managers import TaggableManager

from media.models import Image, generated_image_name, responsive_images

from . import markup
from .bylines import BylineField

# An <img> of sanitised HTML (attributes double-quoted) whose alt is empty or absent.
_IMG_WITHOUT_ALT = re.compile(r'<img(?![^>]*\balt="[^"]+")[^>]*\bsrc="(?P<src>[^"]*)"[^>]*>')


def validate_image_url(value):
    """A featured image URL is absolute http(s) or site-relative, nothing a browser would run."""
    if not value.startswith(("http://", "https://", "/")) or value.startswith("//"):
        raise ValidationError("Enter an http(s) URL or a site-relative path starting with /.")


def validate_canonical_url(value):
    """A canonical URL names a page on the web: absolute http(s), never a script."""
    URLValidator(schemes=["http", "https"])(value)


class Author(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True, allow_unicode=True)
    bio = models.TextField(blank=True, help_text="Markdown.")
    bio_html = models.TextField(blank=True, editable=False)
    affiliation = models.CharField(max_length=300, blank=True)
    photo = models.ImageField(upload_to=generated_image_name, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author",
        help_text="The login this author writes with, if any.",
    )
    links = models.JSONField(
        default=dict,
        blank=True,
        encoder=DjangoJSONEncoder,
        help_text='Profiles and contacts by name, e.g. {"web": "https://…", "twitter": "…"}.',
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, **kwargs):
        self.render_markup()
        super().save(**kwargs)

    def get_absolute_url(self):
        return reverse("posts:author", kwargs={"slug": self.slug})

    def render_markup(self):
        self.bio_html = markup.render(self.bio)

    @property
    def credited_name(self) -> str:
        """The name a byline shows: as the post credits it (an author read through
        `post.authors.all()` carries `credited_as`), else the author's own."""
        return getattr(self, "credited_as", "") or self.name

    @property
    def profile_links(self) -> list[tuple[str, str]]:
        """The links that are web addresses or e-mail addresses, labelled by their names."""
        links = []
        for label, value in self.links.items():
            value = str(value).strip()
            if value.startswith(("https://", "http://")):
                links.append((label.replace("_", " ").capitalize(), value))
            elif "@" in value and " " not in value and "/" not in value:
                links.append((label.replace("_", " ").capitalize(), f"mailto:{value}"))
        return links


class Section(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True, allow_unicode=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("posts:section", kwargs={"slug": self.slug})


class PostQuerySet(models.QuerySet):
    def published(self):
        """The one public gate: published, and due. A scheduled post is not public until its
        moment comes, on every page at once: no job has to run."""
        return self.filter(status=Post.Status.PUBLISHED, published_at__lte=timezone.now())

    def scheduled(self):
        """Published, with a moment still to come: public once it does (see published())."""
        return self.filter(status=Post.Status.PUBLISHED, published_at__gt=timezone.now())

    def unpublished(self):
        """Everything published() leaves out: drafts, posts in review, scheduled posts."""
        return self.exclude(status=Post.Status.PUBLISHED, published_at__lte=timezone.now())

    def for_page(self):
        """Everything a post's page or a feed entry prints, in a fixed number of queries however
        many posts there are."""
        return self.select_related("image", "section").prefetch_related("authors", "tags")

    def for_listing(self):
        """What a listing prints of each post, in a fixed number of queries: no Markdown, no
        body, nothing only the post's own page shows."""
        return self.for_page().defer(*LISTING_LEAVES_OUT)

    def around(self, post) -> tuple["Post | None", "Post | None"]:
        """The posts of this queryset just before and just after `post` by publication date
        (ties broken by id, as listings order them), in one query."""
        earlier = self.filter(
            models.Q(published_at__lt=post.published_at)
            | models.Q(published_at=post.published_at, pk__lt=post.pk)
        ).order_by("-published_at", "-pk")
        later = self.filter(
            models.Q(published_at__gt=post.published_at)
            | models.Q(published_at=post.published_at, pk__gt=post.pk)
        ).order_by("published_at", "pk")
        both = Post.objects.filter(
            models.Q(pk=models.Subquery(earlier.values("pk")[:1]))
            | models.Q(pk=models.Subquery(later.values("pk")[:1]))
        ).only("title", "slug", "published_at", "published_offset")
        previous = following = None
        for other in both:
            if (other.published_at, other.pk) < (post.published_at, post.pk):
                previous = other
            else:
                following = other
        return previous, following

    def showing(self, image_id, file_name):
        """The posts that show a library image, as the featured image or in the text; the
        arguments may be values or, for a subquery, OuterRef("pk") and OuterRef("file")."""
        return self.filter(models.Q(image=image_id) | body_shows(file_name))


# The columns no listing card prints: the heaviest ones.
LISTING_LEAVES_OUT = ("body", "body_html", "toc", "excerpt", "front_matter", "canonical_url")


def body_shows(file_name) -> models.Q:
    """A post's text shows a library file when its Markdown names the file."""
    return models.Q(body__contains=file_name)


# What Post.render_markup() derives, stored whenever the Markdown changes.
DERIVED_FROM_MARKDOWN = (
    "body_html", "excerpt_html", "toc", "word_count", "reading_minutes", "summary",
)  # fmt: skip
# What Post.render_markup() derives them from.
MARKUP_SOURCES = {"body", "body_format", "excerpt", "excerpt_separator"}


def byline_entry(entry) -> tuple:
    """A byline entry as (author or id, credited_as): an Author, an id, or such a pair (a list,
    as JSON keeps it, will do)."""
    if isinstance(entry, tuple | list):
        author, credited_as = entry
        return author, (credited_as or "").strip()
    return entry, ""


class Post(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        REVIEW = "review", "In review"
        PUBLISHED = "published", "Published"

    class BodyFormat(models.TextChoices):
        MARKDOWN = "markdown", "Markdown"
        HTML = "html", "HTML"

    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=200, unique=True, allow_unicode=True)
    description = models.CharField(
        max_length=1000, blank=True, help_text="Shown to search engines and in link previews."
    )
    body = models.TextField(blank=True, help_text="Markdown, or HTML if the body format says so.")
    body_format = models.CharField(
        max_length=10,
        choices=BodyFormat.choices,
        default=BodyFormat.MARKDOWN,
        help_text="HTML (as a Jekyll site's .html posts are written) is shown as it is, "
        "sanitised, without Markdown; the excerpt is read the same way.",
    )
    body_html = models.TextField(blank=True, editable=False)
    # Derived from body_html on save, so that no page parses HTML to print them.
    toc = models.JSONField("table of contents", default=list, blank=True, editable=False)
    word_count = models.PositiveIntegerField(default=0, editable=False)
    reading_minutes = models.PositiveSmallIntegerField(default=1, editable=False)
    excerpt = models.TextField(
        blank=True,
        help_text="In the body's format. Leave empty to use the text before the excerpt separator.",
    )
    excerpt_html = models.TextField(blank=True, editable=False)
    # The excerpt as plain text cut for a meta description, derived on save.
    summary = models.CharField(max_length=200, blank=True, editable=False)
    excerpt_separator = models.CharField(
        max_length=50, blank=True, default=markup.DEFAULT_EXCERPT_SEPARATOR
    )
    authors = BylineField(Author, through="Byline", related_name="posts", blank=True)
    tags = TaggableManager(blank=True)
    section = models.ForeignKey(
        Section, null=True, blank=True, on_delete=models.SET_NULL, related_name="posts"
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="With status Published: empty publishes now, a future time schedules the post.",
    )
    published_offset = models.SmallIntegerField(
        null=True,
        blank=True,
        editable=False,
        help_text="UTC offset, in minutes, the date was written with; shown to readers.",
    )
    image = models.ForeignKey(
        Image, null=True, blank=True, on_delete=models.SET_NULL, related_name="featured_in"
    )
    external_image = models.CharField(
        "featured image URL",
        max_length=1000,
        blank=True,
        validators=[validate_image_url],
        help_text="Used when no library image is chosen.",
    )
    image_caption = models.CharField(max_length=500, blank=True)
    image_alt = models.CharField(max_length=1000, blank=True)
    canonical_url = models.URLField(
        "canonical URL",
        max_length=1000,
        blank=True,
        validators=[validate_canonical_url],
        help_text="For a piece first published elsewhere: the original's address, which search "
        "engines should treat as the source.",
    )
    front_matter = models.JSONField(
        default=dict, blank=True, encoder=DjangoJSONEncoder, editable=False
    )
    # Null, not "", for posts written in Quire: a unique text column needs it to hold many of
    # them, and a plain unique index serves the import's lookups on every database.
    source = models.CharField(
        max_length=500,
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text="The Markdown file the post was imported from; a re-import updates this post.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        editable=False,
        related_name="+",
    )
    # Counts saves: a form or action working from an older count was overtaken (see Post.save).
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = [models.F("published_at").desc(nulls_last=True), "-id"]
        indexes = [
            # Public posts by date (listings, archives, search's newest matches), with what
            # counts and sitemaps read of them, from the index alone.
            models.Index(fields=["status", "published_at", "id", "updated_at"], name="post_public"),
            # Listings' and feeds' order (the ordering above), from the index alone. Built on
            # PostgreSQL only (see migration 0014): SQLite's descending order already puts
            # nulls last, so the index above serves it there.
            models.Index(
                "status",
                models.F("published_at").desc(nulls_last=True),
                models.F("id").desc(),
                name="post_public_order",
            ),
            # The public post changed last, read backwards from the index alone (SQLite plans
            # by the published_at range otherwise): the sitemap's lastmod.
            models.Index(
                fields=["status", "updated_at", "published_at"], name="post_public_updates"
            ),
            # Sitemap files: public posts by id with what each URL needs, from the index alone.
            models.Index(
                fields=["status", "id", "published_at", "updated_at", "slug"], name="post_sitemap"
            ),
            # A section's listing counted and ordered from the index alone.
            models.Index(fields=["section", "status", "published_at"], name="post_section_order"),
        ]
        permissions = [
            ("publish_post", "Can publish, schedule and unpublish posts"),
            ("edit_others_posts", "Can edit and publish posts by others"),
        ]

    def __str__(self):
        return self.title

    def save(self, **kwargs):
        update_fields = kwargs.get("update_fields")
        derived = self.derive_fields(update_fields)
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, *derived}
        old_slug = getattr(self, "_stored_slug", None)
        if old_slug in (None, self.slug):
            super().save(**kwargs)
            self._stored_slug = self.slug
            return
        # Within an import or an admin save (already atomic) this costs no savepoint.
        with transaction.atomic(savepoint=False):
            super().save(**kwargs)
            self.redirect_old_slug(old_slug)

    def get_absolute_url(self):
        return reverse("posts:detail", kwargs={"slug": self.slug})

    def get_admin_url(self):
        """The post's change page in the admin, where an editor works on it."""
        return reverse("admin:posts_post_change", args=[self.pk])

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # Remembered so that a changed slug leaves a redirect behind (see save()).
        instance._stored_slug = instance.__dict__.get("slug")
        return instance

    def redirect_old_slug(self, old_slug: str):
        """A changed slug keeps the old URL working; another post's old URL stays that post's.

        A renamed post drops its own redirect at its new URL (it would list it as an old URL),
        never another post's: taking one over would be a redirect change without the right to
        make one.
        """
        self._stored_slug = self.slug
        Redirect.objects.filter(old_path=post_path(self.slug), post=self).delete()
        Redirect.objects.get_or_create(old_path=post_path(old_slug), defaults={"post": self})

    @classmethod
    def create_all(cls, bylines: list[tuple["Post", list]]):
        """New posts, each with its byline (entries as set_authors() takes them), written as
        save() and set_authors() write one, in a few INSERTs however many there are: an import's.

        The same fields are derived, and the same signals sent (bulk_create alone sends none),
        so that whatever keeps data derived from posts hears of each: write them within the
        page cache's purging.batch() and the search index's deferred(), as an import does, or
        those receivers still work one post at a time.
        """
        using = router.db_for_write(cls)
        posts = [post for post, _ in bylines]
        for post in posts:
            post.derive_fields()
            pre_save.send(sender=cls, instance=post, raw=False, using=using, update_fields=None)
        with transaction.atomic(using=using, savepoint=False):
            cls.objects.using(using).bulk_create(posts)
            rows = [post.byline_rows(authors) for post, authors in bylines]
            Byline.objects.using(using).bulk_create(row for post_rows in rows for row in post_rows)
        for post, post_rows in zip(posts, rows, strict=True):
            post._stored_slug = post.slug
            post_save.send(
                sender=cls, instance=post, created=True, raw=False, using=using, update_fields=None
            )
            post.byline_written(post_rows)

    def derive_fields(self, update_fields=None) -> set[str]:
        """Set what save() derives before writing, and name those fields: a publication time
        for a post published without one, the count of saves, and what render_markup()
        derives unless the save leaves its sources alone."""
        derived = set()
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            # Publishing without a date publishes now; a null date is kept for drafts.
            self.published_at = timezone.now()
            derived.add("published_at")
        if not self._state.adding:
            self.version += 1
            derived.add("version")
        if update_fields is None or MARKUP_SOURCES & set(update_fields):
            self.render_markup()
            derived |= set(DERIVED_FROM_MARKDOWN)
        return derived

    def set_authors(self, entries):
        """The byline becomes `entries` (see byline_rows()), in that order, each author once: the
        one way bylines are written (the admin, imports, restoring a revision), in the same
        queries whatever their length."""
        rows = self.byline_rows(entries)
        # Within an import or an admin save (already atomic) this costs no savepoint.
        with transaction.atomic(savepoint=False):
            # Through the related manager, each deleted row knows its post (see posts.caching).
            self.bylines.all().delete()
            Byline.objects.bulk_create(rows)
        self.byline_written(rows)

    def byline_rows(self, entries) -> list["Byline"]:
        """The Byline rows of `entries`, in order, each author once, as first credited.

        An entry is an Author, an id, or an (Author or id, credited_as) pair; a credit that
        spells the author's own name is stored blank. Names are read, in one query, only for
        authors given by id with a credit.
        """
        credits, names = {}, {}
        for entry in entries:
            author, credited_as = byline_entry(entry)
            pk = getattr(author, "pk", author)
            credits.setdefault(pk, credited_as)
            if isinstance(author, Author):
                names[pk] = author.name
        unnamed = [pk for pk, credited_as in credits.items() if credited_as and pk not in names]
        if unnamed:
            names.update(Author.objects.filter(pk__in=unnamed).values_list("pk", "name"))
        return [
            Byline(
                post=self,
                author_id=pk,
                position=index,
                credited_as="" if credited_as == names.get(pk) else credited_as,
            )
            for index, (pk, credited_as) in enumerate(credits.items())
        ]

    def byline_written(self, rows: list["Byline"]):
        """Tell of a byline whose rows were bulk-created: m2m_changed, as `post.authors.set()`
        would send it, so that whatever keeps data derived from bylines (the search index)
        hears of them."""
        # Whatever was prefetched no longer describes the byline.
        getattr(self, "_prefetched_objects_cache", {}).pop("authors", None)
        m2m_changed.send(
            sender=Byline,
            instance=self,
            action="post_add",
            reverse=False,
            model=Author,
            pk_set={row.author_id for row in rows},
            using=self._state.db,
        )

    def render_markup(self):
        body_html, excerpt_html = markup.render_post(
            self.body, self.excerpt, self.excerpt_separator, self.body_format
        )
        self.body_html = responsive_images(body_html)
        self.excerpt_html = responsive_images(excerpt_html)
        self.toc = markup.table_of_contents(self.body_html)
        self.word_count = markup.word_count(self.body_html)
        self.reading_minutes = markup.reading_minutes(self.word_count)
        self.summary = markup.description(self.excerpt_html)

    def images_missing_alt(self) -> list[str]:
        """The images readers who cannot see them would get nothing for: each one's URL."""
        missing = [match["src"] for match in _IMG_WITHOUT_ALT.finditer(self.body_html)]
        if self.image_url and not self.featured_alt:
            missing.insert(0, self.image_url)
        return missing

    @property
    def tag_list(self):
        """The tags in alphabetical order, whatever order they were stored in."""
        return sorted(self.tags.all(), key=lambda tag: (tag.name.casefold(), tag.name))

    @property
    def image_url(self):
        """The featured image's URL, from the library or from the post's own URL."""
        if self.image_id:
            return self.image.file.url
        return self.external_image

    @property
    def featured_alt(self):
        return self.image_alt or (self.image.alt_text if self.image_id else "")

    @property
    def featured_caption(self):
        return self.image_caption or (self.image.caption if self.image_id else "")

    @property
    def is_scheduled(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at > timezone.now()
        )

    @property
    def status_label(self) -> str:
        """Draft, In review, Scheduled or Published: what editors are shown."""
        return "Scheduled" if self.is_scheduled else self.get_status_display()

    @property
    def meta_description(self):
        """The description, else the excerpt as plain text cut at a word boundary."""
        return self.description or self.summary

    @property
    def published_local(self):
        """The publication time in the UTC offset it was written with, else in the site's zone.

        Templates print it inside {% localtime off %}, with the date format "e" for "+08:00".
        """
        if self.published_at is None:
            return None
        if self.published_offset is None:
            return timezone.localtime(self.published_at)
        hours, minutes = divmod(abs(self.published_offset), 60)
        sign = "-" if self.published_offset < 0 else "+"
        zone = dt_timezone(
            timedelta(minutes=self.published_offset), f"{sign}{hours:02}:{minutes:02}"
        )
        return self.published_at.astimezone(zone)


class Byline(models.Model):
    """One author's place in a post's byline; rows without a position follow, in insertion order."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="bylines")
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="bylines")
    position = models.PositiveSmallIntegerField(null=True, blank=True, default=None)
    credited_as = models.CharField(
        max_length=200,
        blank=True,
        help_text="The name as this post spells it; blank shows the author's name.",
    )

    class Meta:
        ordering = [models.F("position").asc(nulls_last=True), "id"]
        constraints = [
            models.UniqueConstraint(fields=["post", "author"], name="one_byline_per_author")
        ]

    def __str__(self):
        # The byline inline labels each row with it: the name the post credits, nothing more.
        return self.credited_as or self.author.name


class TagRedirect(models.Model):
    """The slug of a merged or renamed tag, whose URLs (its page, its feed) answer with a 301 to
    the tag's as it is now."""

    old_slug = models.CharField(max_length=100, unique=True)
    tag = models.ForeignKey("taggit.Tag", on_delete=models.CASCADE, related_name="redirects")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["old_slug"]

    def __str__(self):
        return f"{self.old_slug} → {self.tag.slug}"


def post_path(slug: str) -> str:
    """A post's path as a request names it (`request.path`): Unicode, not percent-encoded."""
    return uri_to_iri(reverse("posts:detail", kwargs={"slug": slug}))


def is_local_path(value: str) -> bool:
    """A path on this site: one leading slash, no scheme, no host (nor "/\\host", which
    browsers read as one)."""
    return value.startswith("/") and url_has_allowed_host_and_scheme(value, allowed_hosts=None)


class Redirect(models.Model):
    """An old URL, answered with a 301: to wherever its post lives now, or, for an old URL that
    was no post's (a feed, a listing page), to the target path on this site.

    Django's contrib.redirects stores the target as text and needs the sites framework; a
    foreign key follows the post through later slug changes and never points at a deleted one.
    """

    old_path = models.CharField(
        max_length=1000, unique=True, help_text="A path on this site, without the domain."
    )
    post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.CASCADE, related_name="redirects"
    )
    target = models.CharField(
        max_length=1000,
        blank=True,
        help_text="A path on this site, for an old URL that is not a post's: a feed, a listing "
        "page.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["old_path"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(post__isnull=False, target="")
                | (models.Q(post__isnull=True) & ~models.Q(target="")),
                name="redirect_to_post_or_target",
                violation_error_message="Choose the post this old URL belongs to, or give a "
                "target path: one of the two, not both.",
            )
        ]

    def __str__(self):
        return f"{self.old_path} → {self.destination}"

    def clean(self):
        """A target is a local path that a page of this site answers, neither the old path
        itself nor another old URL (readers would go round, or take two hops)."""
        if not self.target:
            return
        if not is_local_path(self.target):
            raise ValidationError(
                {"target": "Enter a path on this site, starting with a single / and without a "
                 "scheme or domain, such as /feed.xml."}
            )  # fmt: skip
        if self.target == self.old_path:
            raise ValidationError(
                {"target": "The target is the old path itself: readers would go round in a circle."}
            )
        path = uri_to_iri(self.target.split("?", 1)[0].split("#", 1)[0])
        try:
            resolve(path)
        except Resolver404:
            raise ValidationError(
                {"target": f"No page on this site answers {path}: enter a path one does, such "
                 "as /feed.xml or /tags/<slug>/."}
            ) from None  # fmt: skip
        onward = Redirect.objects.filter(old_path=path).exclude(pk=self.pk).first()
        if onward is not None:
            raise ValidationError(
                {"target": f"{path} is itself an old URL, redirected to {onward.destination}: "
                 "enter that instead."}
            )  # fmt: skip

    @property
    def destination(self) -> str:
        """Where the old path sends readers: the post's URL as it is now, or the target."""
        return self.post.get_absolute_url() if self.post_id else self.target
