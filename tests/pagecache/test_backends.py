"""The page cache's stores behave as Django's own, at less cost per read."""

import time

import pytest
from django.core.cache import caches

from pagecache.backends import FileCache


@pytest.fixture
def files(tmp_path):
    return FileCache(str(tmp_path), {"OPTIONS": {"MAX_ENTRIES": 1000}})


def test_the_file_cache_keeps_values_until_they_expire(files):
    files.set("page", {"content": b"<p>x</p>"}, timeout=60)
    files.set("brief", "gone soon", timeout=1)
    assert files.get("page") == {"content": b"<p>x</p>"}
    assert files.get_many(["page", "missing"]) == {"page": {"content": b"<p>x</p>"}}
    time.sleep(1.1)
    assert files.get("brief") is None and files.get("brief", "default") == "default"


def test_touch_gives_a_file_cache_value_a_new_lifetime(files):
    files.set("page", "kept", timeout=1)
    assert files.touch("page", timeout=60)
    time.sleep(1.1)
    assert files.get("page") == "kept"
    assert not files.touch("missing")


def test_files_of_djangos_own_compressed_format_are_never_read(tmp_path, files):
    from django.core.cache.backends.filebased import FileBasedCache

    FileBasedCache(str(tmp_path), {}).set("page", "compressed")
    assert files.get("page") is None


def test_the_redis_cache_builds_its_client_once(settings):
    pages = caches[settings.QUIRE_PAGE_CACHE]
    if not hasattr(pages, "_cache") or not hasattr(pages._cache, "get_client"):
        pytest.skip("the page cache is not on Redis here (REDIS_URL is unset)")
    assert pages._cache.get_client() is pages._cache.get_client()
    pages.set("page", "kept")
    assert pages.get("page") == "kept"
