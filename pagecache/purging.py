"""Purges: the page cache at once, and again on commit, when the caches in front hear of it too.

Purging before the commit makes the change visible to the very next request in this
transaction's world (and in tests, which never commit); purging again on commit covers pages
rendered from the old rows meanwhile. Varnish or a CDN (QUIRE_CACHE_PURGE_URLS) is told on commit
only, with a PURGE request naming the keys in a Surrogate-Key header.
"""

import contextlib
import contextvars
import logging
import urllib.request
from functools import partial

from django.conf import settings
from django.db import transaction

from . import store

logger = logging.getLogger(__name__)
# Seconds to wait for a cache in front; a slow one must not hold up an editor's save.
PURGE_TIMEOUT = 2

_batch: contextvars.ContextVar[set | None] = contextvars.ContextVar("purge_batch", default=None)


def purge(keys) -> None:
    """Every page showing one of `keys` is rebuilt on its next request, here and in front."""
    keys = set(keys)
    pending = _batch.get()
    if pending is not None:
        pending |= keys
        return
    if not keys:
        return
    store.purge_now(keys)
    transaction.on_commit(partial(_purge_committed, frozenset(keys)))


def purge_everything() -> None:
    purge({store.EVERYTHING})


def batching() -> bool:
    """Within batch(): a receiver may purge everything instead of working out its keys."""
    return _batch.get() is not None


@contextlib.contextmanager
def batch():
    """Purges within are gathered and made once on the way out: for an import's thousands of
    writes. An exception leaving the block purges nothing: the transaction rolls back."""
    if _batch.get() is not None:
        yield
        return
    token = _batch.set(set())
    try:
        yield
        keys = _batch.get()
    finally:
        _batch.reset(token)
    purge(keys)


def _purge_committed(keys):
    store.purge_now(keys)
    for url in settings.QUIRE_CACHE_PURGE_URLS:
        tell_front_cache(url, keys)


def tell_front_cache(url: str, keys) -> None:
    """PURGE url with the keys; a cache in front that cannot be reached is logged, not fatal."""
    request = urllib.request.Request(
        url, method="PURGE", headers={"Surrogate-Key": " ".join(sorted(keys))}
    )
    try:
        with urllib.request.urlopen(request, timeout=PURGE_TIMEOUT):
            pass
    except OSError as error:
        logger.warning("Could not purge %s at %s: %s", " ".join(sorted(keys)), url, error)
