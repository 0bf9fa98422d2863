"""A Jekyll site as Quire reads it: which files are posts, what `_config.yml` and `_data/`
change about them, and where each post lived on the old site.

A file outside any Jekyll site (a loose Markdown file) is read with Jekyll's defaults.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from posts.slugs import readable_slug

from . import permalinks
from .documents import FrontMatterError, read_document, read_yaml
from .frontmatter import ParsedPost

# Jekyll's default markdown_ext.
MARKDOWN_SUFFIXES = {".md", ".markdown", ".mkdown", ".mkdn", ".mkd"}
CONFIG = "_config.yml"
AUTHORS_DATA = ("_data/authors.yml", "_data/authors.yaml")
# Why a link inside the folders being imported is passed over: it could expose any file.
_LINK_OUT = "a link to a file outside the folder being imported: not read"
# Folders Jekyll never reads, beside those its config excludes.
_EXCLUDED = {"node_modules", "vendor", "gemfiles"}
# A collection of author pages, read for bylines rather than imported as posts.
AUTHORS_COLLECTION = "authors"
# Author data keys with a field of their own, or for the page only; other text values are links.
_AUTHOR_FIELDS = {
    "name", "full_name", "title", "bio", "affiliation", "avatar", "picture", "layout",
    "permalink", "published",
}  # fmt: skip
# The ending each built-in style gives a collection's URLs (weekdate gives none).
_STYLE_ENDINGS = {
    "pretty": "/",
    "date": ":output_ext",
    "ordinal": ":output_ext",
    "none": ":output_ext",
}


@dataclass
class Site:
    """A Jekyll site's root and configuration; `root` is None for loose files."""

    root: Path | None
    config: dict = field(default_factory=dict)

    @classmethod
    def at(cls, root: Path) -> "Site":
        config_path = root / CONFIG
        config = read_yaml(own_file(root, config_path))[0] if config_path.is_file() else {}
        return cls(root, config)

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
        """Author key -> profile (name, bio, links), from `_data/authors.yml` and from the pages
        of an `authors` collection (keyed by file name and by their `name:`)."""
        profiles = {}
        for name in AUTHORS_DATA:
            path = self.root / name
            if path.is_file():
                data, lines = read_yaml(own_file(self.root, path))
                for key, profile in data.items():
                    profiles[key] = checked_profile(path, lines[key], key, profile)
                break
        if AUTHORS_COLLECTION in self.collections:
            for path in markdown_under(self.collections_dir / f"_{AUTHORS_COLLECTION}"):
                values, body = read_document(own_file(self.root, path))
                profile = {
                    **values,
                    "name": values.get("full_name") or values.get("title") or values.get("name"),
                    "bio": values.get("bio") or body.strip(),
                }
                checked_profile(path, None, path.stem, profile)
                profiles[path.stem] = profiles[str(values.get("name") or path.stem)] = profile
        return profiles

    @cached_property
    def includes_dir(self) -> Path | None:
        folder = self.root / "_includes" if self.root else None
        return folder if folder and folder.is_dir() else None

    @property
    def baseurl(self) -> str:
        return str(self.config.get("baseurl") or "").rstrip("/")

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

    def permalink_template(self, collection: str) -> str:
        """Jekyll's URL template for a collection: its own, else one from the site's style."""
        declared = self.config.get("collections")
        meta = declared.get(collection) if isinstance(declared, dict) else None
        if isinstance(meta, dict) and meta.get("permalink"):
            return str(meta["permalink"])
        style = str(self.config.get("permalink") or permalinks.POSTS_DEFAULT)
        if collection == "posts":
            return style
        # Utils.add_permalink_suffix: the style lends its ending to "/:collection/:path".
        if style in _STYLE_ENDINGS:
            return "/:collection/:path" + _STYLE_ENDINGS[style]
        ending = next((end for end in ("/", ":output_ext") if style.endswith(end)), "")
        return "/:collection/:path" + ending

    def has_output(self, collection: str) -> bool:
        return collection == "posts" or bool(self.collections.get(collection, {}).get("output"))


@dataclass
class Source:
    """One file to import: its site, the key it is known by, and where it sat in the site."""

    path: Path
    site: Site
    key: str  # the path from the site root (a loose file: its name); a re-import finds it by this
    collection: str = "posts"
    in_drafts: bool = False
    categories: list[str] = field(default_factory=list)  # from the folders above `_posts`

    @property
    def kind(self) -> str:
        return "drafts" if self.in_drafts else self.collection

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
        """The URLs the post answered at on the Jekyll site: its permalink (or the URL Jekyll
        made for it) and its `redirect_from` entries, under the site's baseurl."""
        urls = []
        published = not (post.draft or self.in_drafts) and post.written_date is not None
        if published and self.site.has_output(self.collection):
            template = post.permalink or self.site.permalink_template(self.collection)
            if post.permalink in permalinks.STYLES:
                # Style names mean styles only in _config.yml: in front matter, a path.
                template = "/" + post.permalink
            # Jekyll holds every date in the site's time zone (UTC when it names none).
            date = post.written_date
            if isinstance(date, datetime):
                date = post.published_at.astimezone(self.site.zone or UTC)
            urls.append(
                permalinks.jekyll_url(
                    template,
                    date=date,
                    slug=post.jekyll_slug,
                    basename=self.path.stem,
                    categories=[*self.categories, *post.categories],
                    collection=self.collection,
                    path=self.path_in_collection() if self.collection != "posts" else "",
                )
            )
        for entry in post.redirect_from:
            # A full URL names a path of this site; requests arrive with their paths decoded.
            urls.append("/" + unquote(urlsplit(entry).path).lstrip("/"))
        return list(dict.fromkeys(self.site.baseurl + url for url in urls))


def own_file(root: Path, path: Path) -> Path:
    """A file of the site, refused when it is a link out of it: a link could expose any file."""
    if not path.resolve().is_relative_to(root.resolve()):
        raise FrontMatterError(path, None, "a link to a file outside the site: it is not read")
    return path


def checked_profile(path: Path, line: int | None, key: str, profile) -> dict:
    """An author's data: keys such as name and bio, whose text fields are text."""
    if not isinstance(profile, dict):
        kind = "a list" if isinstance(profile, list) else repr(profile)
        message = f"author {key!r} must be keys such as name and bio, not {kind}"
        raise FrontMatterError(path, line, message)
    for name in ("name", "bio", "affiliation"):
        value = profile.get(name)
        if value is not None and not isinstance(value, str):
            message = f"author {key!r}: {name} must be text, not {value!r}"
            raise FrontMatterError(path, line, message)
    return profile


def author_profile(site: Site, key: str) -> dict:
    """The Author fields for a byline key: from `_data/authors.yml` when it has the key."""
    data = site.authors.get(key) if site.root else None
    if not data:
        return {"slug": readable_slug(key), "name": key}
    links = {
        str(name): str(value)
        for name, value in data.items()
        if name not in _AUTHOR_FIELDS and isinstance(value, str | int) and str(value).strip()
    }
    return {
        "slug": readable_slug(key),
        "name": str(data.get("name") or key),
        "bio": str(data.get("bio") or ""),
        "affiliation": str(data.get("affiliation") or ""),
        "links": links,
    }


def find_sources(paths: list[Path]) -> tuple[list[Source], list[str]]:
    """The files to import under the given files and folders, and what was passed over, why."""
    found: dict[Path, Source] = {}
    skipped: list[str] = []
    sites: dict[Path, Site] = {}

    def site_at(root: Path) -> Site:
        if root not in sites:
            sites[root] = Site.at(root)
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
                found.setdefault(file.resolve(), Source(file, Site(None), key=file.name))
            continue
        site = site_at(root)
        files = [path] if path.is_file() else sorted(f for f in path.rglob("*") if f.is_file())
        for file in files:
            resolved = file.resolve()
            source, reason = site_source(site, file, resolved)
            if file.suffix.lower() not in MARKDOWN_SUFFIXES:
                # A site's other files are its pages and assets; a post in HTML is worth a word.
                if source is not None:
                    skipped.append(f"{file}: not Markdown (Quire imports Markdown posts only)")
            elif source is None:
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
            above = list(parts[:index])
            if any(part.startswith("_") for part in above):
                break
            return (
                Source(
                    file,
                    site,
                    key=str(relative),
                    in_drafts=special == "_drafts",
                    categories=above,
                ),
                "",
            )
    for label in site.collections:
        folder = collections_dir / f"_{label}"
        if relative.is_relative_to(folder) and label == AUTHORS_COLLECTION:
            return None, "an author's page (the authors collection), read for bylines"
        if relative.is_relative_to(folder):
            inner = relative.relative_to(folder).parts[:-1]
            if any(part.startswith("_") for part in inner):
                return None, "Jekyll skips folders starting with '_' inside a collection"
            return Source(file, site, key=str(relative), collection=label), ""
    if not inside and {"_posts", "_drafts"} & set(relative.parts):
        return None, f"outside the site's collections_dir ({collections_dir}/), where Jekyll reads"
    return None, "a page, not a post (not in _posts, _drafts or a collection in _config.yml)"
