"""The page cache: whole public responses, kept until something they show changes.

Every cached page names the keys of what it shows ("post-12", "tag-3", "posts"...). Purging a key
gives it a new version; an entry is served only while every key it was stored with still has
the version it had then, so a purge reaches every page at once, on every server sharing the
cache, with no list of pages to find.

Every purge also sets a new purge token. An entry remembers the token it was last found valid
under: while no purge has happened since, a hit is one cache read (the entry and the token) and
its keys' versions need not be read at all. A page being rendered while a purge happens is not
stored: it may show what was purged.
"""

import hashlib
import math
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from django.conf import settings
from django.core.cache import caches
from django.utils import timezone
from django.utils.http import http_date

# Every entry carries this key: purging it empties the whole cache.
EVERYTHING = "site"
_PURGE_TOKEN = "pagecache:purge-token"
# Part of every entry's cache key: a release that changes Entry never reads an older one.
ENTRY_FORMAT = 2
# The longest a remembered value is kept: purges end it sooner.
REMEMBERED_SECONDS = 86400
# Headers a hit gets afresh (see pagecache.middleware.answer) rather than replayed.
_NOT_REPLAYED = {
    "content-length", "etag", "last-modified", "cache-control", "surrogate-key", "cache-tag",
    "x-page-cache",
}  # fmt: skip


def cache():
    return caches[settings.QUIRE_PAGE_CACHE]


def _version_key(key: str) -> str:
    return f"pagecache:key:{key}"


def purge_now(keys) -> None:
    """New versions for `keys`: every entry stored with one of them is stale from now on."""
    keys = set(keys)
    if not keys:
        return
    store = cache()
    version = uuid.uuid4().hex
    store.set_many({_version_key(key): version for key in keys}, timeout=None)
    # The token last: a lookup that sees the new token also sees the new versions.
    store.set(_PURGE_TOKEN, version, timeout=None)


@dataclass
class Entry:
    """A stored response: what a hit replays, and what decides whether it still may be."""

    content: bytes
    headers: dict
    etag: str
    last_modified: float
    keys: tuple[str, ...]
    versions: tuple
    valid_until: float  # a timestamp: the earlier of the cache's lifetime and the next publication
    token: str | None = None  # the purge token it was last found valid under
    # A full 200's headers but Cache-Control, made once when stored: pagecache.wsgi sends them.
    head: list[tuple[str, str]] = field(init=False)

    def __post_init__(self):
        length = [("Content-Length", str(len(self.content)))]
        self.head = [*self.headers.items(), *length, *self.validators()]

    def validators(self) -> list[tuple[str, str]]:
        """The headers every answer from this entry carries, whatever the request."""
        return [
            ("ETag", self.etag),
            ("Last-Modified", http_date(self.last_modified)),
            ("Surrogate-Key", " ".join(self.keys)),
            ("Cache-Tag", ",".join(self.keys)),
        ]


def entry_key(meta, script_name: str, path_info: str) -> str:
    """One entry per scheme, host, path and the query parameters pages read (others, such as a
    campaign's utm_source, share the page's entry). Made of the WSGI environ's own values, so
    that pagecache.wsgi finds an entry before Django has made a request of it; the path is given
    decoded, as Django decodes it."""
    query = meta.get("QUERY_STRING")
    wanted = settings.QUIRE_PAGE_CACHE_PARAMS
    params = (
        sorted(item for item in parse_qsl(query, keep_blank_values=True) if item[0] in wanted)
        if query
        else []
    )
    scheme = [meta.get("wsgi.url_scheme")]
    if settings.SECURE_PROXY_SSL_HEADER:
        scheme.append(meta.get(settings.SECURE_PROXY_SSL_HEADER[0]))
    raw = f"{scheme} {raw_host(meta)} {script_name} {path_info} {params}"
    return f"pagecache:page:{ENTRY_FORMAT}:" + hashlib.sha256(raw.encode()).hexdigest()


def request_key(request) -> str:
    return entry_key(request.META, request.META.get("SCRIPT_NAME", ""), request.path_info)


def raw_host(meta) -> str:
    """The host the request names, as HttpRequest.get_host() reads it before validating it."""
    if settings.USE_X_FORWARDED_HOST and "HTTP_X_FORWARDED_HOST" in meta:
        return meta["HTTP_X_FORWARDED_HOST"]
    return meta.get("HTTP_HOST") or f"{meta.get('SERVER_NAME')}:{meta.get('SERVER_PORT')}"


def lookup(key: str) -> tuple[Entry | None, str | None]:
    """The fresh entry under `key` (see entry_key), if any, and the purge token seen when
    looking."""
    store = cache()
    found = store.get_many([key, _PURGE_TOKEN])
    entry, seen = found.get(key), found.get(_PURGE_TOKEN)
    now = timezone.now().timestamp()
    if entry is None or entry.valid_until <= now:
        return None, seen
    if entry.token == seen:  # no purge since it was last checked
        return entry, seen
    current = store.get_many([_version_key(key) for key in entry.keys])
    if tuple(current.get(_version_key(key)) for key in entry.keys) != entry.versions:
        return None, seen
    # Still valid: checked under this token, the next hits need not read the versions.
    entry.token = seen
    lifetime = min(settings.QUIRE_PAGE_CACHE_SECONDS, entry.valid_until - now)
    if lifetime >= 1:
        store.set(key, entry, timeout=int(lifetime))
    return entry, seen


def save(key: str, response, keys, valid_until: float, seen: str | None) -> Entry:
    """Store the response under `key` unless a purge happened since `seen`; the entry either way,
    for the response's validators."""
    keys = tuple(sorted({*keys, EVERYTHING}))
    entry = Entry(
        content=response.content,
        headers={
            name: value for name, value in response.items() if name.lower() not in _NOT_REPLAYED
        },
        etag=f'"{hashlib.blake2b(response.content, digest_size=16).hexdigest()}"',
        last_modified=float(int(timezone.now().timestamp())),
        keys=keys,
        versions=(),
        valid_until=valid_until,
    )
    lifetime = min(settings.QUIRE_PAGE_CACHE_SECONDS, valid_until - timezone.now().timestamp())
    if lifetime < 1:
        return entry
    store = cache()
    found = store.get_many([_PURGE_TOKEN, *(_version_key(key) for key in keys)])
    if found.get(_PURGE_TOKEN) != seen:
        return entry
    entry.versions = tuple(found.get(_version_key(key)) for key in keys)
    entry.token = seen
    store.set(key, entry, timeout=int(lifetime))
    return entry


def enabled() -> bool:
    return settings.QUIRE_PAGE_CACHE_SECONDS > 0


def remembered(name: str, keys, compute: Callable, *, until: Callable = lambda value: math.inf):
    """compute(), kept like a page: until one of `keys` is purged, or the timestamp `until(value)`
    passes. For what several pages need and a query would otherwise read each time; kept even
    with the page cache off, which only stops whole pages being kept."""
    store = cache()
    keys = tuple(sorted({*keys, EVERYTHING}))
    name = f"pagecache:value:{name}"
    found = store.get_many([name, _PURGE_TOKEN, *(_version_key(key) for key in keys)])
    versions = tuple(found.get(_version_key(key)) for key in keys)
    kept = found.get(name)
    now = timezone.now().timestamp()
    if kept is not None and kept[0] == versions and kept[1] > now:
        return kept[2]
    value = compute()
    valid_until = until(value)
    lifetime = min(REMEMBERED_SECONDS, valid_until - now)
    # Stored only if no purge came meanwhile; a purge after this read makes the versions differ.
    if lifetime >= 1 and store.get(_PURGE_TOKEN) == found.get(_PURGE_TOKEN):
        store.set(name, (versions, valid_until, value), timeout=int(lifetime))
    return value
