"""Authors, sections, old URLs and tags in the admin (posts themselves are the editorial desk's)."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models
from markdownx.widgets import AdminMarkdownxWidget
from taggit.admin import TagAdmin as TaggitTagAdmin
from taggit.models import Tag

from media.forms import UPLOADS

from .models import Author, Redirect, Section


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
    """An old URL leads to a post, or to a target path (a feed, a listing page): one of them."""

    fields = ["old_path", "post", "target"]
    list_display = ["old_path", "post", "target", "created_at"]
    # The post is nullable: the admin's own select_related() would leave it out.
    list_select_related = ["post"]
    search_fields = ["old_path", "target", "post__title", "post__slug"]
    autocomplete_fields = ["post"]


@admin.register(Section)
class SectionAdmin(SlugFromName, admin.ModelAdmin):
    prepopulated_fields = {"slug": ["name"]}
    list_display = ["name", "slug"]
    search_fields = ["name"]


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
