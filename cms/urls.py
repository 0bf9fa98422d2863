import re

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from editorial import editor, previews
from editorial.admin import view_on_site
from media.views import media

admin.site.site_header = f"{settings.QUIRE_SITE_NAME} · Quire"
admin.site.site_title = "Quire"
admin.site.index_title = "Editorial desk"

urlpatterns = [
    # markdownx's own urls.py has no permission check; these staff-only views keep its URL names.
    path("markdownx/markdownify/", editor.preview, name="markdownx_markdownify"),
    path("markdownx/upload/", editor.upload, name="markdownx_upload"),
    # Before the admin's own, which would redirect anyone on staff to any object's address.
    path(
        "admin/r/<int:content_type_id>/<path:object_id>/",
        admin.site.admin_view(view_on_site),
        name="view_on_site",
    ),
    # The library's admin pages moved with it from the posts app.
    re_path(
        r"^admin/posts/image/(?P<rest>.*)$", RedirectView.as_view(url="/admin/media/image/%(rest)s")
    ),
    path("admin/", admin.site.urls),
    *previews.public_urls(),
    path("", include("search.urls")),
    path("", include("posts.urls")),
]

if settings.MEDIA_URL.startswith("/"):
    # Served only when QUIRE_SERVE_MEDIA says so; the view answers 404 otherwise.
    media_prefix = re.escape(settings.MEDIA_URL.lstrip("/"))
    urlpatterns.insert(-1, re_path(rf"^{media_prefix}(?P<path>.*)$", media, name="media"))
