"""A Jekyll site as Quire reads it: which files are posts, which of them Jekyll built, what
`_config.yml` and `_data/` change about them, and where each post lived on the old site.

A file outside any Jekyll site (a loose Markdown file) is read with Jekyll's defaults.

A site that had a `baseurl` was served under it (`user.github.io/name/...`); moved to a domain of
its own, it is asked for its old paths with and without it, so each old path comes in both forms.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache, cached_property
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit
from uuid import uuid4
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.urls import Resolver404, get_urlconf, resolve

from posts.models import Post
from posts.slugs import readable_slug

from . import people, permalinks
from .documents import FrontMatterError, read_document, read_yaml
from .frontmatter import DATED_NAME, ParsedPost
from .sitedata import SiteData

# Jekyll's default markdown_ext.
MARKDOWN_SUFFIXES = {".md", ".markdown", ".mkdown", ".mkdn", ".mkd"}
# A post in HTML: Jekyll renders its Liquid and converts nothing.
HTML_SUFFIX = ".html"
CONFIG = "_config.yml"
AUTHORS_DATA = ("_data/authors.yml", "_data/authors.yaml")
# Why a link inside the folders being imported is passed over: it could expose any file.
_LINK_OUT = "a link to a file outside the folder being imported: not read"
# Folders Jekyll never reads, beside those its config excludes.
_EXCLUDED = {"node_modules", "vendor", "gemfiles"}
# A collection of author pages, read for bylines rather than imported as posts.
AUTHORS_COLLECTION = "authors"
# Utils.has_yaml_header?: Jekyll reads a collection's file as a document only when it opens so.
_YAML_HEADER = re.compile(rb"---\s*\n")
# EntryFilter#special?: entries Jekyll never reads from a collection's folder.
_SPECIAL = ("_", ".", "#", "~")
_SKIPPED_ENTRY = "Jekyll skips names starting with _ # or ~ (a file's, or its first folder's)"
# The ending each built-in style gives a collection's URLs (weekdate gives none).
_STYLE_ENDINGS = {
    "pretty": "/",
    "date": ":output_ext",
    "ordinal": ":output_ext",
    "none": ":output_ext",
}


@dataclass(eq=False)
class Site:
    """A Jekyll site's root and configuration; `root` is None for loose files. `old_baseurl` is
    a further prefix the site was served under, for a site whose config no longer says so."""

    root: Path | None
    config: dict = field(default_factory=dict)
    old_baseurl: str = ""
    notes: list[str] = field(default_factory=list)  # about the site's own files, each said once

    @classmethod
    def at(cls, root: Path, old_baseurl: str = "") -> "Site":
        config_path = root / CONFIG
        config = read_yaml(own_file(root, config_path))[0] if config_path.is_file() else {}
        return cls(root, config, old_baseurl)

    @cached_property
    def zone(self) -> ZoneInfo | None:
        name = self.config.get("timezone")
        if not name:
            return None
        try:
            return ZoneInfo(str(name))
        except (ZoneInfoNotFoundError, ValueError):
            raise FrontMatterError(
                self.root / CONFIG, None, f"timezone {name!r} is not a known time zone"
            ) from None

    @cached_property
    def collections(self) -> dict[str, dict]:
        """Collection labels (other than posts) with their metadata, as `_config.yml` lists them."""
        declared = self.config.get("collections") or {}
        if isinstance(declared, list):
            declared = {label: {} for label in declared}
        if not isinstance(declared, dict):
            raise FrontMatterError(self.root / CONFIG, None, "collections must be a list or keys")
        return {
            str(label): meta if isinstance(meta, dict) else {}
            for label, meta in declared.items()
            if label != "posts"
        }

    @cached_property
    def collections_dir(self) -> Path:
        return self.root / str(self.config.get("collections_dir") or "")

    @cached_property
    def authors(self) -> dict[str, dict]:
        """Author key -> profile (name, bio, links, avatar), from `_data/authors.yml` and from
        the pages of an `authors` collection (keyed by file name and by their `name:`)."""
        profiles = {}
        for name in AUTHORS_DATA:
            path = self.root / name
            if path.is_file():
                data, lines = read_yaml(own_file(self.root, path))
                for key, values in data.items():
                    profiles[key] = people.profile(path, lines[key], key, values, self.notes)
                break
        if AUTHORS_COLLECTION in self.collections:
            for path in markdown_under(self.collections_dir / f"_{AUTHORS_COLLECTION}"):
                values, body = read_document(own_file(self.root, path))
                data = {
                    **values,
                    "name": values.get("full_name") or values.get("title") or values.get("name"),
                    "bio": values.get("bio") or body.strip(),
                }
                profile = people.profile(path, None, path.stem, data, self.notes)
                profiles[path.stem] = profiles[str(values.get("name") or path.stem)] = profile
        return profiles

    @cached_property
    def data(self) -> Mapping:
        """The site's `_data` files as Liquid's `site.data`, each read when a post first uses it."""
        return SiteData.of(self.root, self.config)

    @cached_property
    def includes_dir(self) -> Path | None:
        folder = self.root / "_includes" if self.root else None
        return folder if folder and folder.is_dir() else None

    @property
    def baseurl(self) -> str:
        return url_prefix(self.config.get("baseurl"))

    def old_paths(self, path: str) -> list[str]:
        """The paths a page at `path` (below the baseurl) answered at: under the baseurl, where
        Jekyll put it; then without it and under the old baseurl, unless such a path is one of
        Quire's own, where a redirect would silently stand in for a Quire page."""
        built, *others = dict.fromkeys((self.baseurl + path, path, self.old_baseurl + path))
        return [built, *(other for other in others if not quire_path(other))]

    def excluded(self, relative: PurePosixPath) -> bool:
        """Hidden folders, vendored code and the config's `exclude:` entries are not the site."""
        patterns = [str(p).strip("/") for p in self.config.get("exclude") or []]
        text = str(relative)
        return any(part.startswith(".") or part in _EXCLUDED for part in relative.parts) or any(
            text == p or text.startswith(p + "/") for p in patterns if p
        )

    def defaults_for(self, relative: PurePosixPath, kind: str) -> dict:
        """Front-matter defaults from `_config.yml` whose scope covers this file, the most
        specific last so that it wins, as Jekyll merges them."""
        scopes = []
        for entry in self.config.get("defaults") or []:
            if not isinstance(entry, dict) or not isinstance(entry.get("values"), dict):
                continue
            scope = entry.get("scope") or {}
            path = str(scope.get("path") or "").strip("/")
            if path and not (str(relative) == path or str(relative).startswith(path + "/")):
                continue
            if scope.get("type") and scope["type"] != kind:
                continue
            scopes.append((len(path), bool(scope.get("type")), entry["values"]))
        merged = {}
        for *_, values in sorted(scopes, key=lambda scope: scope[:2]):
            merged.update(values)
        if "excerpt_separator" in self.config:
            merged.setdefault("excerpt_separator", self.config["excerpt_separator"])
        return merged

    @property
    def style(self) -> str:
        return str(self.config.get("permalink") or permalinks.POSTS_DEFAULT)

    def permalink_ending(self) -> str:
        """Utils.add_permalink_suffix: the ending the site's style lends to the URLs of
        collections and pages, "/" or ":output_ext" (weekdate and other styles: none)."""
        if self.style in _STYLE_ENDINGS:
            return _STYLE_ENDINGS[self.style]
        return next((end for end in ("/", ":output_ext") if self.style.endswith(end)), "")

    def permalink_template(self, collection: str) -> str:
        """Jekyll's URL template for a collection: its own, else one from the site's style."""
        declared = self.config.get("collections")
        meta = declared.get(collection) if isinstance(declared, dict) else None
        if isinstance(meta, dict) and meta.get("permalink"):
            return str(meta["permalink"])
        if collection == "posts":
            return self.style
        return "/:collection/:path" + self.permalink_ending()


@dataclass(eq=False)
class Source:
    """One file to import: its site, the key it is known by, and where it sat in the site."""

    path: Path
    site: Site
    key: str  # the path from the site root (a loose file: its name); a re-import finds it by this
    collection: str = "posts"
    in_drafts: bool = False
    categories: list[str] = field(default_factory=list)  # from the folders above `_posts`
    unbuilt: str = ""  # why Jekyll 4 built no page from the file; "" when it built one

    @property
    def kind(self) -> str:
        return "drafts" if self.in_drafts else self.collection

    @property
    def body_format(self) -> str:
        """An HTML post is HTML; every other is Markdown."""
        html = self.path.suffix.lower() == HTML_SUFFIX
        return Post.BodyFormat.HTML if html else Post.BodyFormat.MARKDOWN

    @cached_property
    def relative(self) -> PurePosixPath:
        return PurePosixPath(self.key)

    def defaults(self) -> dict:
        return self.site.defaults_for(self.relative, self.kind) if self.site.root else {}

    def path_in_collection(self) -> str:
        """The path below the collection's folder, without extension (Jekyll's `:path`)."""
        parts = self.relative.parts
        index = parts.index(f"_{self.collection}")
        return str(PurePosixPath(*parts[index + 1 :]).with_suffix(""))

    def old_urls(self, post: ParsedPost) -> list[str]:
        """The URLs the post answered at on the Jekyll site, each in every form the site's
        paths take (see Site.old_paths): its permalink (or the URL Jekyll made for it), if
        Jekyll built it, and its `redirect_from` entries, which are below the baseurl."""
        urls = []
        built = not (post.draft or self.in_drafts or self.unbuilt)
        if built and post.written_date is not None:
            urls.append(self.built_url(post))
        for entry in post.redirect_from:
            # A full URL names a path of this site; requests arrive with their paths decoded.
            urls.append("/" + unquote(urlsplit(entry).path).lstrip("/"))
        return list(dict.fromkeys(form for url in urls for form in self.site.old_paths(url)))

    def built_url(self, post: ParsedPost) -> str:
        """The URL Jekyll gave the post, below the baseurl."""
        template = post.permalink or self.site.permalink_template(self.collection)
        if post.permalink in permalinks.STYLES:
            # Style names mean styles only in _config.yml: in front matter, a path.
            template = "/" + post.permalink
        # Jekyll holds every date in the site's time zone (UTC when it names none).
        date = post.written_date
        if isinstance(date, datetime):
            date = post.published_at.astimezone(self.site.zone or UTC)
        return permalinks.jekyll_url(
            template,
            date=date,
            slug=post.jekyll_slug,
            basename=self.path.stem,
            categories=[*self.categories, *post.categories],
            collection=self.collection,
            path=self.path_in_collection() if self.collection != "posts" else "",
        )


def url_prefix(value) -> str:
    """A baseurl as a path prefix: "/name", or "" for none."""
    inner = str(value or "").strip("/")
    return f"/{inner}" if inner else ""


def quire_path(path: str) -> bool:
    """Whether Quire answers the path with a page of its own, or sends it to one by appending
    a slash; a view that would also answer a made-up path is a catch-all and does not count."""
    catch_all = catch_all_views(get_urlconf() or settings.ROOT_URLCONF)
    slashed = [path + "/"] if settings.APPEND_SLASH and not path.endswith("/") else []
    return any(match and match.func not in catch_all for match in map(_resolved, [path, *slashed]))


@cache
def catch_all_views(urlconf: str) -> frozenset:
    """The views that answer paths no page has, found by asking for two made-up ones."""
    made_up = [f"/{uuid4().hex}", f"/{uuid4().hex}/"]
    return frozenset(match.func for match in map(_resolved, made_up) if match)


def _resolved(path: str):
    try:
        return resolve(path)
    except Resolver404:
        return None


def own_file(root: Path, path: Path) -> Path:
    """A file of the site, refused when it is a link out of it: a link could expose any file."""
    if not path.resolve().is_relative_to(root.resolve()):
        raise FrontMatterError(path, None, "a link to a file outside the site: it is not read")
    return path


def author_profile(site: Site, key: str) -> dict:
    """The Author fields for a byline key (and the avatar as the data gives it): from
    `_data/authors.yml` when it has the key, else the key as the name."""
    data = site.authors.get(key) if site.root else None
    return {"slug": readable_slug(key), **(data or {"name": key})}


def find_sources(
    paths: list[Path], old_baseurl: str | None = None
) -> tuple[list[Source], list[str]]:
    """The files to import under the given files and folders, and what was passed over, why.
    `old_baseurl` is a prefix the sites were once served under, besides their baseurl."""
    found: dict[Path, Source] = {}
    skipped: list[str] = []
    sites: dict[Path, Site] = {}
    prefix = url_prefix(old_baseurl)

    def site_at(root: Path) -> Site:
        if root not in sites:
            sites[root] = Site.at(root, prefix)
        return sites[root]

    for path in paths:
        if not path.exists():
            raise FileNotFoundError(path)
        root = site_root(path)
        if root is None:
            files = [path] if path.is_file() else markdown_under(path)
            for file in files:
                if path.is_dir() and not file.resolve().is_relative_to(path.resolve()):
                    skipped.append(f"{file}: {_LINK_OUT}")
                    continue
                loose = Source(file, Site(None, old_baseurl=prefix), key=file.name)
                found.setdefault(file.resolve(), loose)
            continue
        site = site_at(root)
        files = [path] if path.is_file() else sorted(f for f in path.rglob("*") if f.is_file())
        for file in files:
            resolved = file.resolve()
            source, reason = site_source(site, file, resolved)
            if file.suffix.lower() not in MARKDOWN_SUFFIXES | {HTML_SUFFIX}:
                # A site's other files are its pages and assets; a post in them is worth a word.
                if source is not None and not source.unbuilt:
                    skipped.append(f"{file}: neither Markdown nor HTML (Quire imports those)")
            elif source is None:
                # A site's other HTML files are its layouts, includes and pages.
                if file.suffix.lower() in MARKDOWN_SUFFIXES:
                    skipped.append(f"{file}: {reason}")
            else:
                found.setdefault(resolved, source)
    return list(found.values()), skipped


def markdown_under(folder: Path) -> list[Path]:
    return sorted(
        file
        for file in folder.rglob("*")
        if file.suffix.lower() in MARKDOWN_SUFFIXES and file.is_file()
    )


def site_root(path: Path) -> Path | None:
    """The Jekyll site a path belongs to: the nearest folder with a `_config.yml`, else the
    folder holding the `_posts` or `_drafts` the path is in, else the folder itself if it holds
    `_drafts` or a `_posts` at any depth (`category/_posts/`)."""
    path = path.resolve()
    folders = [path, *path.parents] if path.is_dir() else list(path.parents)
    for folder in folders:
        if (folder / CONFIG).is_file():
            return folder
    for folder in folders:
        if folder.name in ("_posts", "_drafts"):
            return folder.parent
    if path.is_dir() and any(next(path.glob(p), None) for p in ("_drafts", "**/_posts")):
        return path
    return None


def site_source(site: Site, file: Path, resolved: Path) -> tuple[Source | None, str]:
    """The file as Jekyll would read it, or None and the reason Jekyll would not; `resolved`
    is where the file really is (links followed)."""
    if not resolved.is_relative_to(site.root):
        return None, _LINK_OUT
    relative = PurePosixPath(resolved.relative_to(site.root).as_posix())
    if site.excluded(relative):
        return None, "excluded from the site (hidden, vendored or in exclude:)"
    collections_dir = PurePosixPath(site.collections_dir.relative_to(site.root).as_posix())
    # With a collections_dir, Jekyll reads _posts and _drafts only inside it.
    inside = relative.is_relative_to(collections_dir)
    parts = relative.relative_to(collections_dir).parts if inside else ()
    for special in ("_posts", "_drafts"):
        if special in parts:
            index = parts.index(special)
            if any(part.startswith("_") for part in parts[:index]):
                break
            source = Source(file, site, str(relative), categories=list(parts[:index]))
            source.in_drafts = special == "_drafts"
            return publishable(source, PurePosixPath(*parts[index + 1 :]))
    for label in site.collections:
        folder = collections_dir / f"_{label}"
        if relative.is_relative_to(folder) and label == AUTHORS_COLLECTION:
            return None, "an author's page (the authors collection), read for bylines"
        if relative.is_relative_to(folder):
            source = Source(file, site, str(relative), collection=label)
            return collected(source, relative.relative_to(folder))
    if not inside and {"_posts", "_drafts"} & set(relative.parts):
        return None, f"outside the site's collections_dir ({collections_dir}/), where Jekyll reads"
    return None, "a page, not a post (not in _posts, _drafts or a collection in _config.yml)"


def publishable(source: Source, entry: PurePosixPath) -> tuple[Source | None, str]:
    """A file of `_posts` or `_drafts` (`entry` is its path there), as PostReader reads it.
    Jekyll builds a post only from a file named with its date; drafts need no date."""
    if skipped_entry(entry):
        return None, _SKIPPED_ENTRY
    if not source.in_drafts and not DATED_NAME.fullmatch(source.path.stem):
        source.unbuilt = "the file name has no YYYY-MM-DD- date, so Jekyll does not build it"
    return source, ""


def collected(source: Source, entry: PurePosixPath) -> tuple[Source | None, str]:
    """A file of a collection's folder (`entry` is its path there), as Collection#read reads
    it: a document if it opens with front matter, else a file copied as it is. Jekyll builds a
    page from a document only when its collection has `output: true`."""
    if skipped_entry(entry):
        return None, _SKIPPED_ENTRY
    if not has_front_matter(source.path):
        return None, "no front matter: Jekyll copies the file as it is rather than reading it"
    label = source.collection
    if not source.site.collections[label].get("output"):
        source.unbuilt = f"collection {label!r} has output: false, so Jekyll gives it no pages"
    return source, ""


def skipped_entry(entry: PurePosixPath) -> bool:
    """EntryFilter#special?: an entry of a collection's folder that Jekyll never reads, by the
    first character of its path there or of its file name."""
    return entry.parts[0].startswith(_SPECIAL) or entry.name.startswith(_SPECIAL)


def has_front_matter(file: Path) -> bool:
    """Utils.has_yaml_header?: the file's first line is `---`. A file that cannot be opened is
    taken to have it, so that the import says why it cannot be read."""
    try:
        with file.open("rb") as handle:
            return bool(_YAML_HEADER.match(handle.readline(1024)))
    except OSError:
        return True
