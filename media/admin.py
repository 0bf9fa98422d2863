"""The image library in the admin: alt text required, replaced files re-rendered, and each
image changed only by whoever may (its uploader, or an editor)."""

from django.contrib import admin
from django.db.models import Exists, OuterRef
from django.http import JsonResponse
from django.urls import path
from django.utils.html import format_html, format_html_join

from editorial import roles
from posts.admin import ListTitle
from posts.models import Post

from .forms import UPLOADS, ImageForm
from .models import Image
from .widgets import chooser_entry

CHOOSER_RESULTS = 24


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


@admin.register(Image)
class ImageAdmin(ListTitle, admin.ModelAdmin):
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

    def get_urls(self):
        choose = self.admin_site.admin_view(self.choose_view)
        return [path("choose/", choose, name="media_image_choose"), *super().get_urls()]

    def choose_view(self, request):
        """The featured-image chooser's search (media/widgets.py): the images newest first,
        those matching ?q= by alt text, caption, credit or file name."""
        if not self.has_view_permission(request):
            return JsonResponse({"error": "You may not view the media library."}, status=403)
        images = Image.objects.order_by("-uploaded_at", "-pk")
        query = request.GET.get("q", "").strip()
        if query:
            images, _ = self.get_search_results(request, images, query)
        # One more than shown tells whether there are more, without counting them all.
        found = [chooser_entry(image) for image in images[: CHOOSER_RESULTS + 1]]
        return JsonResponse(
            {"results": found[:CHOOSER_RESULTS], "more": len(found) > CHOOSER_RESULTS}
        )

    def get_queryset(self, request):
        uses = Post.objects.showing(OuterRef("pk"), OuterRef("file"))
        return super().get_queryset(request).annotate(in_use=Exists(uses))

    @admin.display(description="Used", boolean=True, ordering="in_use")
    def in_use(self, image):
        return image.in_use

    def get_object(self, request, object_id, from_field=None):
        image = super().get_object(request, object_id, from_field)
        if image is not None:
            # "Used in" names only posts the viewer may open: the others' titles are not theirs.
            image.openable_uses = roles.visible(
                request.user, Post.objects.showing(image.pk, image.file.name)
            )
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
            ((post.get_admin_url(), post.title) for post in posts),
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
