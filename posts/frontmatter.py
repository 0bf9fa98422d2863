"""Jekyll-style front matter: one Markdown file in, one validated, typed `ParsedPost` out.

The rules follow Jekyll 4 for every value Quire has a field for; every other key is kept,
JSON-ready, in `ParsedPost.extra` for a lossless export. Errors name the file and the line in the
file, so an editor can go straight to the fault.

Quire has no categories: a post's `category`/`categories` become tags too, and the original key is
also kept in `extra`, so they can still be mapped to sections and written back on export.

This module reads no Django settings; the import command checks the model's own limits (lengths,
URLs).
"""

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path

import yaml
from django.utils.text import slugify

from .markup import DEFAULT_EXCERPT_SEPARATOR

MAX_BYTES = 1_000_000

# The front-matter keys behind each ParsedPost attribute, the one that wins first.
SOURCES = {
    "title": ("title",),
    "slug": ("slug",),
    "authors": ("authors", "author"),
    "published_at": ("date",),
    "description": ("description",),
    "excerpt": ("excerpt",),
    "excerpt_separator": ("excerpt_separator",),
    "tags": ("tag", "tags", "category", "categories"),
    "image_url": ("image",),
    "image_alt": ("image_alt", "image"),
    "image_caption": ("image_caption", "image"),
    "draft": ("published",),
}
_MODELLED = {key for keys in SOURCES.values() for key in keys}
# Modelled only in part (as tags), so the original is kept in `extra` too.
_KEPT_AS_WELL = {"category", "categories"}

_OPENING = re.compile(r"---[ \t]*")
# Jekyll also ends front matter at a YAML document-end marker.
_CLOSING = re.compile(r"(?:---|\.\.\.)[ \t]*")
_LINE_BREAK = re.compile(r"\r\n?")
_DATED_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})-(.*)")
# Ruby's String#split without arguments splits on ASCII whitespace only, not on NBSP.
_RUBY_WHITESPACE = re.compile(r"[ \t\n\v\f\r]+")
_YAML_TAG_PREFIX = "tag:yaml.org,2002:"
_FIRST_YAML_LINE = 2  # the YAML starts on the line after the opening `---`


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
    slug: str
    authors: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    published_offset: int | None = None
    description: str = ""
    body: str = ""
    excerpt: str = ""
    excerpt_separator: str = DEFAULT_EXCERPT_SEPARATOR
    tags: list[str] = field(default_factory=list)
    image_url: str = ""
    image_alt: str = ""
    image_caption: str = ""
    draft: bool = False
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


class _Loader(yaml.SafeLoader):
    """The safe loader without anchors, aliases or explicit tags, noting duplicated keys."""

    def __init__(self, stream):
        super().__init__(stream)
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


def parse(path: Path, text: str | None = None) -> ParsedPost:
    """One Markdown file with front matter, read from `path` unless its `text` is given."""
    path = Path(path)
    if text is None:
        text = _decode(path, _read(path))
    else:
        _check_size(path, len(text.encode("utf-8", "surrogatepass")))
    text, notes = _normalise(text)
    source, body = _split(path, text)
    front_matter = _load(path, source, notes)
    file_date, file_slug = _file_name(path)
    post = ParsedPost(
        path=path,
        title=_title(front_matter, file_slug, notes),
        slug=_slug(front_matter, file_slug, notes),
        authors=_authors(front_matter),
        description=_text(front_matter, "description").strip(),
        body=body,
        excerpt=_text(front_matter, "excerpt").strip(),
        excerpt_separator=_text(front_matter, "excerpt_separator", DEFAULT_EXCERPT_SEPARATOR),
        tags=_tags(front_matter),
        draft=_draft(front_matter),
        notes=notes,
        lines=front_matter.lines,
    )
    post.published_at, post.published_offset = _published_at(front_matter, file_date)
    post.image_url, post.image_alt, post.image_caption, image_rest = _image(front_matter, notes)
    post.extra = _extra(front_matter, image_rest)
    if post.published_at is None:
        notes.append("no date in the front matter or the file name: the post stays a draft")
    separator = post.excerpt_separator
    if not post.excerpt and (not separator or separator not in body):
        notes.append(
            f"no excerpt separator ({separator!r}) in the body: the excerpt is the first paragraph"
        )
    return post


# Reading the file


def _check_size(path: Path, size: int):
    if size > MAX_BYTES:
        raise FrontMatterError(
            path, None, f"the file is {size:,} bytes, over the limit of {MAX_BYTES:,} bytes"
        )


def _read(path: Path) -> bytes:
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


def _normalise(text: str) -> tuple[str, list[str]]:
    """Without a leading byte order mark, with LF line endings (the notes say what changed)."""
    notes = []
    if text.startswith("\ufeff"):
        text = text[1:]
        notes.append("a UTF-8 byte order mark at the start of the file was removed")
    if "\r" in text:
        text = _LINE_BREAK.sub("\n", text)
        notes.append("CRLF (or CR) line endings were converted to LF")
    return text, notes


def _split(path: Path, text: str) -> tuple[str, str]:
    """The YAML between a first-line `---` and the next `---` line, and the body after it."""
    lines = text.split("\n")
    if not _OPENING.fullmatch(lines[0]):
        raise FrontMatterError(path, 1, "no front matter: the file must start with a '---' line")
    for index in range(1, len(lines)):
        if _CLOSING.fullmatch(lines[index]):
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1 :])
    raise FrontMatterError(path, 1, "the front matter opened here is never closed by a '---' line")


# Reading the YAML


def _file_line(source: str, mark: yaml.Mark) -> int:
    # Counted from the character index: YAML also breaks lines at U+0085, U+2028 and U+2029.
    return source.count("\n", 0, mark.index) + _FIRST_YAML_LINE


def _load(path: Path, source: str, notes: list[str]) -> _FrontMatter:
    """The front matter as a mapping of string keys, each with its line in the file."""
    loader = _Loader(source)
    try:
        root = loader.get_single_node()
        values = {} if root is None else loader.construct_document(root)
    except yaml.MarkedYAMLError as error:
        raise _yaml_error(path, source, error) from None
    except yaml.reader.ReaderError as error:
        line = source.count("\n", 0, error.position) + _FIRST_YAML_LINE
        raise FrontMatterError(
            path, line, f"invalid YAML: character U+{ord(error.character):04X} is not allowed"
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
            _file_line(source, root.start_mark),
            f"front matter must be keys and values, not {kind}",
        )
    lines = {}
    for key_node, _ in root.value:
        line = _file_line(source, key_node.start_mark)
        if key_node.tag != _YAML_TAG_PREFIX + "str":
            raise FrontMatterError(path, line, f"the key {key_node.value!r} must be text: quote it")
        lines[key_node.value] = line
    notes.extend(
        f"line {_file_line(source, mark)}: {key!r} is given more than once; the last value wins"
        for key, mark in loader.duplicates
    )
    return _FrontMatter(path, values, lines)


def _yaml_error(path: Path, source: str, error: yaml.MarkedYAMLError) -> FrontMatterError:
    """PyYAML's complaint at the line of the problem, naming where the faulty part began."""
    problem = ", ".join(part for part in (error.context, error.problem) if part)
    line = _file_line(source, error.problem_mark or error.context_mark)
    if error.context_mark and _file_line(source, error.context_mark) != line:
        problem += f" (it began on line {_file_line(source, error.context_mark)})"
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


def _slug(front_matter: _FrontMatter, file_slug: str, notes: list[str]) -> str:
    """`slug:` if given, else the file name without date and extension; slugified, Unicode kept."""
    source = _text(front_matter, "slug").strip() or file_slug
    slug = slugify(source, allow_unicode=True)
    if not slug:
        raise front_matter.error(
            "slug", f"cannot make a slug from {source!r}: give a slug: with letters or digits"
        )
    if slug != source:
        notes.append(f"slug {source!r} became {slug!r}")
    return slug


def _title(front_matter: _FrontMatter, file_slug: str, notes: list[str]) -> str:
    """`title:`, else Jekyll's titleized file name: words split on '-', each capitalised."""
    title = _text(front_matter, "title").strip()
    if not title:
        title = " ".join(word.capitalize() for word in file_slug.split("-") if word)
        notes.append(f"no title: {title!r} was made from the file name")
    return title


def _published_at(front_matter: _FrontMatter, file_date: date | None):
    """`date:` (else the file name's date) as an aware UTC datetime, and its offset in minutes."""
    value = front_matter.values.get("date")
    # A null date falls back to the file name's, as in Jekyll.
    if value is None:
        value = file_date
    if value is None:
        return None, None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise front_matter.error(
                "date", f"date {value!r} is not a valid date such as 2025-05-22 12:00:00 +08:00"
            ) from None
    if not isinstance(value, date):
        raise front_matter.error("date", f"date must be a date and time, not {_describe(value)}")
    if not isinstance(value, datetime):
        value = datetime.combine(value, time())
    if value.tzinfo is None:
        # Jekyll puts an offset-less time in the site's zone (default: the system's); Quire, in UTC.
        return value.replace(tzinfo=UTC), None
    return value.astimezone(UTC), int(value.utcoffset().total_seconds()) // 60


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


def _tags(front_matter: _FrontMatter) -> list[str]:
    """Tags, then categories (Quire keeps them as tags), each name once, in the order written."""
    names = _jekyll_list(front_matter, "tag", "tags")
    names += _jekyll_list(front_matter, "category", "categories")
    return list(dict.fromkeys(names))


def _image(front_matter: _FrontMatter, notes: list[str]):
    """`image:` as a URL, or as keys `path` (or `url`), `alt` and `caption`; the `image_alt` and
    `image_caption` keys win. Gives the URL, alt, caption and the image keys Quire does not use."""
    value = front_matter.values.get("image")
    parts, rest = {}, {}
    if isinstance(value, dict):
        source = "path" if value.get("path") else "url"
        used = (source, "alt", "caption")
        rest = {name: part for name, part in value.items() if name not in used}
        for name in used:
            part = value.get(name)
            if part is not None and not isinstance(part, str):
                raise front_matter.error(
                    "image", f"image {name} must be text, not {_describe(part)}"
                )
            parts[name] = (part or "").strip()
        if rest:
            notes.append(f"image keys kept in front_matter only: {', '.join(map(str, rest))}")
        url = parts[source]
    elif value is None or isinstance(value, str):
        url = (value or "").strip()
    else:
        raise front_matter.error(
            "image", f"image must be a URL or keys path, alt and caption, not {_describe(value)}"
        )
    alt = _text(front_matter, "image_alt").strip() or parts.get("alt", "")
    caption = _text(front_matter, "image_caption").strip() or parts.get("caption", "")
    return url, alt, caption, rest


def _draft(front_matter: _FrontMatter) -> bool:
    """Only `published: false` makes a draft, as in Jekyll (`draft: true` does not)."""
    value = front_matter.values.get("published", True)
    if not isinstance(value, bool):
        raise front_matter.error("published", f"published must be true or false, not {value!r}")
    return not value


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


def _extra(front_matter: _FrontMatter, image_rest: dict) -> dict:
    """Every key Quire does not model, with the image keys it does not use, ready for JSON."""
    extra = {
        key: _jsonable(value)
        for key, value in front_matter.values.items()
        if key not in _MODELLED or key in _KEPT_AS_WELL
    }
    if image_rest:
        extra["image"] = _jsonable(image_rest)
    return extra
