"""Jekyll-style front matter: one Markdown file in, one validated, typed `ParsedPost` out.

The rules follow Jekyll 4 for every value Quire has a field for; every other key is kept,
JSON-ready, in `ParsedPost.extra` for a lossless export. Errors name the file and the line in the
file, so an editor can go straight to the fault. The file and its YAML are read by `documents`;
what a date means is worked out by `dates`; here each field is type-checked and interpreted
(titles, slugs, authors, tags and categories, the featured image, the excerpt, drafts).

Quire has no categories: a post's `category`/`categories` become tags too, and the original keys
are also kept in `extra`, so the old URLs can be rebuilt and the keys written back on export.

This module reads no Django settings and knows nothing of sites: the importer passes in what a
Jekyll site's `_config.yml` would change (front-matter defaults, time zone) and checks the
model's own limits (lengths, URLs).
"""

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from pathlib import Path
from urllib.parse import unquote

from django.utils.text import slugify

from posts.markup import DEFAULT_EXCERPT_SEPARATOR

from .dates import instant, written_date
from .documents import FrontMatter, describe, read_front_matter

# The front-matter keys behind each ParsedPost attribute, the one that wins first.
SOURCES = {
    "title": ("title",),
    "slug": ("slug", "permalink"),
    "authors": ("authors", "author"),
    "published_at": ("date",),
    "description": ("description",),
    "excerpt": ("excerpt",),
    "excerpt_separator": ("excerpt_separator",),
    "tags": ("tag", "tags"),
    "categories": ("category", "categories"),
    "image_url": ("image", "header", "cover", "images"),
    "image_alt": ("image_alt", "image"),
    "image_caption": ("image_caption", "image", "header"),
    "draft": ("published",),
    "permalink": ("permalink",),
    "redirect_from": ("redirect_from",),
    "liquid": ("render_with_liquid",),
    "canonical_url": ("canonical_url",),
}
_MODELLED = {key for keys in SOURCES.values() for key in keys}
# Modelled only in part, so the original is kept in `extra` too: categories (as tags), and the
# theme keys a featured image can come from, which carry more than the image.
_KEPT_AS_WELL = {"category", "categories", "header", "cover", "images"}
# Where Jekyll themes put a featured image, the one that wins first (key, then sub-key or index).
_IMAGE_SOURCES = (
    ("image", None),
    ("image", "path"),
    ("image", "feature"),
    ("image", "url"),
    ("header", "image"),
    ("header", "overlay_image"),
    ("header", "teaser"),
    ("cover", None),
    ("images", 0),
)
# Jekyll 4's DATE_FILENAME_MATCHER, on the file name without its extension: a post's date and
# slug. Jekyll builds a file in _posts only when its name matches.
DATED_NAME = re.compile(r"(\d{2,4}-\d{1,2}-\d{1,2})-(.*)", re.ASCII)
# Ruby's String#split without arguments splits on ASCII whitespace only, not on NBSP.
_RUBY_WHITESPACE = re.compile(r"[ \t\n\v\f\r]+")


@dataclass
class ParsedPost:
    path: Path
    title: str
    slug: str  # Quire's: lower case, safe in a URL
    jekyll_slug: str = ""  # the slug Jekyll stored (case and punctuation kept), for old URLs
    authors: list[str] = field(default_factory=list)
    written_date: date | None = None  # the date as written: a date, or a datetime in its offset
    rolled_over: bool = False  # the date written does not exist, and Ruby moved it on
    dated_by_file: bool = False  # no date anywhere: dated by the file's last change
    published_at: datetime | None = None
    published_offset: int | None = None
    description: str = ""
    body: str = ""
    body_line: int = 1  # the line of the file the body starts on
    excerpt: str = ""
    excerpt_separator: str = DEFAULT_EXCERPT_SEPARATOR
    tags: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    image_url: str = ""
    image_alt: str = ""
    image_caption: str = ""
    draft: bool = False
    permalink: str = ""
    redirect_from: list[str] = field(default_factory=list)
    liquid: bool = True  # `render_with_liquid: false` turns Jekyll's Liquid off for the body
    canonical_url: str = ""  # jekyll-seo-tag's key for a piece first published elsewhere
    front_matter: dict = field(default_factory=dict)  # the file's own keys and values, as read
    extra: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    lines: dict[str, int] = field(default_factory=dict)  # front-matter key -> line in the file

    def where(self, attribute: str) -> tuple[str, int | None]:
        """The front-matter key an attribute came from, and its line (None if not from a key)."""
        keys = SOURCES.get(attribute, (attribute,))
        for key in keys:
            if key in self.lines:
                return key, self.lines[key]
        return keys[0], None


def parse(
    path: Path,
    text: str | bytes | None = None,
    *,
    defaults: dict | None = None,
    zone: tzinfo | None = None,
    undated_at: datetime | None = None,
) -> ParsedPost:
    """One Markdown file with front matter, read from `path` unless its `text` (or its bytes,
    as `read_bytes` gave them) is given.

    `defaults` are front-matter values the file's own keys override, as Jekyll's `_config.yml`
    defaults are; `zone` is the time zone for dates written without an offset (else UTC);
    `undated_at` is the instant a document without any date is dated by (Jekyll dates a
    collection's documents by the build), else such a post stays a draft.
    """
    path = Path(path)
    front_matter, body, body_line, notes = read_front_matter(path, text)
    own = front_matter.values
    front_matter.values = {**(defaults or {}), **own}
    file_date, file_slug = _file_name(path)
    permalink = _text(front_matter, "permalink").strip()
    jekyll_slug = _jekyll_slug(front_matter, permalink, file_slug)
    post = ParsedPost(
        path=path,
        title=_title(front_matter, file_slug, notes),
        slug=_slug(front_matter, jekyll_slug, notes),
        jekyll_slug=jekyll_slug,
        authors=_authors(front_matter, own, notes),
        description=_text(front_matter, "description").strip(),
        body=body,
        body_line=body_line,
        excerpt=_text(front_matter, "excerpt").strip(),
        excerpt_separator=_text(front_matter, "excerpt_separator", DEFAULT_EXCERPT_SEPARATOR),
        tags=_jekyll_list(front_matter, "tag", "tags"),
        categories=_jekyll_list(front_matter, "category", "categories"),
        draft=_draft(front_matter),
        permalink=permalink,
        redirect_from=_names(front_matter, "redirect_from"),
        liquid=_flag(front_matter, "render_with_liquid"),
        canonical_url=_text(front_matter, "canonical_url").strip(),
        front_matter=own,
        notes=notes,
        lines=front_matter.lines,
    )
    post.written_date, reading, post.rolled_over = written_date(front_matter, file_date)
    if post.written_date is None and undated_at is not None and not (file_date or reading):
        post.written_date, post.dated_by_file = undated_at, True
        reading = (
            "no date: Jekyll dates a collection's document by its build; dated by the file's "
            f"last change, {undated_at:%Y-%m-%d %H:%M} UTC"
        )
    if reading:
        from_file = front_matter.values.get("date") is None
        notes.append(reading if from_file else _at(front_matter.lines.get("date"), reading))
    # YAML timestamps without an offset are UTC to Jekyll; only dates left as text, and bare
    # days, are in the site's zone.
    if isinstance(front_matter.values.get("date"), datetime):
        zone = None
    post.published_at, post.published_offset = instant(front_matter, post.written_date, zone)
    post.image_url, post.image_alt, post.image_caption, image_rest = _image(front_matter, notes)
    post.extra = _extra(own, image_rest)
    if post.published_at is None and not reading:
        notes.append(_undated(file_date))
    if own.get("draft") is True and not post.draft:
        notes.append(
            "draft: true does not hold a post back in Jekyll (published: false or _drafts/ "
            "does): imported as published, the key kept"
        )
    separator = post.excerpt_separator
    declared = "excerpt_separator" in front_matter.values
    if declared and not post.excerpt and separator not in body:
        notes.append(
            f"the excerpt separator {separator!r} is not in the body: the excerpt is the first "
            "paragraph (Jekyll would show the whole post)"
        )
    return post


# The fields


def _text(front_matter: FrontMatter, key: str, default: str = "") -> str:
    """A text field is a YAML string or absent (or empty); any other type is an error."""
    value = front_matter.values.get(key)
    if value is None:
        return default
    if not isinstance(value, str):
        raise front_matter.error(key, f"{key} must be text, not {describe(value)}")
    return value


def _file_name(path: Path) -> tuple[str | None, str]:
    """The date the file name starts with, as written (read only if the front matter gives no
    date, as Jekyll reads it), and the rest of the name without extension."""
    match = DATED_NAME.fullmatch(path.stem)
    if match is None:
        return None, path.stem
    return match[1], match[2]


def _undated(file_date: str | None) -> str:
    """Why a post has no date, and so stays a draft."""
    if file_date is None:
        return "no date in the front matter or the file name: the post stays a draft"
    # Any other file-name date is a date or an error: this one is 0000-00-00.
    return (
        f"the file name's date {file_date} is a template's placeholder and the front matter "
        "gives no date (Jekyll would stop at it): the post stays a draft"
    )


def _at(line: int | None, message: str) -> str:
    """A note at the line of the file it is about, where there is one."""
    return message if line is None else f"line {line}: {message}"


def _jekyll_slug(front_matter: FrontMatter, permalink: str, file_slug: str) -> str:
    """The slug Jekyll stores: `slug:`, else the last segment of a permalink without
    placeholders, else the file name's; case and punctuation kept."""
    slug = _text(front_matter, "slug").strip()
    if not slug and permalink and ":" not in permalink:
        slug = unquote(permalink.rstrip("/").rsplit("/", 1)[-1].removesuffix(".html"))
    return slug or file_slug.rstrip(".")


def _slug(front_matter: FrontMatter, jekyll_slug: str, notes: list[str]) -> str:
    """Quire's slug: the Jekyll slug made safe for a URL (lower case, Unicode letters kept)."""
    slug = slugify(jekyll_slug, allow_unicode=True)
    if not slug:
        raise front_matter.error(
            "slug", f"cannot make a slug from {jekyll_slug!r}: give a slug: with letters or digits"
        )
    if slug != jekyll_slug:
        notes.append(f"slug {jekyll_slug!r} became {slug!r}")
    return slug


def _title(front_matter: FrontMatter, file_slug: str, notes: list[str]) -> str:
    """`title:`, else Jekyll's titleized file name: words split on '-', each capitalised."""
    title = _text(front_matter, "title").strip()
    if not title:
        title = " ".join(word.capitalize() for word in file_slug.split("-") if word)
        notes.append(f"no title: {title!r} was made from the file name")
    return title


def _names(front_matter: FrontMatter, key: str) -> list[str]:
    value = front_matter.values.get(key)
    items = [] if value is None else [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise front_matter.error(key, f"{key} must be a name or a list of names")
    return [item.strip() for item in items if item.strip()]


def _authors(front_matter: FrontMatter, own: dict, notes: list[str]) -> list[str]:
    """`author` and `authors`, each one name or a list of names, in the byline's order: the
    file's own keys, else the defaults' (a file's own key beats a default, whichever of the two
    each uses). Given both, the byline is author's names, then authors'."""
    keys = [key for key in ("author", "authors") if key in own] or [
        key for key in ("author", "authors") if key in front_matter.values
    ]
    if len(keys) == 2:
        notes.append(
            _at(
                front_matter.lines.get("authors"),
                "author and authors are both given: the byline is author's names, then authors'",
            )
        )
    return list(dict.fromkeys(name for key in keys for name in _names(front_matter, key)))


def _jekyll_list(front_matter: FrontMatter, singular: str, plural: str) -> list[str]:
    """Jekyll's pluralized_array_from_hash: the singular key as written, else the plural key,
    whose string value splits on whitespace while list items stay whole."""
    key = singular if front_matter.values.get(singular) is not None else plural
    value = front_matter.values.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        items = [value] if key == singular else _RUBY_WHITESPACE.split(value)
    elif isinstance(value, list):
        items = value
    else:
        raise front_matter.error(key, f"{key} must be text or a list, not {describe(value)}")
    names = []
    # Jekyll drops null items and writes numbers as text; anything else is a mistake.
    for item in items:
        if item is None:
            continue
        if isinstance(item, bool) or not isinstance(item, str | int):
            raise front_matter.error(key, f"each of {key} must be text, not {describe(item)}")
        names.append(str(item).strip())
    return [name for name in names if name]


def _image(front_matter: FrontMatter, notes: list[str]):
    """The featured image, from the first key a Jekyll theme would take it from (`image:` as a
    URL or as keys path, feature or url; `header:` image, overlay_image or teaser; `cover:`;
    `images:`), with its alt and caption; `image_alt` and `image_caption` keys win. Gives the
    URL, alt, caption and the `image:` keys Quire does not use."""
    values = front_matter.values
    image = values.get("image")
    if not (image is None or isinstance(image, str | dict)):
        raise front_matter.error(
            "image", f"image must be a URL or keys path, alt and caption, not {describe(image)}"
        )
    url = ""
    for key, part in _IMAGE_SOURCES:
        holder = values.get(key)
        if part is None:
            # A mapping is looked into by the sub-key entries.
            candidate = None if isinstance(holder, dict) else holder
        elif isinstance(part, int):
            item = holder[part] if isinstance(holder, list) and holder else None
            candidate = item.get("url") if isinstance(item, dict) else None
        else:
            candidate = holder.get(part) if isinstance(holder, dict) else None
        if candidate is None or candidate == "":
            continue
        if not isinstance(candidate, str):
            name = key if part is None else f"{key} {part}"
            raise front_matter.error(key, f"{name} must be text, not {describe(candidate)}")
        url = candidate.strip()
        break
    details = image if isinstance(image, dict) else {}
    header = values.get("header") if isinstance(values.get("header"), dict) else {}
    alt = _text(front_matter, "image_alt") or _part(front_matter, details, "alt")
    caption = (
        _text(front_matter, "image_caption")
        or _part(front_matter, details, "caption")
        or _part(front_matter, header, "caption", key="header")
    )
    used = {"path", "feature", "url", "alt", "caption"}
    rest = {name: value for name, value in details.items() if name not in used}
    if rest:
        notes.append(f"image keys kept in front_matter only: {', '.join(map(str, rest))}")
    return url, alt.strip(), caption.strip(), rest


def _part(front_matter: FrontMatter, mapping: dict, name: str, key: str = "image") -> str:
    value = mapping.get(name)
    if value is not None and not isinstance(value, str):
        raise front_matter.error(key, f"{key} {name} must be text, not {describe(value)}")
    return value or ""


def _flag(front_matter: FrontMatter, key: str) -> bool:
    """A true/false key, true unless given."""
    value = front_matter.values.get(key, True)
    if not isinstance(value, bool):
        raise front_matter.error(key, f"{key} must be true or false, not {value!r}")
    return value


def _draft(front_matter: FrontMatter) -> bool:
    """Only `published: false` makes a draft, as in Jekyll (`draft: true` does not)."""
    return not _flag(front_matter, "published")


def categories(values: dict) -> list[str]:
    """The categories in stored front-matter values, split as an import splits them."""
    return _jekyll_list(FrontMatter(Path(), values, {}), "category", "categories")


def _jsonable(value):
    """A YAML value as JSON: dates become ISO strings, keys become strings."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    # PostgreSQL's JSON refuses NaN and infinities, which YAML can write as .nan and .inf.
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


def _extra(own: dict, image_rest: dict) -> dict:
    """Every key of the file Quire does not model, with the image keys it does not use, ready
    for JSON."""
    extra = {
        key: _jsonable(value)
        for key, value in own.items()
        if key not in _MODELLED or key in _KEPT_AS_WELL
    }
    if image_rest:
        extra["image"] = _jsonable(image_rest)
    return extra
