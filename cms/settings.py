"""Quire's one settings module: every deployment difference comes from the environment.

The defaults are safe for development: SQLite, an in-process cache, local hosts only.
Production sets DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, DATABASE_URL and REDIS_URL (see README.md).
"""

import json
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
# The shared templates/ and static/ folders: inside this package once installed (pyproject.toml's
# [tool.setuptools.package-dir]), top-level in a checkout and an editable install.
_INSTALLED_SHARED = Path(__file__).resolve().parent
SHARED_DIR = _INSTALLED_SHARED if (_INSTALLED_SHARED / "templates").is_dir() else BASE_DIR


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default):
    value = os.environ.get(name)
    return [item.strip() for item in value.split(",") if item.strip()] if value else default


DEBUG = env_bool("DJANGO_DEBUG")

LOCAL_HOSTS = ["localhost", "127.0.0.1", "[::1]"]
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", LOCAL_HOSTS)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

DEVELOPMENT_SECRET_KEY = "quire-development-key-never-use-on-a-public-host"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", DEVELOPMENT_SECRET_KEY)
# Django's own deployment check asks for this much: a shorter key can be guessed offline.
SECRET_KEY_MIN_LENGTH = 50


def refuse_unsafe_public_settings():
    """A site that answers to a public host never runs with development settings."""
    if "*" in ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "DJANGO_ALLOWED_HOSTS=* lets any Host header through (cache poisoning, password-reset "
            "links to other sites): name the site's hosts instead"
        )
    if set(ALLOWED_HOSTS) <= set(LOCAL_HOSTS):
        return
    if SECRET_KEY == DEVELOPMENT_SECRET_KEY:
        raise ImproperlyConfigured(
            "Set DJANGO_SECRET_KEY when DJANGO_ALLOWED_HOSTS names a public host"
        )
    if len(SECRET_KEY) < SECRET_KEY_MIN_LENGTH or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured(
            f"DJANGO_SECRET_KEY must be at least {SECRET_KEY_MIN_LENGTH} random characters on a "
            "public host; make one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    if DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_DEBUG is on while DJANGO_ALLOWED_HOSTS names a public host: debug pages show "
            "settings and source to anyone; unset DJANGO_DEBUG"
        )


refuse_unsafe_public_settings()

INSTALLED_APPS = [
    "cms.admin_site.DeskAdminConfig",  # django.contrib.admin, with the editors' desk as home
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.forms",  # its widget templates, for FORM_RENDERER below
    "markdownx",
    "posts.apps.TagsConfig",  # taggit, shown as "Tags" in the admin
    "axes",
    # The apps by concern; each depends only on those above it (see README, "Where things are").
    "pagecache",
    "media",
    "posts",
    "search",
    "editorial",
    "transfer",
]

MIDDLEWARE = [
    # First: a cached page is answered with no more work than this, and is kept with the headers
    # every other middleware gave it (cms.wsgi answers it sooner still, before Django's handler).
    "pagecache.middleware.page_cache",
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads the path or the query string: a control character in either is refused.
    "posts.middleware.refuse_control_characters",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "posts.middleware.redirect_old_urls",
    # Last, as django-axes asks: it turns a locked-out login into its lockout page.
    "axes.middleware.AxesMiddleware",
]

# Repeated wrong passwords lock that username out from that address for a while (django-axes);
# each lockout is logged. The limits are per username and address, so nobody can lock a
# colleague out from elsewhere.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("QUIRE_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("QUIRE_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"

# Widgets render through TEMPLATES, so that a project template (the image chooser's) is found.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

ROOT_URLCONF = "cms.urls"
WSGI_APPLICATION = "cms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SHARED_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "posts.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A write transaction takes SQLite's lock when it begins and waits for it, so two
    # simultaneous saves queue up instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

REDIS_URL = os.environ.get("REDIS_URL")
# Without Redis, pages are cached in files: every worker on this machine shares them, as
# purges must reach every worker (an in-process cache would keep serving a purged page).
PAGE_CACHE_DIR = Path(os.environ.get("QUIRE_PAGE_CACHE_DIR", BASE_DIR / "cache"))
CACHES = {
    "default": (
        {"BACKEND": "pagecache.backends.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    ),
    "pages": (
        {
            "BACKEND": "pagecache.backends.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "quire",
        }
        if REDIS_URL
        else {
            "BACKEND": "pagecache.backends.FileCache",
            "LOCATION": PAGE_CACHE_DIR,
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        }
    ),
}
QUIRE_PAGE_CACHE = "pages"
# How long the page cache keeps a page at most (0: off); purges end it sooner.
QUIRE_PAGE_CACHE_SECONDS = int(os.environ.get("QUIRE_PAGE_CACHE_SECONDS", "86400"))
# The query parameters public pages read (listings, search, sitemap files): others (utm_source…)
# share the page's cache entry.
QUIRE_PAGE_CACHE_PARAMS = ("page", "q", "p")
# Cache-Control of public pages: browsers revalidate (ETag) after max-age; Varnish or a CDN keeps
# them for s-maxage and may serve them stale while refetching.
QUIRE_CACHE_MAX_AGE = int(os.environ.get("QUIRE_CACHE_MAX_AGE", "0"))
QUIRE_CACHE_S_MAXAGE = int(os.environ.get("QUIRE_CACHE_S_MAXAGE", "300"))
QUIRE_CACHE_STALE_WHILE_REVALIDATE = int(os.environ.get("QUIRE_CACHE_STALE_WHILE_REVALIDATE", "60"))
# Caches in front (Varnish, a CDN's purge endpoint) told of every purge: a PURGE with the keys
# in a Surrogate-Key header.
QUIRE_CACHE_PURGE_URLS = env_list("QUIRE_CACHE_PURGE_URLS", [])

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [SHARED_DIR / "static"]
MEDIA_URL = os.environ.get("DJANGO_MEDIA_URL", "/media/")
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "uploads"))
STORAGES = {
    # Uploads: the local disk by default; an object store for several servers, e.g.
    # DJANGO_MEDIA_STORAGE=storages.backends.s3.S3Storage with
    # DJANGO_MEDIA_STORAGE_OPTIONS='{"bucket_name": "quire-media"}' (see the README).
    "default": {
        "BACKEND": os.environ.get(
            "DJANGO_MEDIA_STORAGE", "django.core.files.storage.FileSystemStorage"
        ),
        "OPTIONS": json.loads(os.environ.get("DJANGO_MEDIA_STORAGE_OPTIONS") or "{}"),
    },
    # Hashed, compressed names so browsers may cache static files for a year.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Django serves /media/ itself in development, or where told to; otherwise a web server does.
QUIRE_SERVE_MEDIA = env_bool("QUIRE_SERVE_MEDIA", DEBUG)

# Uploads larger than this are refused before Pillow decodes them.
QUIRE_IMAGE_MAX_BYTES = int(os.environ.get("QUIRE_IMAGE_MAX_BYTES", 10 * 1024 * 1024))
QUIRE_IMAGE_MAX_PIXELS = int(os.environ.get("QUIRE_IMAGE_MAX_PIXELS", 40_000_000))
# The editor sends one image a request; a flood of files is refused before any is read.
DATA_UPLOAD_MAX_NUMBER_FILES = 20
# Every upload is an image: past QUIRE_IMAGE_MAX_BYTES a file is counted, no longer kept.
FILE_UPLOAD_HANDLERS = [
    "media.intake.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

QUIRE_SITE_NAME = os.environ.get("QUIRE_SITE_NAME", "The Meridian Review")
QUIRE_SITE_TAGLINE = os.environ.get(
    "QUIRE_SITE_TAGLINE", "Analysis and commentary on the questions that shape policy"
)
QUIRE_POSTS_PER_PAGE = 10

# Tags: "European defence fund" is one tag (names split on commas only), and "NATO", "Nato" and
# "nato" are the same one, spelt as first stored.
TAGGIT_TAGS_FROM_STRING = "posts.tagging.parse_tags"
TAGGIT_STRING_FROM_TAGS = "posts.tagging.format_tags"
TAGGIT_CASE_INSENSITIVE = True

# E-mail (the review's notifications): printed to the console in development; sent through the
# SMTP server DJANGO_EMAIL_HOST names in production, with a short timeout so that a slow server
# holds up no editor's save for long.
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST and not DEBUG
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("DJANGO_EMAIL_USE_SSL")
EMAIL_TIMEOUT = int(os.environ.get("DJANGO_EMAIL_TIMEOUT", "10"))
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured(
        "Set one of DJANGO_EMAIL_USE_TLS (STARTTLS, usually port 587) and DJANGO_EMAIL_USE_SSL "
        "(implicit TLS, usually port 465), not both"
    )
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "quire@localhost")

# The admin preview renders with the exact function the public pages are stored with.
MARKDOWNX_MARKDOWNIFY_FUNCTION = "posts.markup.render"
# The editor and its preview scroll side by side (static/css/editor.css) instead of growing.
MARKDOWNX_EDITOR_RESIZABLE = False

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env_bool(
    "DJANGO_SECURE_COOKIES", not DEBUG and ALLOWED_HOSTS != LOCAL_HOSTS
)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT")
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "0"))
if env_bool("DJANGO_BEHIND_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

    def last_forwarded_address(request):
        """Behind the site's own proxy, the reader is the address it appended last."""
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        return forwarded.rsplit(",", 1)[-1].strip() or request.META.get("REMOTE_ADDR")

    # Login lockouts count per reader's address, not per the proxy's.
    AXES_CLIENT_IP_CALLABLE = last_forwarded_address

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    # Failed logins and lockouts are warnings; every successful login need not be logged.
    "loggers": {"axes": {"level": "WARNING"}},
}
