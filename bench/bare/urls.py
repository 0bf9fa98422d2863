from pathlib import Path

from django.conf import settings
from django.shortcuts import render
from django.urls import path

# Read once per worker: the view renders it from memory, as Quire renders from its database.
PAGE = Path(settings.BARE_PAGE_FILE).read_text(encoding="utf-8")


def page(request):
    return render(request, "page.html", {"page": PAGE})


urlpatterns = [path("", page)]
