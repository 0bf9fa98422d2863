"""Settings come from the environment, with defaults that are only safe on this machine."""

import runpy

import pytest
from conftest import REPO
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

SETTINGS = str(REPO / "cms" / "settings.py")
VARIABLES = [
    "DJANGO_SECRET_KEY",
    "DJANGO_ALLOWED_HOSTS",
    "DATABASE_URL",
    "REDIS_URL",
    "DJANGO_DEBUG",
    "DJANGO_MEDIA_STORAGE",
    "DJANGO_MEDIA_STORAGE_OPTIONS",
    "QUIRE_SERVE_MEDIA",
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
    environment.setenv("DJANGO_SECRET_KEY", "a-real-secret")
    assert runpy.run_path(SETTINGS)["SECRET_KEY"] == "a-real-secret"


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
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
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
