"""The least Django needs to render a template: no database, no apps, no middleware."""

import os
import secrets
from pathlib import Path

DEBUG = False
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(50)
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bare.urls"
WSGI_APPLICATION = "bare.wsgi.application"
INSTALLED_APPS = []
MIDDLEWARE = []
DATABASES = {}
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [Path(__file__).resolve().parent / "templates"],
    }
]
USE_TZ = True
# The page to serve, as Quire served it: a file bench/serve.py writes.
BARE_PAGE_FILE = os.environ.get("BARE_PAGE_FILE", "")
