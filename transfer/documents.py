"""Markdown files with front matter, and YAML files, read safely; every fault named by its line.

A file is refused by its size before it is read and decoded as strict UTF-8; its line endings
become LF. Its YAML is read by the safe loader with anchors, aliases and explicit tags refused,
so an alias bomb has nothing to expand; duplicated keys are noted. What is read is a
`FrontMatter`: the values and the line in the file of each key, for errors at their line.
"""

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.cyaml import CParser
from yaml.resolver import Resolver

MAX_BYTES = 1_000_000

_OPENING = re.compile(r"---[ \t]*")
# Jekyll also ends front matter at a YAML document-end marker.
_CLOSING = re.compile(r"(?:---|\.\.\.)[ \t]*")
_LINE_BREAK = re.compile(r"\r\n?")
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
class FrontMatter:
    """Keys and values as YAML read them, with the line in the file of each key."""

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

    def construct_yaml_timestamp(self, node):
        # A timestamp no calendar has (2016-06-31) stays text, as Ruby's Psych keeps it, for
        # `dates` to read as Jekyll's Time.parse does (rolled over into July).
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return node.value

    def construct_mapping(self, node, deep=False):
        mapping = super().construct_mapping(node, deep=deep)
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                self.duplicates.append((key, key_node.start_mark))
            seen.add(key)
        return mapping


_Loader.add_constructor(f"{_YAML_TAG_PREFIX}timestamp", _Loader.construct_yaml_timestamp)


def read_front_matter(
    path: Path, text: str | bytes | None = None
) -> tuple[FrontMatter, str, int, list[str]]:
    """A Markdown file's front matter, its body, the body's first line in the file, and notes on
    what reading changed; read from `path` unless its `text` (or its bytes) is given."""
    if text is None:
        text = read_bytes(path)
    if isinstance(text, bytes):
        _check_size(path, len(text))
        text = _decode(path, text)
    else:
        _check_size(path, len(text.encode("utf-8", "surrogatepass")))
    text, notes = _normalise(path, text)
    source, body, body_line = _split(path, text)
    return _load(path, source, notes), body, body_line, notes


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
    front_matter, body, _, _ = read_front_matter(path)
    return front_matter.values, body


def _file_line(source: str, mark: yaml.Mark, first: int) -> int:
    # Counted from the character index: YAML also breaks lines at U+0085, U+2028 and U+2029.
    return source.count("\n", 0, mark.index) + first


def _load(path: Path, source: str, notes: list[str], first: int = _FIRST_YAML_LINE) -> FrontMatter:
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
        return FrontMatter(path, {}, {})
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
    return FrontMatter(path, values, lines)


def _yaml_error(
    path: Path, source: str, error: yaml.MarkedYAMLError, first: int
) -> FrontMatterError:
    """PyYAML's complaint at the line of the problem, naming where the faulty part began."""
    problem = ", ".join(part for part in (error.context, error.problem) if part)
    line = _file_line(source, error.problem_mark or error.context_mark, first)
    if error.context_mark and _file_line(source, error.context_mark, first) != line:
        problem += f" (it began on line {_file_line(source, error.context_mark, first)})"
    return FrontMatterError(path, line, f"invalid YAML: {problem}")


def describe(value) -> str:
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
