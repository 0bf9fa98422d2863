"""The post form: only the statuses and dates the editor may set, tags taggit can store, a slug
that takes no other post's old URL, and no save over someone else's newer one; and its two
inline formsets, the byline in order and the old URLs."""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.utils import timezone
from taggit.models import Tag

from posts.models import Byline, Post, Redirect, post_path

from . import roles


class BylineForm(forms.ModelForm):
    def validate_unique(self):
        """The byline is written whole (Post.set_authors()), never row by row: a row naming an
        author the stored byline already has is no clash. The formset still refuses one author
        named twice."""


class BylineFormSet(forms.BaseInlineFormSet):
    """Without the right to edit others' posts, a writer names only themselves: other authors
    stay in a byline only where an editor put them."""

    user = None  # set per request by BylineInline.get_formset

    def authors(self) -> list[tuple]:
        """The byline the valid form gives, as (author, credited as): in the order of the
        positions given, rows without one after, as they stand in the form."""
        kept = [
            (row.cleaned_data.get("position"), index, row.cleaned_data)
            for index, row in enumerate(self.forms)
            if row.cleaned_data.get("author") and not row.cleaned_data.get("DELETE")
        ]
        kept.sort(key=lambda entry: (entry[0] is None, entry[0] or 0, entry[1]))
        return [(row["author"], row.get("credited_as", "")) for _, _, row in kept]

    def clean(self):
        super().clean()
        if self.user is None or self.user.has_perm("posts.edit_others_posts"):
            return
        stored = set()
        if self.instance.pk:
            stored = set(self.instance.bylines.values_list("author_id", flat=True))
        added = [
            row.cleaned_data["author"]
            for row in self.forms
            if row.cleaned_data.get("author") and not row.cleaned_data.get("DELETE")
        ]
        others = [
            author.name
            for author in added
            if author.user_id != self.user.pk and author.pk not in stored
        ]
        if others:
            raise forms.ValidationError(
                f"You can name only yourself in a byline; an editor can add {', '.join(others)}."
            )


class BylineInline(admin.TabularInline):
    model = Byline
    form = BylineForm
    formset = BylineFormSet
    autocomplete_fields = ["author"]
    fields = ["author", "credited_as", "position"]
    verbose_name = "author"
    verbose_name_plural = "Byline (in order; leave position empty to add at the end)"

    def get_extra(self, request, obj=None, **kwargs):
        """One empty row, or a row for each author of the pending changes the form shows."""
        pending = getattr(request, "pending_changes", None)
        return len(pending.data.get("authors", [])) if pending else 1

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (formset,), {"user": request.user})


class RedirectInline(admin.TabularInline):
    model = Redirect
    extra = 0
    fields = ["old_path"]
    verbose_name = "old URL"
    verbose_name_plural = "Old URLs (answered with a permanent redirect to this post)"


class PostForm(forms.ModelForm):
    """The post form: statuses the editor may set, and no save over someone else's newer one."""

    # The version the editor started from; a newer one in the database means someone saved since.
    # Text, so that a missing or garbled one is refused with a message the editor sees (a hidden
    # field's own error is hidden with it).
    started_from = forms.CharField(widget=forms.HiddenInput, required=False)

    user = None  # set per request by PostAdmin.get_form
    # The pending changes the form opens with, as initial values (editorial/drafts.py).
    pending_initial = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.update(self.pending_initial)
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
