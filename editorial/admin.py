"""The editors' home: write with a live preview, attribute authors, tag, schedule and publish;
and the desk's own pages around a post (revisions, previews, the calendar), served by PostAdmin
like the admin's own history page."""

import json

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST, require_safe
from markdownx.widgets import AdminMarkdownxWidget

from media.widgets import ImageChooser
from posts import markup
from posts.admin import ListTitle, MarkdownEditorMedia
from posts.models import Byline, Post

from . import calendar, checks, diff, drafts, editor, previews, revisions, roles, workflow
from .forms import BylineInline, RedirectInline
from .models import PreviewLink


class PostChangeList(ChangeList):
    """A date hierarchy year, month or day that Python's datetime cannot hold, or whose next
    year, month or day it cannot hold, is an invalid lookup (the admin's ?e=1), not an error."""

    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except (ValueError, OverflowError) as error:
            raise IncorrectLookupParameters(error) from error


# Which wins, said where the editor writes it.
FEATURED_OVERRIDES = {
    "image_alt": "For this post only; it wins over the library image's alt text. Leave empty to "
    "use the library's.",
    "image_caption": "For this post only; it wins over the library image's caption. Leave empty "
    "to use the library's.",
}


@admin.register(Post)
class PostAdmin(ListTitle, admin.ModelAdmin):
    form = workflow.ReviewPostForm
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
    radio_fields = {"body_format": admin.HORIZONTAL}
    actions = ["publish", "unpublish"]
    fieldsets = [
        (
            None,
            {"fields": ["title", "slug", "description", "body", "body_format", "content_check"]},
        ),
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
        css = {
            "all": [
                *MarkdownEditorMedia.css["all"],
                "css/review.css",
                "css/drafts.css",
            ]
        }
        js = [*MarkdownEditorMedia.js, "js/editor.js", "js/autosave.js"]

    def get_urls(self):
        """The desk's pages, ahead of the admin's own: its catch-all "<path:object_id>/" would
        otherwise take "12/preview/"."""
        pages = [
            ("<int:post_id>/revisions/", self.revisions_view, "revisions"),
            ("<int:post_id>/revisions/compare/", self.revision_compare_view, "revision_compare"),
            (
                "<int:post_id>/revisions/<int:number>/restore/",
                self.revision_restore_view,
                "revision_restore",
            ),
            ("autosave/", self.autosave_view, "autosave"),
            ("<int:post_id>/autosave/", self.autosave_view, "autosave"),
            ("autosave/discard/", self.discard_autosave_view, "autosave_discard"),
            ("<int:post_id>/autosave/discard/", self.discard_autosave_view, "autosave_discard"),
            ("<int:post_id>/pending/discard/", self.discard_pending_view, "discard_pending"),
            ("<int:post_id>/preview/", self.preview_view, "preview"),
            ("<int:post_id>/share-preview/", self.share_preview_view, "share_preview"),
            ("preview-links/<int:link_id>/revoke/", self.revoke_preview_view, "revoke_preview"),
            ("calendar/", self.calendar_view, "calendar"),
            ("tags/suggest/", self.tag_suggest_view, "tag_suggest"),
        ]
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path(route, self.admin_site.admin_view(view), name=f"{prefix}_{name}")
            for route, view, name in pages
        ] + super().get_urls()

    def get_queryset(self, request):
        posts = super().get_queryset(request).prefetch_related("authors", "tags")
        return roles.visible(request.user, posts)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        """The featured image is chosen from the library by its thumbnail (media/widgets.py);
        the post's own alt text and caption say that they win over the library's."""
        if db_field.name == "image":
            can_upload = request.user.has_perm("media.add_image")
            return db_field.formfield(widget=ImageChooser(can_upload=can_upload))
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name in FEATURED_OVERRIDES:
            field.help_text = FEATURED_OVERRIDES[db_field.name]
        return field

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if obj is not None:
            # content_check() is given only the post, and what it may say depends on who looks.
            obj.shown_to = request.user
        pending = getattr(request, "pending_changes", None)
        initial = drafts.form_initial(pending) if pending else {}
        return type(form.__name__, (form,), {"user": request.user, "pending_initial": initial})

    def get_formset_kwargs(self, request, obj, inline, prefix):
        """Pending changes shown in the form bring their own byline."""
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        pending = getattr(request, "pending_changes", None)
        if pending and isinstance(inline, BylineInline):
            kwargs.update(queryset=Byline.objects.none(), initial=drafts.byline_initial(pending))
        return kwargs

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """The post form, with what it needs for autosave and, for a live post, its pending
        changes: loaded into the form (unless ?live asks for the live version)."""
        post = self.get_object(request, object_id) if object_id else None
        pending = drafts.pending_of(post)
        if pending and request.method == "GET" and "live" not in request.GET:
            request.pending_changes = pending
        key = f"post-{post.pk}" if post else "new-post"
        args = [post.pk] if post else []
        now = timezone.now()
        context = {
            "autosave_key": key,
            "autosave_url": self.admin_url("autosave", *args),
            "autosave_discard_url": self.admin_url("autosave_discard", *args),
            "autosave": drafts.autosave_for_page(
                drafts.autosave_of(request.user, post and post.pk)
            ),
            "is_live": post is not None and workflow.is_live(post),
            "pending": pending and drafts.pending_notice(pending, post),
            "pending_loaded": hasattr(request, "pending_changes"),
            "image_drops": editor.image_drops(request.user),
            # The desk's words, not the admin's "Add post" and "Change post" over the title.
            "title": f"Edit “{post}”" if post else "Write a post",
            "subtitle": None,
            # Each link with its address to copy, and whether its time is up.
            "preview_links": self._preview_links(request, post, now),
            **(extra_context or {}),
        }
        return super().changeform_view(request, object_id, form_url, context)

    @staticmethod
    def _preview_links(request, post, now):
        """Each link with its address to copy and whether its time is up; links that still
        open come first."""
        links = [
            (link, request.build_absolute_uri(previews.url_for(link)), link.expires_at <= now)
            for link in (post.preview_links.select_related("created_by") if post else [])
        ]
        return sorted(links, key=lambda found: bool(found[0].revoked_at or found[2]))

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
        return self.admin_url("preview", post.pk)

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
        if form.keeps_pending:  # kept aside in save_related(): the live post is not touched
            return
        if change:
            revisions.keep_before_change(obj)
        else:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        obj.review_step = form.record_change(request, obj)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        """The review's buttons this user may press on this post, and the post's review so far."""
        can_save = (
            self.has_add_permission(request) if add else self.has_change_permission(request, obj)
        )
        context["review_buttons"] = workflow.buttons(request.user, obj) if can_save else []
        context["review_history"] = workflow.history(obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def response_add(self, request, obj, post_url_continue=None):
        request.review_outcome = workflow.outcome(obj, getattr(obj, "review_step", None))
        return super().response_add(request, obj, post_url_continue)

    def construct_change_message(self, request, form, formsets, add=False):
        if getattr(request, "kept_pending", False):  # the history says the post did not change
            return "Kept changes aside as pending changes; the live post is unchanged."
        return super().construct_change_message(request, form, formsets, add)

    def response_change(self, request, obj):
        if getattr(request, "kept_pending", False):
            self.message_user(
                request,
                f"Kept your changes to “{Post.objects.get(pk=obj.pk)}” aside as pending "
                "changes; readers still see the live article until they are saved.",
                messages.SUCCESS,
            )
            return HttpResponseRedirect(request.path)
        request.review_outcome = workflow.outcome(obj, getattr(obj, "review_step", None))
        return super().response_change(request, obj)

    def message_user(self, request, message, level=messages.INFO, *args, **kwargs):
        """The admin's "was changed successfully" says instead what the save did to the post."""
        outcome = getattr(request, "review_outcome", None)
        if outcome and level == messages.SUCCESS:
            message, request.review_outcome = outcome, None
        super().message_user(request, message, level, *args, **kwargs)

    def save_formset(self, request, form, formset, change):
        """The byline inline is written through Post.set_authors(), like every byline, each
        author with the name as the post credits them (BylineFormSet.authors)."""
        if formset.model is not Byline:
            return super().save_formset(request, form, formset, change)
        form.instance.set_authors(formset.authors())
        # The admin's change message reads these; the revision records the byline itself.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def save_related(self, request, form, formsets, change):
        if form.keeps_pending:
            [byline] = [formset for formset in formsets if formset.model is Byline]
            drafts.pending_from_form(form.instance, form, byline, request.user)
            drafts.forget_autosave(request.user, form.instance.pk)
            request.kept_pending = True
            return
        super().save_related(request, form, formsets, change)
        revisions.record(form.instance, request.user)
        # What the form held is on the post now: the copies kept aside are done with.
        drafts.forget_autosave(request.user, form.instance.pk if change else None)
        drafts.discard_pending(form.instance)
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
        return checks.checks_html(post, post.shown_to)

    @admin.display(description="Authors")
    def byline(self, post):
        return ", ".join(author.credited_name for author in post.authors.all())

    @admin.display(description="Status", ordering="status")
    def state(self, post):
        return post.status_label

    @admin.display(description="Tags")
    def tag_list(self, post):
        return ", ".join(tag.name for tag in post.tag_list)

    @admin.action(
        description="Publish selected posts (now, unless a date is set)",
        permissions=["publish"],
    )
    def publish(self, request, queryset):
        count = self.change_status(request, queryset, Post.Status.PUBLISHED)
        self.message_user(request, f"Published {markup.counted(count, 'post')}.", messages.SUCCESS)

    @admin.action(description="Unpublish selected posts (back to draft)", permissions=["publish"])
    def unpublish(self, request, queryset):
        count = self.change_status(request, queryset, Post.Status.DRAFT)
        self.message_user(
            request, f"Unpublished {markup.counted(count, 'post')}.", messages.SUCCESS
        )

    def change_status(self, request, queryset, status) -> int:
        """Each post the user may publish is saved (a new version, revision and review step),
        all or none; others are not touched. An editor with the post open is then told, not
        overwritten."""
        posts = [post for post in queryset if roles.can_publish(request.user, post)]
        if len(posts) < queryset.count():
            raise PermissionDenied
        with transaction.atomic():
            for post in posts:
                before = workflow.stage(post)
                revisions.keep_before_change(post)
                post.status = status
                post.save()
                revisions.record(
                    post, request.user, note=f"Status set to {post.get_status_display()}"
                )
                workflow.record_change(request, post, before)
        return len(posts)

    # The desk's pages (get_urls() wraps each in admin_site.admin_view: staff only).

    def admin_url(self, page, *args) -> str:
        """The address of one of this model's admin pages ("change", "revisions"...)."""
        name = f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_{page}"
        return reverse(name, args=args, current_app=self.admin_site.name)

    def desk_page(self, request, template, **context):
        """A page of the desk in the admin's frame, with its styles."""
        request.current_app = self.admin_site.name
        page = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "subtitle": None,
            "media": self.media["css"],
            **context,
        }
        return TemplateResponse(request, f"admin/posts/post/{template}", page)

    def viewable_post(self, request, post_id):
        """The post, if this user may view it here; 404 for one the admin hides from them."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        return self.post_allowed(request, post_id, self.has_view_or_change_permission)

    def post_allowed(self, request, post_id, permission):
        """The post with everything its page prints, 404 if the admin hides it from this user,
        403 if `permission` refuses it."""
        post = get_object_or_404(self.get_queryset(request).for_page(), pk=post_id)
        if not permission(request, post):
            raise PermissionDenied
        return post

    def revision_page(self, request, post, template, title, **context):
        return self.desk_page(
            request,
            template,
            title=title,
            post=post,
            time_zone=timezone.get_default_timezone(),
            can_restore=self.has_change_permission(request, post),
            post_is_live=workflow.is_live(post),
            history_url=self.admin_url("revisions", post.pk),
            **context,
        )

    def revisions_view(self, request, post_id):
        """Every revision of the post, newest first, each with what it changed."""
        post = self.viewable_post(request, post_id)
        history = list(post.revisions.select_related("created_by").order_by("-number"))
        current = revisions.as_stored(revisions.snapshot(post))
        rows = [
            {
                "revision": revision,
                "summary": diff.summary(older.data if older else None, revision.data),
                "is_current": index == 0 and revisions.as_stored(revision.data) == current,
            }
            for index, (revision, older) in enumerate(
                zip(history, [*history[1:], None], strict=True)
            )
        ]
        return self.revision_page(
            request,
            post,
            "revisions.html",
            f"Revisions of “{post}”",
            rows=rows,
            default_from=history[1].number if len(history) > 1 else None,
            default_to=history[0].number if history else None,
        )

    def revision_compare_view(self, request, post_id):
        """Two revisions side by side: ?from= and ?to=, by default the latest and the one before."""
        post = self.viewable_post(request, post_id)
        history = list(post.revisions.select_related("created_by").order_by("-number"))
        if not history:
            raise Http404("This post has no revisions yet.")
        by_number = {revision.number: revision for revision in history}

        def chosen(key, default):
            value = request.GET.get(key, "")
            if not value:
                return default
            try:
                return by_number[int(value)]
            except (ValueError, KeyError):
                raise Http404(f"No revision {value} of this post.") from None

        new = chosen("to", history[0])
        old = chosen("from", history[1] if len(history) > 1 else history[0])
        return self.revision_page(
            request,
            post,
            "revision_compare.html",
            f"Revision {old.number} → revision {new.number} of “{post}”",
            old=old,
            new=new,
            revisions=history,
            entries=diff.changes(old.data, new.data),
        )

    @method_decorator(require_POST)
    def revision_restore_view(self, request, post_id, number):
        """A revision restored onto a live post is loaded into its form as pending changes:
        readers see it only once someone saves the form. Onto a post readers cannot see, it is
        restored in place (status and date kept)."""
        post = get_object_or_404(self.get_queryset(request), pk=post_id)
        if not self.has_change_permission(request, post):
            raise PermissionDenied
        revision = get_object_or_404(post.revisions, number=number)
        if workflow.is_live(post):
            drafts.restore_onto_live(post, revision, request.user)
            self.message_user(
                request,
                f"Revision {revision.number} is loaded into the form below as pending changes. "
                "The live article is unchanged until they are saved.",
                messages.SUCCESS,
            )
            return HttpResponseRedirect(post.get_admin_url())
        restored = revisions.restore(post, revision, request.user)
        self.message_user(
            request,
            f"Restored revision {revision.number}; the post is now revision {restored.number}.",
            messages.SUCCESS,
        )
        if restored.skipped:
            self.message_user(
                request, "Kept as they were: " + "; ".join(restored.skipped) + ".", messages.WARNING
            )
        return HttpResponseRedirect(post.get_admin_url())

    @method_decorator(require_POST)
    def autosave_view(self, request, post_id=None):
        """The post form as the editor's browser holds it, kept aside: {"saved_at": ...}."""
        post = self.editable_post(request, post_id)
        if len(request.body) > drafts.AUTOSAVE_LIMIT:
            return JsonResponse({"error": "This form is too large to autosave."}, status=413)
        try:
            draft = drafts.keep_autosave(request.user, post, json.loads(request.body))
        except (ValueError, drafts.AutosaveError) as error:
            reason = str(error) if isinstance(error, drafts.AutosaveError) else "It is not JSON."
            return JsonResponse({"error": f"The autosave was refused: {reason}"}, status=400)
        return JsonResponse({"saved_at": draft.updated_at.isoformat()})

    @method_decorator(require_POST)
    def discard_autosave_view(self, request, post_id=None):
        self.editable_post(request, post_id)
        drafts.forget_autosave(request.user, post_id)
        return JsonResponse({"discarded": True})

    def editable_post(self, request, post_id):
        """The post (None for one being added) if this user may change it; 403 otherwise."""
        if post_id is None:
            if not self.has_add_permission(request):
                raise PermissionDenied
            return None
        return self.post_allowed(request, post_id, self.has_change_permission)

    @method_decorator(require_POST)
    def discard_pending_view(self, request, post_id):
        post = self.post_allowed(request, post_id, self.has_change_permission)
        drafts.discard_pending(post)
        self.message_user(request, f"Discarded the pending changes to “{post}”.", messages.SUCCESS)
        return HttpResponseRedirect(post.get_admin_url())

    @method_decorator(require_safe)
    def preview_view(self, request, post_id):
        """Any post the admin lets this user view, draft, scheduled or published."""
        post = self.post_allowed(request, post_id, self.has_view_or_change_permission)
        return previews.render_preview(request, post, shared=False)

    @method_decorator(require_POST)
    def share_preview_view(self, request, post_id):
        post = self.post_allowed(request, post_id, self.has_change_permission)
        link = previews.share(post, request.user)
        self.message_user(
            request,
            "Preview link made: copy it from Preview links below; "
            f"valid until {previews.when(link.expires_at)}.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(post.get_admin_url())

    @method_decorator(require_POST)
    def revoke_preview_view(self, request, link_id):
        link = get_object_or_404(PreviewLink, pk=link_id)
        post = self.post_allowed(request, link.post_id, self.has_change_permission)
        already = link.revoked_at is not None
        previews.revoke(link, request.user)
        self.message_user(
            request,
            f"Preview link #{link.pk} to “{post}” was already revoked."
            if already
            else f"Revoked preview link #{link.pk} to “{post}”: it no longer opens.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(post.get_admin_url())

    def calendar_view(self, request):
        """A month's posts, day by day in the site's time zone; undated drafts last."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        month = calendar.month_of(request.GET.get("month"))
        posts = calendar.month_posts(self.get_queryset(request), month)
        return self.desk_page(
            request,
            "calendar.html",
            changelist_url=self.admin_url("changelist"),
            **calendar.month_context(posts, month),
        )

    def tag_suggest_view(self, request):
        """{"tags": [...]}: existing tag names for the tag field's autocomplete (?q=)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        tags = self.opts.get_field("tags").remote_field.model.objects
        query = request.GET.get("q", "").strip()
        return JsonResponse({"tags": calendar.tag_suggestions(tags, query)})


def view_on_site(request, content_type_id, object_id):
    """The admin's "View on site", only for what this user may open in the admin: the address
    it redirects to would tell anyone an embargoed post's slug."""
    content_type = ContentType.objects.filter(pk=content_type_id).first()
    model_admin = admin.site._registry.get(content_type and content_type.model_class())
    found = model_admin and model_admin.get_object(request, object_id)
    if not found or not model_admin.has_view_or_change_permission(request, found):
        raise Http404("No such object.")
    return shortcut(request, content_type_id, object_id)
