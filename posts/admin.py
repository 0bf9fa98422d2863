"""The editors' home: write with a live preview, attribute authors, tag, schedule and publish."""

from django import forms
from django.contrib import admin, messages
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Now
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from markdownx.widgets import AdminMarkdownxWidget

from .images import reencode_upload
from .models import Author, Byline, Image, Post, Redirect, Section


class BylineInline(admin.TabularInline):
    model = Byline
    extra = 1
    autocomplete_fields = ["author"]
    fields = ["author", "position"]
    verbose_name = "author"
    verbose_name_plural = "Byline (in order; leave position empty to add at the end)"


class RedirectInline(admin.TabularInline):
    model = Redirect
    extra = 0
    fields = ["old_path"]
    verbose_name = "old URL"
    verbose_name_plural = "Old URLs (answered with a permanent redirect to this post)"


class ReencodedImageField(forms.FileField):
    """Only a re-encoded copy of a new upload is ever stored.

    A plain file field underneath: Django's ImageField would let Pillow try every format it
    knows before reencode_upload() applies the allowlist.
    """

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        return reencode_upload(upload) if isinstance(upload, UploadedFile) else upload


# An empty file gets the intake's message, which names it, rather than Django's, which does not.
UPLOADS = {models.ImageField: {"form_class": ReencodedImageField, "allow_empty_file": True}}


class MarkdownEditorMedia:
    css = {"all": ["css/editor.css"]}


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    Media = MarkdownEditorMedia
    formfield_overrides = {models.TextField: {"widget": AdminMarkdownxWidget}}
    inlines = [BylineInline, RedirectInline]
    readonly_fields = ["source", "front_matter", "content_check"]
    prepopulated_fields = {"slug": ["title"]}
    list_display = ["title", "byline", "state", "published_at", "tag_list"]
    list_filter = ["status", "tags", "authors", "section", "published_at"]
    search_fields = ["title", "description", "body"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["image"]
    actions = ["publish", "unpublish"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "description", "body", "content_check"]}),
        ("Publication", {"fields": ["status", "published_at", "section", "tags"]}),
        ("Featured image", {"fields": ["image", "external_image", "image_alt", "image_caption"]}),
        (
            "Excerpt",
            {
                "classes": ["collapse"],
                "fields": ["excerpt", "excerpt_separator"],
                "description": "Listings show the text before the separator unless an excerpt "
                "is written here; without either they show the first paragraph.",
            },
        ),
        (
            "Imported from",
            {
                "classes": ["collapse"],
                "fields": ["source", "front_matter"],
                "description": "The file an import made this post from, and the front-matter "
                "keys Quire keeps for an export.",
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("authors", "tags")

    @admin.display(description="Content check")
    def content_check(self, post):
        missing = post.images_missing_alt() if post.pk else []
        if not missing:
            return "Every image has alt text."
        return format_html(
            "Images without alt text (readers who cannot see them get nothing): {}",
            format_html_join(", ", "<code>{}</code>", ((url,) for url in missing)),
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        missing = form.instance.images_missing_alt()
        if missing:
            self.message_user(
                request,
                f"{len(missing)} image(s) have no alt text: {', '.join(missing)}. Write it in "
                "the Markdown, ![what it shows](…), or in the media library.",
                messages.WARNING,
            )

    @admin.display(description="Authors")
    def byline(self, post):
        return ", ".join(author.name for author in post.authors.all())

    @admin.display(description="Status", ordering="status")
    def state(self, post):
        return "Scheduled" if post.is_scheduled else post.get_status_display()

    @admin.display(description="Tags")
    def tag_list(self, post):
        return ", ".join(tag.name for tag in post.tag_list)

    @admin.action(description="Publish selected posts (now, unless a date is set)")
    def publish(self, request, queryset):
        queryset.filter(published_at__isnull=True).update(published_at=Now())
        count = queryset.update(status=Post.Status.PUBLISHED)
        self.message_user(request, f"Published {count} post(s).", messages.SUCCESS)

    @admin.action(description="Unpublish selected posts (back to draft)")
    def unpublish(self, request, queryset):
        count = queryset.update(status=Post.Status.DRAFT)
        self.message_user(request, f"Unpublished {count} post(s).", messages.SUCCESS)


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    Media = MarkdownEditorMedia
    prepopulated_fields = {"slug": ["name"]}
    list_display = ["name", "affiliation", "user"]
    search_fields = ["name", "affiliation"]
    autocomplete_fields = ["user"]
    formfield_overrides = {models.TextField: {"widget": AdminMarkdownxWidget}, **UPLOADS}


@admin.register(Redirect)
class RedirectAdmin(admin.ModelAdmin):
    list_display = ["old_path", "post", "created_at"]
    search_fields = ["old_path", "post__title", "post__slug"]
    autocomplete_fields = ["post"]


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    prepopulated_fields = {"slug": ["name"]}
    list_display = ["name", "slug"]
    search_fields = ["name"]


class AltTextFilter(admin.SimpleListFilter):
    title = "alt text"
    parameter_name = "alt"

    def lookups(self, request, model_admin):
        return [("missing", "Missing"), ("written", "Written")]

    def queryset(self, request, queryset):
        if self.value() == "missing":
            return queryset.filter(alt_text="")
        if self.value() == "written":
            return queryset.exclude(alt_text="")
        return queryset


class ImageForm(forms.ModelForm):
    """In the library, alt text is required: only a quick drop into the editor may skip it."""

    class Meta:
        model = Image
        fields = ["file", "alt_text", "caption", "credit"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["alt_text"].required = True


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    form = ImageForm
    formfield_overrides = UPLOADS
    fields = [
        "file", "alt_text", "caption", "credit", "dimensions", "uploaded_by", "uploaded_at",
        "source_url", "usage",
    ]  # fmt: skip
    list_display = ["thumbnail", "alt_text", "dimensions", "in_use", "uploaded_by", "uploaded_at"]
    list_filter = [AltTextFilter, "uploaded_at"]
    search_fields = ["alt_text", "caption", "credit", "file"]
    readonly_fields = ["dimensions", "uploaded_by", "uploaded_at", "source_url", "usage"]

    def get_queryset(self, request):
        uses = Post.objects.filter(Q(image=OuterRef("pk")) | Q(body__contains=OuterRef("file")))
        return super().get_queryset(request).annotate(in_use=Exists(uses))

    @admin.display(description="Used", boolean=True, ordering="in_use")
    def in_use(self, image):
        return image.in_use

    @admin.display(description="Used in")
    def usage(self, image):
        posts = image.used_in() if image.pk else []
        links = format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            ((reverse("admin:posts_post_change", args=[post.pk]), post.title) for post in posts),
        )
        return links or "Not used in any post yet."

    @admin.display(description="Image")
    def thumbnail(self, image):
        return format_html('<img src="{}" alt="" width="96" style="height:auto">', image.small_url)

    @admin.display(description="Size")
    def dimensions(self, image):
        return f"{image.width}×{image.height}" if image.width else "—"

    def save_model(self, request, obj, form, change):
        if not change:
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)
