"""The editors' home: write with a live preview, attribute authors, tag, schedule and publish."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from markdownx.widgets import AdminMarkdownxWidget
from taggit.admin import TagAdmin as TaggitTagAdmin
from taggit.models import Tag

from . import editorial, previews, revisions, roles
from .images import reencode_upload
from .models import Author, Byline, Image, Post, Redirect, Section, post_path


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


class SlugFromName:
    """A slug left empty is made from the name (posts.slugs): the admin's script fills it only
    from letters it keeps, and a name of emoji or punctuation has none."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "slug":
            field.required = False
            field.help_text = "Leave empty to make one from the name."
        return field


class MarkdownEditorMedia:
    css = {"all": ["css/editor.css"]}


class PostForm(forms.ModelForm):
    """The post form: statuses the editor may set, and no save over someone else's newer one."""

    # The version the editor started from; a newer one in the database means someone saved since.
    # Text, so that a missing or garbled one is refused with a message the editor sees (a hidden
    # field's own error is hidden with it).
    started_from = forms.CharField(widget=forms.HiddenInput, required=False)

    user = None  # set per request by PostAdmin.get_form

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["started_from"].initial = self.instance.version
        allowed = roles.allowed_statuses(self.user, self.instance)
        status = self.fields.get("status")
        if status is not None:
            status.choices = [c for c in Post.Status.choices if c[0] in allowed]
        published_at = self.fields.get("published_at")
        if published_at is not None:
            published_at.help_text = (
                f"{published_at.help_text} In the site's time zone, {settings.TIME_ZONE}."
            )

    def clean_tags(self):
        """A tag longer than taggit stores is named here, not cut or refused by the database."""
        tags = self.cleaned_data["tags"]
        longest = Tag._meta.get_field("name").max_length
        too_long = [name for name in tags if len(name) > longest]
        if too_long:
            names = ", ".join(f"“{name[:40]}…”" for name in too_long)
            raise forms.ValidationError(f"Tags are at most {longest} characters: shorten {names}.")
        return tags

    def clean_slug(self):
        """A new slug whose URL is another post's old URL is refused: that URL sends readers on to
        the other post, and a rename never takes it over."""
        slug = self.cleaned_data["slug"]
        path = post_path(slug)
        if (
            slug != self.instance.slug
            and Redirect.objects.filter(old_path=path).exclude(post=self.instance.pk).exists()
        ):
            raise forms.ValidationError(
                f"{path} is an old URL of another post and sends readers there: "
                "choose another slug."
            )
        return slug

    def clean(self):
        cleaned = super().clean()
        # On the server, whatever the form offered: a status or date the user may not set.
        for field, message in roles.publication_errors(self.user, self.instance, cleaned).items():
            self.add_error(field, message)
        if self.instance.pk:
            self.refuse_a_stale_save()
        return cleaned

    def refuse_a_stale_save(self):
        """A change must say which version it started from, and be refused if that is not the
        latest.

        The admin validates inside the save's transaction (changeform_view is atomic), so the row
        locked here (on SQLite, the whole file, from the transaction's start) stays locked until
        the save commits: two saves cannot both pass this check.
        """
        started_from = self.cleaned_data.get("started_from", "")
        if not started_from.isdecimal():
            raise forms.ValidationError(
                "This form does not say which version of the post it was opened from (its "
                "started_from field is missing or not a number), so your changes were not saved. "
                "They are still in this form: copy what you need, then open the post again."
            )
        current = Post.objects.select_for_update().filter(pk=self.instance.pk).first()
        if current is None or current.version == int(started_from):
            return
        last = current.revisions.select_related("created_by").first()
        who = (
            (last.created_by.get_full_name() or last.created_by.get_username())
            if (last and last.created_by)
            else "Someone"
        )
        when = timezone.localtime(current.updated_at).strftime("%d %b %Y, %H:%M:%S %Z")
        raise forms.ValidationError(
            f"{who} saved this post at {when}, after you opened it, so your changes were not "
            "saved. They are still in this form: copy what you need, then open the post again "
            "to see the newer version."
        )


class PostChangeList(ChangeList):
    """A date hierarchy year, month or day that Python's datetime cannot hold, or whose next
    year, month or day it cannot hold, is an invalid lookup (the admin's ?e=1), not an error."""

    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except (ValueError, OverflowError) as error:
            raise IncorrectLookupParameters(error) from error


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    form = PostForm
    formfield_overrides = {
        models.TextField: {"widget": AdminMarkdownxWidget},
        # A typed "journal.example.org/…" means the secure address.
        models.URLField: {"assume_scheme": "https"},
    }
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
        (
            "Publication",
            {
                "fields": [
                    "status",
                    "published_at",
                    "section",
                    "tags",
                    "canonical_url",
                    "started_from",
                ]
            },
        ),
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

    class Media:
        css = MarkdownEditorMedia.css
        js = ["js/editor.js"]

    def get_urls(self):
        return (
            revisions.admin_urls(self)
            + previews.admin_urls(self)
            + editorial.admin_urls(self)
            + super().get_urls()
        )

    def get_queryset(self, request):
        posts = super().get_queryset(request).prefetch_related("authors", "tags")
        return roles.visible(request.user, posts)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if obj is not None:
            # content_check() is given only the post, and what it may say depends on who looks.
            obj.shown_to = request.user
        return type(form.__name__, (form,), {"user": request.user})

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or roles.can_edit(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or roles.can_delete(request.user, obj))

    def has_publish_permission(self, request):
        return request.user.has_perm("posts.publish_post")

    def view_on_site(self, post):
        """The public page once readers can see it; until then, the preview."""
        if Post.objects.published().filter(pk=post.pk).exists():
            return post.get_absolute_url()
        return reverse("admin:posts_post_preview", args=[post.pk])

    def get_object(self, request, object_id, from_field=None):
        """Another's post a role may not see is not found (the admin would redirect home)."""
        post = super().get_object(request, object_id, from_field)
        if post is None:
            raise Http404("No such post.")
        return post

    def get_changelist(self, request, **kwargs):
        return PostChangeList

    def changelist_view(self, request, extra_context=None):
        if request.method == "POST":
            roles.check_action(request.user, self.get_actions(request), request.POST)
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        if change:
            revisions.keep_before_change(obj)
        else:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        revisions.record(form.instance, request.user)
        missing = form.instance.images_missing_alt()
        if missing:
            self.message_user(
                request,
                f"{len(missing)} image(s) have no alt text: {', '.join(missing)}. Write it in "
                "the Markdown, ![what it shows](…), or in the media library.",
                messages.WARNING,
            )

    @admin.display(description="Content check")
    def content_check(self, post):
        if not post.pk:
            return "Checked when the post is saved."
        return editorial.checks_html(post, post.shown_to)

    @admin.display(description="Authors")
    def byline(self, post):
        return ", ".join(author.name for author in post.authors.all())

    @admin.display(description="Status", ordering="status")
    def state(self, post):
        return "Scheduled" if post.is_scheduled else post.get_status_display()

    @admin.display(description="Tags")
    def tag_list(self, post):
        return ", ".join(tag.name for tag in post.tag_list)

    @admin.action(
        description="Publish selected posts (now, unless a date is set)",
        permissions=["publish"],
    )
    def publish(self, request, queryset):
        count = self.change_status(request, queryset, Post.Status.PUBLISHED)
        self.message_user(request, f"Published {count} post(s).", messages.SUCCESS)

    @admin.action(description="Unpublish selected posts (back to draft)", permissions=["publish"])
    def unpublish(self, request, queryset):
        count = self.change_status(request, queryset, Post.Status.DRAFT)
        self.message_user(request, f"Unpublished {count} post(s).", messages.SUCCESS)

    def change_status(self, request, queryset, status) -> int:
        """Each post the user may publish is saved (a new version and revision); others are not
        touched. An editor with the post open is then told, not overwritten."""
        posts = [post for post in queryset if roles.can_publish(request.user, post)]
        if len(posts) < queryset.count():
            raise PermissionDenied
        for post in posts:
            revisions.keep_before_change(post)
            post.status = status
            post.save()
            revisions.record(post, request.user, note=f"Status set to {post.get_status_display()}")
        return len(posts)


@admin.register(Author)
class AuthorAdmin(SlugFromName, admin.ModelAdmin):
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
class SectionAdmin(SlugFromName, admin.ModelAdmin):
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
        # Absent when the admin shows the image read-only.
        if "alt_text" in self.fields:
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

    def get_object(self, request, object_id, from_field=None):
        image = super().get_object(request, object_id, from_field)
        if image is not None:
            # "Used in" names only posts the viewer may open: the others' titles are not theirs.
            image.openable_uses = roles.visible(request.user, image.used_in())
        return image

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or roles.can_change_image(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or roles.can_change_image(request.user, obj))

    @admin.display(description="Used in")
    def usage(self, image):
        # An unsaved image (the add page) is in no post.
        posts = getattr(image, "openable_uses", [])
        links = format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            ((reverse("admin:posts_post_change", args=[post.pk]), post.title) for post in posts),
        )
        return links or "Not used in any post you can open."

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


admin.site.unregister(Tag)


@admin.register(Tag)
class TagAdmin(SlugFromName, TaggitTagAdmin):
    """taggit's own, with merging limited to those who may change tags (it checks only staff)."""

    @admin.action(description="Merge selected tags", permissions=["change"])
    def render_tag_form(self, request, queryset):
        return super().render_tag_form(request, queryset)

    def merge_tags_view(self, request):
        if not self.has_change_permission(request):
            raise PermissionDenied
        return super().merge_tags_view(request)


def view_on_site(request, content_type_id, object_id):
    """The admin's "View on site", only for what this user may open in the admin: the address
    it redirects to would tell anyone an embargoed post's slug."""
    content_type = ContentType.objects.filter(pk=content_type_id).first()
    model_admin = admin.site._registry.get(content_type and content_type.model_class())
    found = model_admin and model_admin.get_object(request, object_id)
    if not found or not model_admin.has_view_or_change_permission(request, found):
        raise Http404("No such object.")
    return shortcut(request, content_type_id, object_id)
