from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from posts import editor

admin.site.site_header = f"{settings.QUIRE_SITE_NAME} · Quire"
admin.site.site_title = "Quire"
admin.site.index_title = "Editorial desk"

urlpatterns = [
    # markdownx's own urls.py has no permission check; these staff-only views keep its URL names.
    path("markdownx/markdownify/", editor.preview, name="markdownx_markdownify"),
    path("markdownx/upload/", editor.upload, name="markdownx_upload"),
    path("admin/", admin.site.urls),
    path("", include("posts.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
