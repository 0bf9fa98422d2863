"""WSGI entry point: `gunicorn cms.wsgi`. Cached pages are answered before Django's handler."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings")

application = get_wsgi_application()

from pagecache.wsgi import ServeCachedPages  # noqa: E402 (needs the settings configured)

application = ServeCachedPages(application)
