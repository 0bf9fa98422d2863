"""The page cache's stores, tuned for a hit that must cost less than rendering anything.

Django's own backends spend most of a hit on set-up rather than on reading: its Redis backend
builds a new redis-py client for every command, and its file backend inflates every value with
zlib. These keep Django's behaviour and drop those costs.
"""

import itertools
import pickle

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from django.core.files import locks

# Django's file cache lists its whole folder on every write to count entries; once in this many
# writes is enough to keep it under MAX_ENTRIES.
CULL_EVERY = 100

_writes = itertools.count(1)


class FileCache(FileBasedCache):
    """Django's file cache, with values stored as plain pickles: pages are read far more often
    than written, and the disk they take is the cheap resource here."""

    # Not Django's suffix: files it compressed are never read as plain pickles.
    cache_suffix = ".page"

    def validate_key(self, key):
        """Nothing to check: keys become hashed file names, so memcached's rules (which Django
        checks, character by character, on every read) do not apply."""

    def get(self, key, default=None, version=None):
        try:
            with open(self._key_to_file(key, version), "rb") as file:
                if not self._is_expired(file):
                    return pickle.load(file)
        except FileNotFoundError:
            pass
        return default

    def _write_content(self, file, timeout, value):
        file.write(pickle.dumps(self.get_backend_timeout(timeout), self.pickle_protocol))
        file.write(pickle.dumps(value, self.pickle_protocol))

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            with open(self._key_to_file(key, version), "r+b") as file:
                try:
                    locks.lock(file, locks.LOCK_EX)
                    if self._is_expired(file):
                        return False
                    value = pickle.load(file)
                    file.seek(0)
                    self._write_content(file, timeout, value)
                    file.truncate()
                    return True
                finally:
                    locks.unlock(file)
        except FileNotFoundError:
            return False

    def _cull(self):
        if next(_writes) % CULL_EVERY == 0:
            super()._cull()


class _ReusedClients(RedisCacheClient):
    """One redis-py client per connection pool, made once: building one costs more than the
    round trip it is for. redis-py clients are safe to share between threads."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusedClients
