"""The page cache's store where there is no Redis: files every worker on the machine shares."""

import itertools

from django.core.cache.backends.filebased import FileBasedCache

# Django's file cache lists its whole folder on every write to count entries; once in this many
# writes is enough to keep it under MAX_ENTRIES.
CULL_EVERY = 100

_writes = itertools.count(1)


class FileCache(FileBasedCache):
    def _cull(self):
        if next(_writes) % CULL_EVERY == 0:
            super()._cull()
