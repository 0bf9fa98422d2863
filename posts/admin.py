"""Authors, sections, old URLs and tags in the admin (posts themselves are the editorial desk's)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.encoding import uri_to_iri
from django.utils.text import capfirst
from markdownx.widgets import AdminMarkdownxWidget
from taggit.admin import TagAdmin as TaggitTagAdmin
from taggit.models import Tag

from editorial import editor
from media.forms import UPLOADS
from search.index import deferred

from . import markup, tagging
from .forms import AuthorForm, MergeTagsForm, TagForm
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
    css = {"all": ["css/editor.css", "css/images.css"]}
    # Images dropped into the Markdown (the form includes admin/_image_drops.html).
    js = ["js/desk.js", "js/images.js"]


class ListTitle:
    """A change list is titled as the desk names it, "Authors", not "Select author to change"."""

    def changelist_view(self, request, extra_context=None):
        title = capfirst(self.opts.verbose_name_plural)
        return super().changelist_view(request, {"title": title, **(extra_context or {})})


@admin.register(Author)
class AuthorAdmin(ListTitle, SlugFromName, admin.ModelAdmin):
    Media = MarkdownEditorMedia
    form = AuthorForm
    prepopulated_fields = {"slug": ["name"]}
    list_display = ["name", "affiliation", "user"]
    search_fields = ["name", "affiliation"]
    autocomplete_fields = ["user"]
    formfield_overrides = {models.TextField: {"widget": AdminMarkdownxWidget}, **UPLOADS}

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        context = {"image_drops": editor.image_drops(request.user), **(extra_context or {})}
        return super().changeform_view(request, object_id, form_url, context)


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
class SectionAdmin(ListTitle, SlugFromName, admin.ModelAdmin):
    prepopulated_fields = {"slug": ["name"]}
    list_display = ["name", "slug"]
    search_fields = ["name"]


admin.site.unregister(Tag)


@admin.register(Tag)
class TagAdmin(ListTitle, SlugFromName, TaggitTagAdmin):
    """taggit's own, with one tag per name whatever its case, old slugs that keep answering,
    and merging limited to those who may change and delete tags (taggit checks only staff)."""

    form = TagForm

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        old_slug = form.initial.get("slug")
        if change and old_slug and old_slug != obj.slug:
            tagging.record_old_slug(obj, old_slug)

    def has_merge_permission(self, request):
        return self.has_change_permission(request) and self.has_delete_permission(request)

    @admin.action(description="Merge selected tags", permissions=["merge"])
    def render_tag_form(self, request, queryset):
        # The merge page reads them where taggit's action leaves them.
        request.session["selected_tag_ids"] = ",".join(str(tag.pk) for tag in queryset)
        return redirect("admin:taggit_tag_merge_tags")

    def merge_tags_view(self, request):
        """The selected tags become one, in one transaction: their posts carry it, their URLs
        redirect to its, and they are deleted."""
        if not self.has_merge_permission(request):
            raise PermissionDenied
        selected = request.session.get("selected_tag_ids", "").split(",")
        ids = [pk for pk in selected if pk.isdecimal()]
        tags = list(Tag.objects.filter(pk__in=ids).order_by("name"))
        if not tags:
            self.message_user(request, "Select the tags to merge first.", messages.WARNING)
            return redirect("admin:taggit_tag_changelist")
        form = MergeTagsForm(request.POST or None, tags=tags)
        if form.is_valid():
            target, moved = self.merge(form.cleaned_data["new_tag_name"], tags)
            request.session.pop("selected_tag_ids", None)
            self.message_user(request, self.merged_message(target, tags, moved), messages.SUCCESS)
            return redirect("admin:taggit_tag_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": "Merge tags",
            "opts": self.opts,
            "form": form,
            "selected_tag_ids": ids,
        }
        return TemplateResponse(request, "admin/taggit/merge_tags_form.html", context)

    def merge(self, name, tags):
        """The tag named `name` (any case; created if none is) takes the place of `tags`."""
        with transaction.atomic(), deferred():
            target = Tag.objects.filter(name__iexact=name).first() or Tag.objects.create(name=name)
            if target.name != name:  # the spelling typed is the one wanted
                target.name = name
                target.save(update_fields=["name"])
            return target, tagging.merge_tags(target, tags)

    @staticmethod
    def merged_message(target, tags, moved) -> str:
        merged = [tag for tag in tags if tag.pk != target.pk]
        if not merged:
            return f"Nothing to merge: “{target.name}” was the only tag selected."
        names = ", ".join(f"“{tag.name}”" for tag in merged)
        urls = ", ".join(tag_url(tag.slug) for tag in merged)
        return (
            f"Merged {names} into “{target.name}” ({markup.counted(len(moved), 'post')} moved "
            f"to it); {urls} now {'redirects' if len(merged) == 1 else 'redirect'} to "
            f"{tag_url(target.slug)}."
        )


def tag_url(slug: str) -> str:
    return uri_to_iri(reverse("posts:tag", kwargs={"slug": slug}))
