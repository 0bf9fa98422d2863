"""The markdownx editor's two endpoints, for staff only.

markdownx's stock views render unsanitised previews and store whatever anyone uploads;
these keep its URL names and response format so the widget's JavaScript works unchanged.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.views.decorators.http import require_POST

from media.intake import reencode_upload
from media.models import Image, responsive_images
from media.widgets import chooser_entry
from posts import markup
from posts.models import Post

# The live preview's rendering of a text in each format a post's body may be written in.
RENDERERS = {Post.BodyFormat.MARKDOWN: markup.render, Post.BodyFormat.HTML: markup.render_html}


def staff_only(view):
    """Anonymous and non-staff requests get 403 before any work is done."""

    @wraps(view)
    def guarded(request, *args, **kwargs):
        if not (request.user.is_active and request.user.is_staff):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return guarded


@require_POST
@staff_only
def preview(request):
    """The live preview is the public page's own rendering, byte for byte, in the format the
    post form names: ?format=html for a post written in HTML (static/js/editor.js sets it)."""
    render = RENDERERS.get(request.GET.get("format", Post.BodyFormat.MARKDOWN))
    if render is None:
        return HttpResponseBadRequest("The format is markdown or html.")
    return HttpResponse(responsive_images(render(request.POST.get("content", ""))))


# What a drop (static/js/images.js) is told when the user may not upload: the page says it too.
NO_UPLOAD_RIGHT = (
    "You may not upload images. Ask an editor to add this image to the media library, then "
    "choose it from there."
)


def image_drops(user) -> dict:
    """What a form with Markdown fields tells static/js/images.js (admin/_image_drops.html)."""
    return {"can_upload": user.has_perm("media.add_image"), "refusal": NO_UPLOAD_RIGHT}


@require_POST
def upload(request):
    """A dropped image joins the media library, its alt text with it, and comes back as
    Markdown to insert; every refusal is JSON naming the reason, which the editor shows."""
    if not (request.user.is_active and request.user.is_staff):
        return JsonResponse({"image": ["Log in to the admin to upload images."]}, status=403)
    if not request.user.has_perm("media.add_image"):
        return JsonResponse({"image": [NO_UPLOAD_RIGHT]}, status=403)
    files = request.FILES.getlist("image")
    if len(files) != 1:
        return JsonResponse({"image": ["Send exactly one image."]}, status=400)
    try:
        clean = reencode_upload(files[0])
    except ValidationError as error:
        return JsonResponse({"image": error.messages}, status=400)
    alt_text = request.POST.get("alt", "").strip()
    with transaction.atomic():
        image = Image.objects.create(file=clean, alt_text=alt_text, uploaded_by=request.user)
    label = alt_text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
    return JsonResponse(
        {"image_code": f"![{label}]({image.file.url})", "image": chooser_entry(image)}
    )
