"""Settings come from the environment, with defaults that are only safe on this machine."""

import runpy

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from helpers import REPO

SETTINGS = str(REPO / "cms" / "settings.py")
REAL_KEY = "k3Jx9-vQ2pL_8sT4wZ7yB1nM6cR0dF5gH2jK9lP3qS8uV4xY7zA1bC6eG0iN5oT"
VARIABLES = [
    "DJANGO_SECRET_KEY",
    "DJANGO_ALLOWED_HOSTS",
    "DATABASE_URL",
    "REDIS_URL",
    "DJANGO_DEBUG",
    "DJANGO_MEDIA_STORAGE",
    "DJANGO_MEDIA_STORAGE_OPTIONS",
    "QUIRE_SERVE_MEDIA",
    "DJANGO_BEHIND_PROXY",
]


@pytest.fixture
def environment(monkeypatch):
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_defaults_are_sqlite_local_memory_cache_and_local_hosts(environment):
    settings = runpy.run_path(SETTINGS)
    assert settings["DATABASES"]["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert settings["CACHES"]["default"]["BACKEND"].endswith("LocMemCache")
    assert settings["ALLOWED_HOSTS"] == ["localhost", "127.0.0.1", "[::1]"]
    assert settings["DEBUG"] is False


def test_the_development_key_is_refused_for_a_public_host(environment):
    environment.setenv("DJANGO_ALLOWED_HOSTS", "review.example.org")
    with pytest.raises(ImproperlyConfigured, match="DJANGO_SECRET_KEY"):
        runpy.run_path(SETTINGS)
    environment.setenv("DJANGO_SECRET_KEY", REAL_KEY)
    assert runpy.run_path(SETTINGS)["SECRET_KEY"] == REAL_KEY


@pytest.mark.parametrize("key", ["a-real-secret", "x" * 64])
def test_a_short_or_repetitive_secret_key_is_refused_for_a_public_host(environment, key):
    environment.setenv("DJANGO_ALLOWED_HOSTS", "review.example.org")
    environment.setenv("DJANGO_SECRET_KEY", key)
    with pytest.raises(ImproperlyConfigured, match="at least 50 random characters"):
        runpy.run_path(SETTINGS)


def test_debug_is_refused_for_a_public_host_and_allowed_on_this_machine(environment):
    environment.setenv("DJANGO_DEBUG", "1")
    assert runpy.run_path(SETTINGS)["DEBUG"] is True
    environment.setenv("DJANGO_ALLOWED_HOSTS", "review.example.org")
    environment.setenv("DJANGO_SECRET_KEY", REAL_KEY)
    with pytest.raises(ImproperlyConfigured, match="unset DJANGO_DEBUG"):
        runpy.run_path(SETTINGS)


@pytest.mark.parametrize("hosts", ["*", "review.example.org,*"])
def test_any_host_is_refused(environment, hosts):
    environment.setenv("DJANGO_ALLOWED_HOSTS", hosts)
    environment.setenv("DJANGO_SECRET_KEY", REAL_KEY)
    with pytest.raises(ImproperlyConfigured, match=r"DJANGO_ALLOWED_HOSTS=\*"):
        runpy.run_path(SETTINGS)


def test_sqlite_writers_queue_for_the_lock_instead_of_failing(environment):
    options = runpy.run_path(SETTINGS)["DATABASES"]["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 5


def test_database_and_redis_urls_switch_the_backends(environment):
    environment.setenv("DATABASE_URL", "postgres://quire:pw@db.internal:5432/quire")
    environment.setenv("REDIS_URL", "redis://cache.internal:6379/1")
    settings = runpy.run_path(SETTINGS)
    database = settings["DATABASES"]["default"]
    assert (database["ENGINE"], database["HOST"], database["NAME"]) == (
        "django.db.backends.postgresql",
        "db.internal",
        "quire",
    )
    assert settings["CACHES"]["default"] == {
        "BACKEND": "pagecache.backends.RedisCache",
        "LOCATION": "redis://cache.internal:6379/1",
    }


def test_the_configured_cache_answers():
    """Against REDIS_URL in CI's second run, the in-process cache otherwise."""
    cache.set("quire-test", {"ok": True}, 30)
    assert cache.get("quire-test") == {"ok": True}
    cache.delete("quire-test")


def test_the_media_storage_comes_from_the_environment(environment):
    environment.setenv("DJANGO_MEDIA_STORAGE", "storages.backends.s3.S3Storage")
    environment.setenv("DJANGO_MEDIA_STORAGE_OPTIONS", '{"bucket_name": "quire-media"}')
    default = runpy.run_path(SETTINGS)["STORAGES"]["default"]
    assert default == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {"bucket_name": "quire-media"},
    }


def test_media_are_served_by_django_only_in_development_unless_told(environment):
    assert runpy.run_path(SETTINGS)["QUIRE_SERVE_MEDIA"] is False
    environment.setenv("DJANGO_DEBUG", "1")
    assert runpy.run_path(SETTINGS)["QUIRE_SERVE_MEDIA"] is True
    environment.setenv("QUIRE_SERVE_MEDIA", "0")
    assert runpy.run_path(SETTINGS)["QUIRE_SERVE_MEDIA"] is False


def test_behind_a_proxy_logins_are_counted_per_forwarded_address(environment, rf):
    environment.setenv("DJANGO_BEHIND_PROXY", "1")
    address_of = runpy.run_path(SETTINGS)["AXES_CLIENT_IP_CALLABLE"]
    request = rf.get("/", HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.7", REMOTE_ADDR="127.0.0.1")
    assert address_of(request) == "203.0.113.7"
    assert address_of(rf.get("/", REMOTE_ADDR="198.51.100.2")) == "198.51.100.2"
