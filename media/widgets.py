"""The featured-image chooser: the chosen library image shown as a thumbnail with its alt text
and caption, and a dialog to search the library or upload into it (static/js/chooser.js).

The field's value stays a hidden input holding the image's id, so the form, its validation and
the autosave read it as they read any other field; the widget itself is not hidden, so the
admin still shows its label.
"""

from django import forms
from django.urls import reverse

from .models import Image


def chooser_entry(image: Image) -> dict:
    """What the chooser shows of an image: the library's thumbnail, alt text and caption."""
    return {
        "id": image.pk,
        "thumbnail": image.rendition_url(320),
        "url": image.file.url,
        "alt": image.alt_text,
        "caption": image.caption,
        "size": f"{image.width}×{image.height}" if image.width else "",
    }


class ImageChooser(forms.Widget):
    template_name = "media/widgets/image_chooser.html"

    class Media:
        css = {"all": ["css/chooser.css"]}
        js = ["js/desk.js", "js/chooser.js"]

    def __init__(self, *, can_upload=False, attrs=None):
        super().__init__(attrs)
        self.can_upload = can_upload

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        chosen = Image.objects.filter(pk=value).first() if str(value or "").isdecimal() else None
        context["chooser"] = {
            "chosen": chooser_entry(chosen) if chosen else None,
            "search_url": reverse("admin:media_image_choose"),
            "upload_url": reverse("markdownx_upload") if self.can_upload else "",
        }
        return context
