"""Jekyll-style front matter: one Markdown file in, one validated, typed `ParsedPost` out.

The rules follow Jekyll 4 for every value Quire has a field for; every other key is kept,
JSON-ready, in `ParsedPost.extra` for a lossless export. Errors name the file and the line in the
file, so an editor can go straight to the fault.

Quire has no categories: a post's `category`/`categories` become tags too, and the original keys
are also kept in `extra`, so the old URLs can be rebuilt and the keys written back on export.

This module reads no Django settings and knows nothing of sites: the importer passes in what a
Jekyll site's `_config.yml` would change (front-matter defaults, time zone) and checks the
model's own limits (lengths, URLs).
"""

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from pathlib import Path
from urllib.parse import unquote

import yaml
from django.utils.text import slugify
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.cyaml import CParser
from yaml.resolver import Resolver

from .markup import DEFAULT_EXCERPT_SEPARATOR

MAX_BYTES = 1_000_000

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

_OPENING = re.compile(r"---[ \t]*")
# Jekyll also ends front matter at a YAML document-end marker.
_CLOSING = re.compile(r"(?:---|\.\.\.)[ \t]*")
_LINE_BREAK = re.compile(r"\r\n?")
_DATED_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})-(.*)")
# Ruby's String#split without arguments splits on ASCII whitespace only, not on NBSP.
_RUBY_WHITESPACE = re.compile(r"[ \t\n\v\f\r]+")
# What Ruby's Time.parse, which Jekyll uses for a date YAML left as text, reads.
_DATE_TEXT = re.compile(
    r"(?P<date>\d{4}-\d{1,2}-\d{1,2})"
    r"(?:[Tt ]+(?P<time>\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?"
    r"\s*(?P<zone>[Zz]|[+-]\d{2}:?\d{2}|[A-Za-z]{3})?"
)
_ZONE_ABBREVIATIONS = {
    "UTC": 0, "GMT": 0, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5,
    "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
}  # fmt: skip
_YAML_TAG_PREFIX = "tag:yaml.org,2002:"
_FIRST_YAML_LINE = 2  # the YAML starts on the line after the opening `---`
_EARLIEST = datetime.min.replace(tzinfo=UTC) + timedelta(days=1)
_LATEST = datetime.max.replace(tzinfo=UTC) - timedelta(days=1)


class FrontMatterError(Exception):
    """A file Quire cannot import, with the line (1-based, in the file) at fault if there is one."""

    def __init__(self, path, line: int | None, message: str):
        super().__init__(message)
        self.path = path
        self.line = line
        self.message = message

    def __str__(self):
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


@dataclass
class ParsedPost:
    path: Path
    title: str
    slug: str  # Quire's: lower case, safe in a URL
    jekyll_slug: str = ""  # the slug Jekyll stored (case and punctuation kept), for old URLs
    authors: list[str] = field(default_factory=list)
    written_date: date | None = None  # the date as written: a date, or a datetime in its offset
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


@dataclass
class _FrontMatter:
    path: Path
    values: dict
    lines: dict[str, int]

    def error(self, key: str, message: str) -> FrontMatterError:
        return FrontMatterError(self.path, self.lines.get(key), message)


class _Loader(Composer, CParser, SafeConstructor, Resolver):
    """The safe loader without anchors, aliases or explicit tags, noting duplicated keys.

    libyaml (CParser) reads the text, about ten times faster than PyYAML's own parser; the
    nodes are composed in Python, where anchors and tags are refused before anything is built.
    """

    def __init__(self, stream):
        CParser.__init__(self, stream)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)
        self.duplicates: list[tuple[object, yaml.Mark]] = []

    def compose_node(self, parent, index):
        # Refusing anchors outright is what stops an alias bomb: nothing can be expanded.
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or event.anchor is not None:
            raise yaml.composer.ComposerError(
                None,
                None,
                "YAML anchors and aliases (& and *) are not allowed in front matter",
                event.start_mark,
            )
        if event.tag is not None:
            tag = event.tag.replace(_YAML_TAG_PREFIX, "!!", 1)
            raise yaml.composer.ComposerError(
                None, None, f"the YAML tag {tag} is not allowed in front matter", event.start_mark
            )
        return super().compose_node(parent, index)

    def construct_object(self, node, deep=False):
        # Some values match a YAML type but fail to build (2020-02-30): say which node it was.
        try:
            return super().construct_object(node, deep=deep)
        except ValueError as error:
            raise yaml.constructor.ConstructorError(
                None, None, f"{node.value!r} is not a valid value: {error}", node.start_mark
            ) from None

    def construct_mapping(self, node, deep=False):
        mapping = super().construct_mapping(node, deep=deep)
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                self.duplicates.append((key, key_node.start_mark))
            seen.add(key)
        return mapping


def parse(
    path: Path,
    text: str | bytes | None = None,
    *,
    defaults: dict | None = None,
    zone: tzinfo | None = None,
) -> ParsedPost:
    """One Markdown file with front matter, read from `path` unless its `text` (or its bytes,
    as `read_bytes` gave them) is given.

    `defaults` are front-matter values the file's own keys override, as Jekyll's `_config.yml`
    defaults are; `zone` is the time zone for dates written without an offset (else UTC).
    """
    path = Path(path)
    if text is None:
        text = read_bytes(path)
    if isinstance(text, bytes):
        _check_size(path, len(text))
        text = _decode(path, text)
    else:
        _check_size(path, len(text.encode("utf-8", "surrogatepass")))
    text, notes = _normalise(path, text)
    source, body, body_line = _split(path, text)
    front_matter = _load(path, source, notes)
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
        authors=_authors(front_matter),
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
    post.written_date = _written_date(front_matter, file_date)
    # YAML timestamps without an offset are UTC to Jekyll; only dates left as text, and bare
    # days, are in the site's zone.
    if isinstance(front_matter.values.get("date"), datetime):
        zone = None
    post.published_at, post.published_offset = _instant(front_matter, post.written_date, zone)
    post.image_url, post.image_alt, post.image_caption, image_rest = _image(front_matter, notes)
    post.extra = _extra(own, image_rest)
    if post.published_at is None:
        notes.append("no date in the front matter or the file name: the post stays a draft")
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


# Reading the file


def _check_size(path: Path, size: int):
    if size > MAX_BYTES:
        raise FrontMatterError(
            path, None, f"the file is {size:,} bytes, over the limit of {MAX_BYTES:,} bytes"
        )


def read_bytes(path: Path) -> bytes:
    """The file's bytes, refused by its size before it is read."""
    try:
        _check_size(path, path.stat().st_size)
        with path.open("rb") as file:
            raw = file.read(MAX_BYTES + 1)
    except OSError as error:
        raise FrontMatterError(path, None, f"cannot read the file: {error.strerror}") from None
    # The file may have grown since it was measured.
    _check_size(path, len(raw))
    return raw


def _decode(path: Path, raw: bytes) -> str:
    """Strict UTF-8: a byte that does not decode is an error naming its offset and line."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise FrontMatterError(
            path,
            line,
            f"not UTF-8: byte 0x{raw[error.start]:02X} at byte offset {error.start} "
            "cannot be decoded; save the file as UTF-8",
        ) from None


def _normalise(path: Path, text: str) -> tuple[str, list[str]]:
    """Without a leading byte order mark, with LF line endings (the notes say what changed);
    a NUL character is refused, as PostgreSQL cannot store one in text."""
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise FrontMatterError(
            path, line, "the file holds a NUL character (U+0000), which cannot be stored: remove it"
        )
    notes = []
    if text.startswith("\ufeff"):
        text = text[1:]
        notes.append("a UTF-8 byte order mark at the start of the file was removed")
    if "\r" in text:
        text = _LINE_BREAK.sub("\n", text)
        notes.append("CRLF (or CR) line endings were converted to LF")
    return text, notes


def _split(path: Path, text: str) -> tuple[str, str, int]:
    """The YAML between a first-line `---` and the next `---` line, the body after it, and the
    body's first line in the file."""
    lines = text.split("\n")
    if not _OPENING.fullmatch(lines[0]):
        raise FrontMatterError(path, 1, "no front matter: the file must start with a '---' line")
    for index in range(1, len(lines)):
        if _CLOSING.fullmatch(lines[index]):
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1 :]), index + 2
    raise FrontMatterError(path, 1, "the front matter opened here is never closed by a '---' line")


# Reading the YAML


def read_yaml(path: Path) -> tuple[dict, dict[str, int]]:
    """A whole YAML file of keys and values (a site's `_config.yml`, `_data/authors.yml`), read
    as safely as front matter is, with errors at their line; gives each key's line too."""
    text, _ = _normalise(path, _decode(path, read_bytes(path)))
    loaded = _load(path, text, [], first=1)
    return loaded.values, loaded.lines


def read_document(path: Path) -> tuple[dict, str]:
    """A Markdown file's front matter and body, for documents that are not posts (an author's
    page in a Jekyll `_authors` collection)."""
    text, _ = _normalise(path, _decode(path, read_bytes(path)))
    source, body, _ = _split(path, text)
    return _load(path, source, []).values, body


def _file_line(source: str, mark: yaml.Mark, first: int) -> int:
    # Counted from the character index: YAML also breaks lines at U+0085, U+2028 and U+2029.
    return source.count("\n", 0, mark.index) + first


def _load(path: Path, source: str, notes: list[str], first: int = _FIRST_YAML_LINE) -> _FrontMatter:
    """The front matter as a mapping of string keys, each with its line in the file."""
    loader = _Loader(source)
    try:
        root = loader.get_single_node()
        values = {} if root is None else loader.construct_document(root)
    except yaml.MarkedYAMLError as error:
        raise _yaml_error(path, source, error, first) from None
    except yaml.reader.ReaderError as error:
        # libyaml gives the character as a number and its position in UTF-8 bytes.
        line = source.encode("utf-8").count(b"\n", 0, error.position) + first
        raise FrontMatterError(
            path, line, f"invalid YAML: character U+{error.character:04X} is not allowed"
        ) from None
    except RecursionError:
        raise FrontMatterError(path, None, "the front matter is nested too deeply") from None
    finally:
        loader.dispose()
    if root is None:
        return _FrontMatter(path, {}, {})
    if not isinstance(values, dict):
        kind = "a list" if isinstance(values, list) else "a single value"
        raise FrontMatterError(
            path,
            _file_line(source, root.start_mark, first),
            f"front matter must be keys and values, not {kind}",
        )
    lines = {}
    for key_node, _ in root.value:
        line = _file_line(source, key_node.start_mark, first)
        if key_node.tag != _YAML_TAG_PREFIX + "str":
            raise FrontMatterError(path, line, f"the key {key_node.value!r} must be text: quote it")
        lines[key_node.value] = line
    notes.extend(
        f"line {_file_line(source, mark, first)}: {key!r} is given more than once; "
        "the last value wins"
        for key, mark in loader.duplicates
    )
    return _FrontMatter(path, values, lines)


def _yaml_error(
    path: Path, source: str, error: yaml.MarkedYAMLError, first: int
) -> FrontMatterError:
    """PyYAML's complaint at the line of the problem, naming where the faulty part began."""
    problem = ", ".join(part for part in (error.context, error.problem) if part)
    line = _file_line(source, error.problem_mark or error.context_mark, first)
    if error.context_mark and _file_line(source, error.context_mark, first) != line:
        problem += f" (it began on line {_file_line(source, error.context_mark, first)})"
    return FrontMatterError(path, line, f"invalid YAML: {problem}")


def _describe(value) -> str:
    """What YAML made of a value, in an editor's words."""
    if isinstance(value, bool):
        return "true/false (YAML reads yes, no, on and off as booleans: put the text in quotes)"
    if isinstance(value, int | float):
        return "a number (put it in quotes)"
    if isinstance(value, date):
        return "a date (put it in quotes)"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a set of keys and values"
    return type(value).__name__


# The fields


def _text(front_matter: _FrontMatter, key: str, default: str = "") -> str:
    """A text field is a YAML string or absent (or empty); any other type is an error."""
    value = front_matter.values.get(key)
    if value is None:
        return default
    if not isinstance(value, str):
        raise front_matter.error(key, f"{key} must be text, not {_describe(value)}")
    return value


def _file_name(path: Path) -> tuple[date | None, str]:
    """The `YYYY-MM-DD-` date prefix of the file name, if any, and the rest without extension."""
    match = _DATED_NAME.fullmatch(path.stem)
    if match is None:
        return None, path.stem
    try:
        return date.fromisoformat(match[1]), match[2]
    except ValueError:
        raise FrontMatterError(
            path, None, f"the file name starts with {match[1]}, which is not a real date"
        ) from None


def _jekyll_slug(front_matter: _FrontMatter, permalink: str, file_slug: str) -> str:
    """The slug Jekyll stores: `slug:`, else the last segment of a permalink without
    placeholders, else the file name's; case and punctuation kept."""
    slug = _text(front_matter, "slug").strip()
    if not slug and permalink and ":" not in permalink:
        slug = unquote(permalink.rstrip("/").rsplit("/", 1)[-1].removesuffix(".html"))
    return slug or file_slug.rstrip(".")


def _slug(front_matter: _FrontMatter, jekyll_slug: str, notes: list[str]) -> str:
    """Quire's slug: the Jekyll slug made safe for a URL (lower case, Unicode letters kept)."""
    slug = slugify(jekyll_slug, allow_unicode=True)
    if not slug:
        raise front_matter.error(
            "slug", f"cannot make a slug from {jekyll_slug!r}: give a slug: with letters or digits"
        )
    if slug != jekyll_slug:
        notes.append(f"slug {jekyll_slug!r} became {slug!r}")
    return slug


def _title(front_matter: _FrontMatter, file_slug: str, notes: list[str]) -> str:
    """`title:`, else Jekyll's titleized file name: words split on '-', each capitalised."""
    title = _text(front_matter, "title").strip()
    if not title:
        title = " ".join(word.capitalize() for word in file_slug.split("-") if word)
        notes.append(f"no title: {title!r} was made from the file name")
    return title


def _written_date(front_matter: _FrontMatter, file_date: date | None) -> date | None:
    """`date:` (else the file name's date) as written: a date, or a datetime (aware when an
    offset was given). YAML leaves some dates as text; they are read as Ruby's Time.parse does."""
    value = front_matter.values.get("date")
    # A null date falls back to the file name's, as in Jekyll.
    if value is None:
        return file_date
    if isinstance(value, str):
        return _date_from_text(front_matter, value)
    if not isinstance(value, date):
        raise front_matter.error("date", f"date must be a date and time, not {_describe(value)}")
    return value


def _date_from_text(front_matter: _FrontMatter, value: str) -> date:
    match = _DATE_TEXT.fullmatch(value.strip())
    try:
        if match is None:
            raise ValueError
        day = date.fromisoformat("-".join(part.zfill(2) for part in match["date"].split("-")))
        if match["time"] is None:
            return day
        written = datetime.combine(day, time.fromisoformat(match["time"].zfill(5)))
        zone = match["zone"]
        if zone is None:
            return written
        if zone.upper() in _ZONE_ABBREVIATIONS:
            offset = timedelta(hours=_ZONE_ABBREVIATIONS[zone.upper()])
        elif zone in "Zz":
            offset = timedelta(0)
        else:
            sign = -1 if zone[0] == "-" else 1
            digits = zone[1:].replace(":", "")
            offset = sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        return written.replace(tzinfo=timezone(offset))
    except ValueError:
        raise front_matter.error(
            "date", f"date {value!r} is not a valid date such as 2025-05-22 12:00:00 +08:00"
        ) from None


def _instant(
    front_matter: _FrontMatter, written: date | None, zone: tzinfo | None
) -> tuple[datetime | None, int | None]:
    """The written date as an aware UTC datetime, and the offset (minutes) it was written with.

    A date without an offset is put in `zone`, and without a zone in UTC with no offset kept.
    """
    if written is None:
        return None, None
    if not isinstance(written, datetime):
        written = datetime.combine(written, time())
    offset = None
    if written.tzinfo is None and zone is None:
        written = written.replace(tzinfo=UTC)
    else:
        written = written if written.tzinfo else written.replace(tzinfo=zone)
        offset = int(written.utcoffset().total_seconds()) // 60
    # A day's margin at either end keeps the instant showable in every time zone.
    try:
        instant = written.astimezone(UTC)
        in_range = _EARLIEST <= instant <= _LATEST
    except OverflowError:
        in_range = False
    if not in_range:
        raise front_matter.error(
            "date",
            f"date {written.isoformat(' ')} is out of range: give one between years 1 and 9999",
        )
    return instant, offset


def _names(front_matter: _FrontMatter, key: str) -> list[str]:
    value = front_matter.values.get(key)
    items = [] if value is None else [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise front_matter.error(key, f"{key} must be a name or a list of names")
    return [item.strip() for item in items if item.strip()]


def _authors(front_matter: _FrontMatter) -> list[str]:
    """`author` or `authors`: one name or a list of names, in the byline's order."""
    if "author" in front_matter.values and "authors" in front_matter.values:
        raise front_matter.error("authors", "give author or authors, not both")
    key = "author" if "author" in front_matter.values else "authors"
    return _names(front_matter, key)


def _jekyll_list(front_matter: _FrontMatter, singular: str, plural: str) -> list[str]:
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
        raise front_matter.error(key, f"{key} must be text or a list, not {_describe(value)}")
    names = []
    # Jekyll drops null items and writes numbers as text; anything else is a mistake.
    for item in items:
        if item is None:
            continue
        if isinstance(item, bool) or not isinstance(item, str | int):
            raise front_matter.error(key, f"each of {key} must be text, not {_describe(item)}")
        names.append(str(item).strip())
    return [name for name in names if name]


def _image(front_matter: _FrontMatter, notes: list[str]):
    """The featured image, from the first key a Jekyll theme would take it from (`image:` as a
    URL or as keys path, feature or url; `header:` image, overlay_image or teaser; `cover:`;
    `images:`), with its alt and caption; `image_alt` and `image_caption` keys win. Gives the
    URL, alt, caption and the `image:` keys Quire does not use."""
    values = front_matter.values
    image = values.get("image")
    if not (image is None or isinstance(image, str | dict)):
        raise front_matter.error(
            "image", f"image must be a URL or keys path, alt and caption, not {_describe(image)}"
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
            raise front_matter.error(key, f"{name} must be text, not {_describe(candidate)}")
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


def _part(front_matter: _FrontMatter, mapping: dict, name: str, key: str = "image") -> str:
    value = mapping.get(name)
    if value is not None and not isinstance(value, str):
        raise front_matter.error(key, f"{key} {name} must be text, not {_describe(value)}")
    return value or ""


def _flag(front_matter: _FrontMatter, key: str) -> bool:
    """A true/false key, true unless given."""
    value = front_matter.values.get(key, True)
    if not isinstance(value, bool):
        raise front_matter.error(key, f"{key} must be true or false, not {value!r}")
    return value


def _draft(front_matter: _FrontMatter) -> bool:
    """Only `published: false` makes a draft, as in Jekyll (`draft: true` does not)."""
    return not _flag(front_matter, "published")


def categories(values: dict) -> list[str]:
    """The categories in stored front-matter values, split as an import splits them."""
    return _jekyll_list(_FrontMatter(Path(), values, {}), "category", "categories")


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
