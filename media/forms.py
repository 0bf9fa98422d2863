"""The library's form fields: whatever a form uploads is stored only as the intake re-encodes it."""

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db import models

from .intake import reencode_upload
from .models import Image


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
