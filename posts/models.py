"""Quire's content model: authors, posts with ordered bylines, sections and the image library.

Every `*_html` field is derived from its Markdown source when the row is written,
including rows that `loaddata` writes without calling `save()`.
"""

import re
import uuid
from datetime import timedelta
from datetime import timezone as dt_timezone
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import URLValidator
from django.db import models, transaction
from django.db.models.fields.related_descriptors import (
    ManyToManyDescriptor,
    create_forward_many_to_many_manager,
)
from django.db.models.signals import pre_save
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import uri_to_iri
from django.utils.functional import cached_property
from taggit.managers import TaggableManager

from . import markup, renditions

# An <img> of sanitised HTML (attributes double-quoted) whose alt is empty or absent.
_IMG_WITHOUT_ALT = re.compile(r'<img(?![^>]*\balt="[^"]+")[^>]*\bsrc="(?P<src>[^"]*)"[^>]*>')


def validate_image_url(value):
    """A featured image URL is absolute http(s) or site-relative, nothing a browser would run."""
    if not value.startswith(("http://", "https://", "/")) or value.startswith("//"):
        raise ValidationError("Enter an http(s) URL or a site-relative path starting with /.")


def validate_canonical_url(value):
    """A canonical URL names a page on the web: absolute http(s), never a script."""
    URLValidator(schemes=["http", "https"])(value)


def generated_image_name(instance, filename):
    """Stored names are generated: an uploaded name is never trusted."""
    extension = filename.rsplit(".", 1)[-1].lower()
    return f"images/{uuid.uuid4().hex}.{extension}"


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


class Image(models.Model):
    file = models.ImageField(
        upload_to=generated_image_name, width_field="width", height_field="height"
    )
    # Blank only for images dropped into the editor without one: they are flagged until written.
    alt_text = models.CharField(
        max_length=300,
        blank=True,
        help_text="What the image shows, for readers who cannot see it.",
    )
    caption = models.CharField(max_length=500, blank=True)
    credit = models.CharField(max_length=300, blank=True)
    width = models.PositiveIntegerField(null=True, editable=False)
    height = models.PositiveIntegerField(null=True, editable=False)
    source_url = models.URLField(
        max_length=1000, blank=True, editable=False, help_text="Where the image was fetched from."
    )
    # {"webp": [{"width", "height", "name"}, ...], "fallback": [...]}, narrowest first.
    renditions = models.JSONField(default=dict, blank=True, editable=False)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, editable=False
    )

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self):
        return self.alt_text or f"{self.file.name} (no alt text)"

    def save(self, **kwargs):
        stored = (
            Image.objects.filter(pk=self.pk).values("file", "renditions").first()
            if self.pk
            else None
        )
        replaced = stored and stored["file"] != self.file.name
        with transaction.atomic():
            super().save(**kwargs)
            if replaced:
                # A replaced file needs its own renditions; the old files go only once the new
                # ones are committed, so a failed save still serves the old.
                self.renditions = {}
                for name in [stored["file"], *renditions.stored_names(stored["renditions"])]:
                    transaction.on_commit(partial(self.file.storage.delete, name))
            if self.file and not self.renditions:
                # Made once, when the image is stored; pages only ever read them.
                self.renditions = renditions.generate(self)
                super().save(update_fields=["renditions"])
            if replaced:
                self.show_in_place_of(stored["file"])

    def srcset(self, kind: str = "fallback") -> str:
        """`srcset` for the WebP or the fallback renditions: "url 480w, url 960w, ..."."""
        return ", ".join(
            f"{self.file.storage.url(r['name'])} {r['width']}w"
            for r in self.renditions.get(kind, [])
        )

    def show_in_place_of(self, old_name: str):
        """Texts that show the old file show the new one: replacing a picture replaces it
        everywhere, as choosing it as a featured image does."""
        for post in Post.objects.filter(body__contains=old_name):
            post.body = post.body.replace(old_name, self.file.name)
            post.save(update_fields=["body"])

    def used_in(self):
        """The posts that show this image, as the featured image or in the text."""
        return Post.objects.filter(models.Q(image=self) | models.Q(body__contains=self.file.name))

    @property
    def webp_srcset(self) -> str:
        return self.srcset("webp")

    @property
    def fallback_srcset(self) -> str:
        return self.srcset("fallback")

    @property
    def small_url(self) -> str:
        """For listings: a rendition about as wide as a card."""
        return self.rendition_url(480)

    @property
    def large_url(self) -> str:
        return self.rendition_url(1600)

    def rendition_url(self, width: int, kind: str = "fallback") -> str:
        """The narrowest rendition at least `width` wide (else the widest), else the original."""
        made = self.renditions.get(kind, [])
        chosen = next((r for r in made if r["width"] >= width), made[-1] if made else None)
        return self.file.storage.url(chosen["name"]) if chosen else self.file.url


def responsive_images(html: str) -> str:
    """Library images in rendered HTML become responsive, and lend their alt text to an image
    written without one; posts and the editor's preview both go through here."""
    names = [
        url.removeprefix(settings.MEDIA_URL)
        for url in renditions.library_urls(html)
        if url.startswith(settings.MEDIA_URL)
    ]
    if not names:
        return html
    images = {image.file.url: image for image in Image.objects.filter(file__in=names)}
    return renditions.responsive_html(html, images)


class BylineOrderedManager(models.Manager):
    """`post.authors.all()` lists the byline in its stored order, prefetched or not."""

    def get_queryset(self):
        # Ordering reuses the join to Byline that the relation's own filter makes: no row repeats.
        return (
            super()
            .get_queryset()
            .order_by(models.F("bylines__position").asc(nulls_last=True), "bylines__id")
        )


class BylineField(models.ManyToManyField):
    """A many-to-many whose forward manager keeps the through model's order."""

    def contribute_to_class(self, cls, name, **kwargs):
        super().contribute_to_class(cls, name, **kwargs)
        setattr(cls, name, BylineDescriptor(self.remote_field, reverse=False))


class BylineDescriptor(ManyToManyDescriptor):
    @cached_property
    def related_manager_cls(self):
        return create_forward_many_to_many_manager(BylineOrderedManager, self.rel, reverse=False)


class PostQuerySet(models.QuerySet):
    def published(self):
        """The one public gate: published, and due. A scheduled post is not public until its
        moment comes, on every page at once: no job has to run."""
        return self.filter(status=Post.Status.PUBLISHED, published_at__lte=timezone.now())

    def for_listing(self):
        """Everything a listing prints, in a fixed number of queries whatever the page holds."""
        return self.select_related("image", "section").prefetch_related("authors", "tags")


class Post(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        REVIEW = "review", "In review"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=200, unique=True, allow_unicode=True)
    description = models.CharField(
        max_length=500, blank=True, help_text="Shown to search engines and in link previews."
    )
    body = models.TextField(blank=True, help_text="Markdown.")
    body_html = models.TextField(blank=True, editable=False)
    reading_minutes = models.PositiveSmallIntegerField(default=1, editable=False)
    excerpt = models.TextField(
        blank=True,
        help_text="Markdown. Leave empty to use the text before the excerpt separator.",
    )
    excerpt_html = models.TextField(blank=True, editable=False)
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
    image_alt = models.CharField(max_length=300, blank=True)
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
        indexes = [models.Index(fields=["status", "published_at"])]
        permissions = [
            ("publish_post", "Can publish, schedule and unpublish posts"),
            ("edit_others_posts", "Can edit and publish posts by others"),
        ]

    def __str__(self):
        return self.title

    def save(self, **kwargs):
        derived = set()
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            # Publishing without a date publishes now; a null date is kept for drafts.
            self.published_at = timezone.now()
            derived.add("published_at")
        if not self._state.adding:
            self.version += 1
            derived.add("version")
        update_fields = kwargs.get("update_fields")
        if update_fields is None or {"body", "excerpt", "excerpt_separator"} & set(update_fields):
            self.render_markup()
            derived |= {"body_html", "excerpt_html", "reading_minutes"}
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

    def render_markup(self):
        body_html, excerpt_html = markup.render_post(
            self.body, self.excerpt, self.excerpt_separator
        )
        self.body_html = responsive_images(body_html)
        self.excerpt_html = responsive_images(excerpt_html)
        self.reading_minutes = markup.reading_minutes(self.body_html)

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
    def meta_description(self):
        """The description, else the excerpt as plain text cut at a word boundary."""
        return self.description or markup.plain_text(self.excerpt_html)

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

    class Meta:
        ordering = [models.F("position").asc(nulls_last=True), "id"]
        constraints = [
            models.UniqueConstraint(fields=["post", "author"], name="one_byline_per_author")
        ]

    def __str__(self):
        return f"{self.author} on {self.post}"


def render_raw_rows(sender, instance, raw, **kwargs):
    """`loaddata` saves rows raw, bypassing save(): derive their HTML here instead."""
    if raw:
        instance.render_markup()


def refuse_unsafe_canonical_url(sender, instance, **kwargs):
    """No write path, fixtures included, stores a canonical URL a browser would run."""
    if instance.canonical_url:
        try:
            validate_canonical_url(instance.canonical_url)
        except ValidationError as error:
            raise ValidationError({"canonical_url": error.messages}) from None


pre_save.connect(render_raw_rows, sender=Post, dispatch_uid="render_raw_posts")
pre_save.connect(refuse_unsafe_canonical_url, sender=Post, dispatch_uid="refuse_canonical_url")
pre_save.connect(render_raw_rows, sender=Author, dispatch_uid="render_raw_authors")


def post_path(slug: str) -> str:
    """A post's path as a request names it (`request.path`): Unicode, not percent-encoded."""
    return uri_to_iri(reverse("posts:detail", kwargs={"slug": slug}))


class Redirect(models.Model):
    """An old URL of a post, answered with a 301 to wherever the post lives now.

    Django's contrib.redirects stores the target as text and needs the sites framework; a
    foreign key follows the post through later slug changes and never points at a deleted one.
    """

    old_path = models.CharField(
        max_length=1000, unique=True, help_text="A path on this site, without the domain."
    )
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="redirects")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["old_path"]

    def __str__(self):
        return f"{self.old_path} → {self.post.get_absolute_url()}"


class Revision(models.Model):
    """A post as one save left it: who saved, when, and every field an editor can change."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True)
    data = models.JSONField(encoder=DjangoJSONEncoder)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["post", "number"], name="one_revision_number_per_post")
        ]

    def __str__(self):
        return f"Revision {self.number} of {self.post}"


class PreviewLink(models.Model):
    """A signed link to a post's preview for readers without an account, until it expires or is
    revoked."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="preview_links")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Preview of {self.post} until {self.expires_at:%Y-%m-%d %H:%M}"
