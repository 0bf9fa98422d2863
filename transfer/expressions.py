"""Liquid values, conditions and filters, worked out without running the site.

A value is a literal, a range, or a variable: `site` (the config, and `site.data` from the data
folder), `page` (the front matter), `include` (an include's parameters), a loop's variable and
`forloop`, and what assign, capture and increment set. Values are Liquid's: text, numbers, true,
false, nil, lists, keys and values, dates and times; they print as Jekyll prints them (a YAML
date as 2024-03-05, a time as Ruby's Time#to_s: 2024-03-05 10:00:00 +0100).

What the importer does not have is `Unknown`, saying why: a value Jekyll computes while it builds
(page.url, site.posts), a key the site config does not set (a theme's config may), a filter Quire
does not reproduce. A key the front matter does not set is nil, as in Jekyll. Whatever is worked
out from an unknown is unknown too, except where Liquid's logic does not need it (`false and x`),
so the caller keeps the Liquid that needed it. An unset `site.url` or `site.baseurl` is "", as in
Jekyll, and noted once. A variable nothing set is nil too, unless an include that could have set
it was not inlined.
"""

import html
import json
import math
import re
from collections.abc import Callable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from urllib.parse import quote, unquote_plus
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from anyascii import anyascii

from posts import markup

from .conversion import Notes
from .documents import FrontMatterError

_TOKEN = re.compile(
    r"""\s*+(?:
      (?P<string>"[^"]*+"|'[^']*+')
    | (?P<number>-?\d++(?:\.\d++)?+)
    | (?P<symbol>==|!=|<>|<=|>=|\.\.|[<>|:,()\[\].])
    | (?P<name>[A-Za-z_][\w-]*+\??+)
    )""",
    re.VERBOSE,
)
_COMPARISONS = {"==", "!=", "<>", "<", ">", "<=", ">=", "contains"}
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_INTEGER = re.compile(r"-?\d+")
_DECIMAL = re.compile(r"-?\d+\.\d+")
_RUBY_WHITESPACE = " \t\n\v\f\r\x00"
# What Ruby's Time.parse reads that Liquid's date filter is given in practice.
_DATE_TEXT = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[Tt ]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?"
    r"\s*(?:(?P<utc>[Zz]|UTC|GMT)|(?P<sign>[+-])(\d{2}):?(\d{2}))?"
)
_STRFTIME = re.compile(r"%([-_0^#]*)(\d*)(:{0,2}z|[A-Za-z%+])")
_MONTHS = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
]  # fmt: skip
_WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_COMPOSITE_FORMATS = {
    "F": "%Y-%m-%d", "T": "%H:%M:%S", "D": "%m/%d/%y", "x": "%m/%d/%y", "X": "%H:%M:%S",
    "R": "%H:%M", "r": "%I:%M:%S %p", "c": "%a %b %e %H:%M:%S %Y", "+": "%a %b %e %H:%M:%S %Z %Y",
    "v": "%e-%^b-%Y",
}  # fmt: skip
# Jekyll's slugify modes, as the characters each turns into hyphens.
_SLUG_RUNS = {
    "raw": re.compile(r"\s+"),
    "default": re.compile(r"[\W_]+"),
    "pretty": re.compile(r"(?:[^\w._~!$&'()+,;=@]|_)+"),
    "ascii": re.compile(r"[^A-Za-z0-9]+"),
}
_HTML_STRIPPED = re.compile(
    r"<script.*?</script>|<!--.*?-->|<style.*?</style>|<[^>]*+>", re.DOTALL | re.IGNORECASE
)
_NEWLINES = re.compile(r"\r?\n")
_MAX_RANGE = 10_000
# What Jekyll makes as it builds the site, which no file the importer reads holds.
_BUILT_SITE = {
    "posts", "pages", "time", "categories", "tags", "collections", "documents", "html_pages",
    "static_files", "html_files", "related_posts",
}  # fmt: skip
# The variables Jekyll gives a page's Liquid beside site and page.
_JEKYLL_VARIABLES = {"layout", "content", "paginator", "jekyll", "highlighter_prefix",
                     "highlighter_suffix"}  # fmt: skip
_BUILT_PAGE = {
    "url", "content", "excerpt", "id", "next", "previous", "path", "relative_path", "collection",
    "dir", "name", "output", "slug", "ext", "categories", "date", "title",
}  # fmt: skip


@dataclass(frozen=True)
class Unknown:
    """A value the importer does not have; `why` says so in words that can end a note."""

    why: str


class _Special:
    """Liquid's `empty` and `blank`, which equal whatever is empty (or blank)."""

    def __init__(self, matches: Callable[[object], bool]):
        self.matches = matches


def _is_empty(value) -> bool:
    return isinstance(value, str | list | Mapping) and not value


def _is_blank(value) -> bool:
    if isinstance(value, str):
        return not value.strip(_RUBY_WHITESPACE)
    return value is None or value is False or _is_empty(value)


_LITERALS = {
    "true": True,
    "false": False,
    "nil": None,
    "null": None,
    "empty": _Special(_is_empty),
    "blank": _Special(_is_blank),
}
_ABSENT = object()


class _Unreadable(Exception):
    """Markup that is not a Liquid expression Quire can read."""


class _NotReproduced(Exception):
    """A filter given what Quire cannot reproduce its result for."""


# Reading expressions


@dataclass(frozen=True)
class _Literal:
    value: object


@dataclass(frozen=True)
class _Range:
    start: object
    end: object


@dataclass(frozen=True)
class _Path:
    root: str
    steps: tuple  # each a key (str) or an expression in brackets


@dataclass(frozen=True)
class _Filter:
    name: str
    arguments: tuple
    keywords: tuple  # (name, expression) pairs


class _Parser:
    """Liquid's expression grammar over the tokens of one tag's or output's markup."""

    def __init__(self, markup: str):
        self.tokens: list[tuple[str, str]] = []
        position = 0
        while match := _TOKEN.match(markup, position):
            self.tokens.append((match.lastgroup, match[match.lastgroup]))
            position = match.end()
        if markup[position:].strip():
            raise _Unreadable
        self.index = 0

    def peek(self, offset: int = 0) -> str | None:
        index = self.index + offset
        return self.tokens[index][1] if index < len(self.tokens) else None

    def take(self, *expected: str) -> tuple[str, str]:
        if self.index >= len(self.tokens) or (expected and self.peek() not in expected):
            raise _Unreadable
        self.index += 1
        return self.tokens[self.index - 1]

    def end(self):
        if self.index != len(self.tokens):
            raise _Unreadable

    def primary(self):
        kind, text = self.take()
        if kind == "string":
            return _Literal(text[1:-1])
        if kind == "number":
            return _Literal(float(text) if "." in text else int(text))
        if text == "(":
            start = self.primary()
            self.take("..")
            end = self.primary()
            self.take(")")
            return _Range(start, end)
        if kind != "name":
            raise _Unreadable
        if text in _LITERALS and self.peek() not in (".", "["):
            return _Literal(_LITERALS[text])
        steps = []
        while self.peek() in (".", "["):
            if self.take()[1] == ".":
                steps.append(self.take()[1])
            else:
                steps.append(self.primary())
                self.take("]")
        return _Path(text, tuple(steps))

    def filters(self) -> list[_Filter]:
        filters = []
        while self.peek() == "|":
            self.take()
            kind, name = self.take()
            arguments, keywords = [], []
            if kind != "name":
                raise _Unreadable
            if self.peek() == ":":
                self.take()
                while True:
                    if self.peek(1) == ":" and self.tokens[self.index][0] == "name":
                        keyword = self.take()[1]
                        self.take()
                        keywords.append((keyword, self.primary()))
                    else:
                        arguments.append(self.primary())
                    if self.peek() != ",":
                        break
                    self.take()
            filters.append(_Filter(name, tuple(arguments), tuple(keywords)))
        return filters

    def comparison(self) -> tuple:
        left = self.primary()
        if self.peek() in _COMPARISONS:
            return left, self.take()[1], self.primary()
        return left, None, None


@lru_cache(maxsize=4096)
def _output(markup: str) -> tuple:
    """`value | filter: argument, ...` read into its value and its filters."""
    parser = _Parser(markup)
    value = parser.primary()
    filters = parser.filters()
    parser.end()
    return value, tuple(filters)


@lru_cache(maxsize=4096)
def _condition(markup: str) -> tuple:
    """Comparisons joined by `and` and `or`: the comparisons, and the joining words."""
    parser = _Parser(markup)
    comparisons, joins = [parser.comparison()], []
    while parser.peek() in ("and", "or"):
        joins.append(parser.take()[1])
        comparisons.append(parser.comparison())
    parser.end()
    return tuple(comparisons), tuple(joins)


@lru_cache(maxsize=4096)
def _when(markup: str) -> tuple:
    """The values a `when` names, joined by commas or `or`."""
    parser = _Parser(markup)
    values = [parser.primary()]
    while parser.peek() in (",", "or"):
        parser.take()
        values.append(parser.primary())
    parser.end()
    return tuple(values)


@lru_cache(maxsize=1024)
def _cycle(markup: str) -> tuple:
    """A cycle's group (None if it has none) and its values."""
    parser = _Parser(markup)
    group, values = None, [parser.primary()]
    if parser.peek() == ":":
        parser.take()
        group, values = values[0], [parser.primary()]
    while parser.peek() == ",":
        parser.take()
        values.append(parser.primary())
    parser.end()
    return group, tuple(values)


@lru_cache(maxsize=1024)
def _loop(markup: str) -> tuple:
    """`item in collection limit: 2 offset: 1 reversed`, read."""
    parser = _Parser(markup)
    kind, name = parser.take()
    parser.take("in")
    if kind != "name":
        raise _Unreadable
    collection = parser.primary()
    options, reversed_ = {}, False
    while parser.peek() is not None:
        option = parser.take()[1]
        if option == "reversed":
            reversed_ = True
            continue
        parser.take(":")
        options[option] = parser.primary()
        if parser.peek() == ",":
            parser.take()
    return name, collection, options, reversed_


# Working them out


class Expressions:
    """The values one post's Liquid can draw on, its variables as Liquid scopes them, and the
    filters Quire reproduces."""

    def __init__(self, site: dict, page: dict, data: Mapping, notes: Notes):
        self.site = site
        self.page = page
        self.data = data
        self.notes = notes
        self.zone = _zone(site.get("timezone"))
        # Assign and capture set the first frame, as Liquid does even inside an include; loops
        # and includes push frames of their own.
        self.frames: list[dict] = [{}]
        self.counters: dict[str, int] = {}
        self.cycles: dict[object, int] = {}
        # The first include that could not be inlined: it could have set any variable.
        self.missing_include = ""
        self.filters: dict[str, Callable] = {
            **_FILTERS,
            "relative_url": self._relative_url,
            "absolute_url": self._absolute_url,
            "date": self._date,
            "date_to_xmlschema": lambda value: self._local(value).isoformat(timespec="seconds"),
            "date_to_rfc822": lambda value: _strftime(
                self._local(value), "%a, %d %b %Y %H:%M:%S %z"
            ),
            "date_to_string": lambda value, *style: self._date_words(value, "%b", *style),
            "date_to_long_string": lambda value, *style: self._date_words(value, "%B", *style),
            "where_exp": self._where_exp,
            "markdownify": lambda value: markup.render(_string(value)),
        }

    # Variables

    def assign(self, name: str, value):
        self.frames[0][name] = value

    @contextmanager
    def frame(self, variables: dict):
        """Variables that hold while a loop's body or an include is rendered."""
        self.frames.append(variables)
        try:
            yield
        finally:
            self.frames.pop()

    def variable(self, name: str):
        """A variable of the frames, or None."""
        found = self._find(name)
        return None if found is _ABSENT else found

    def _find(self, name: str):
        """A variable as Liquid looks one up: the innermost frame first, then the counters."""
        for frame in reversed(self.frames):
            if name in frame:
                return frame[name]
        return self.counters.get(name, _ABSENT)

    def increment(self, name: str, step: int) -> int:
        """The counter after `decrement`, or before `increment`, as Liquid outputs it."""
        value = self.counters.get(name, 0)
        self.counters[name] = value + step
        return value + min(step, 0)

    # What the tags ask for

    def evaluate(self, expression: str, line: int):
        """The value of `value | filter: argument | ...`."""
        if not expression.strip():
            return None
        try:
            value, filters = _output(expression)
        except _Unreadable:
            return Unknown("Quire cannot read it as a Liquid expression")
        value = self._value(value, line)
        for step in filters:
            value = self._filter(step, value, line)
        return value

    def output(self, expression: str, line: int) -> str | Unknown:
        """What `{{ expression }}` prints."""
        return _text(self.evaluate(expression, line))

    def value(self, token: str, line: int):
        """A single literal or variable, such as an include parameter or a case's subject."""
        try:
            value, filters = _output(token)
        except _Unreadable:
            return Unknown("Quire cannot read it as a Liquid expression")
        if filters:
            return Unknown("a filter cannot stand here")
        return self._value(value, line)

    def condition(self, markup: str, line: int) -> bool | Unknown:
        """Whether an if, elsif or unless condition holds; `and` and `or` group from the right,
        as in Liquid."""
        try:
            comparisons, joins = _condition(markup)
        except _Unreadable:
            return Unknown("Quire cannot read it as a Liquid condition")
        results = [self._compare(*comparison, line) for comparison in comparisons]
        held = results[-1]
        for join, result in zip(reversed(joins), reversed(results[:-1]), strict=True):
            held = _both(result, held) if join == "and" else _either(result, held)
        return held

    def matches(self, subject, markup: str, line: int) -> bool | Unknown:
        """Whether a `when` (values joined by commas or `or`) names the case's subject."""
        try:
            candidates = _when(markup)
        except _Unreadable:
            return Unknown("Quire cannot read it as a list of Liquid values")
        values = [self._value(candidate, line) for candidate in candidates]
        if any(_equal(subject, value) for value in values if not isinstance(value, Unknown)):
            return True
        return next((value for value in values if isinstance(value, Unknown)), False)

    def loop(self, markup: str, line: int) -> tuple[str, list] | Unknown:
        """A for loop's variable, and the items it takes in turn."""
        try:
            name, collection, options, reversed_ = _loop(markup)
        except _Unreadable:
            return Unknown("Quire cannot read it as a Liquid for loop")
        if options.get("offset") == _Path("continue", ()):
            return Unknown("offset: continue depends on the loop before it")
        items = self._items(self._value(collection, line))
        if isinstance(items, Unknown):
            return items
        offset = self._number_option(options, "offset", line, 0)
        limit = self._number_option(options, "limit", line, len(items))
        for option in (offset, limit):
            if isinstance(option, Unknown):
                return option
        items = items[offset : offset + limit]
        return name, items[::-1] if reversed_ else items

    def cycle(self, markup: str, line: int) -> str | Unknown:
        """The value a cycle tag outputs this time round."""
        try:
            group, values = _cycle(markup)
        except _Unreadable:
            return Unknown("Quire cannot read it as a Liquid cycle")
        key = values if group is None else self._value(group, line)
        if isinstance(key, Unknown):
            return key
        if not isinstance(key, str | int | float | tuple):
            return Unknown("its group is not a name")
        index = self.cycles.get(key, 0)
        self.cycles[key] = index + 1
        return _text(self._value(values[index % len(values)], line))

    # Values

    def _value(self, node, line: int):
        if isinstance(node, _Literal):
            return node.value
        if isinstance(node, _Range):
            start, end = self._value(node.start, line), self._value(node.end, line)
            for bound in (start, end):
                if isinstance(bound, Unknown):
                    return bound
            try:
                start, end = _integer(start), _integer(end)
            except _NotReproduced:
                return Unknown(f"the range of {_shown(start)} to {_shown(end)} is not numbers")
            if end - start >= _MAX_RANGE:
                return Unknown(f"the range ({start}..{end}) is too long to write out")
            return list(range(start, end + 1))
        return self._variable(node, line)

    def _variable(self, path: _Path, line: int):
        steps = list(path.steps)
        value = self._find(path.root)
        if value is not _ABSENT:
            pass
        elif path.root in ("site", "page") and steps:
            key = self._key(steps.pop(0), line)
            if isinstance(key, Unknown):
                return key
            value = self._site(str(key), line) if path.root == "site" else self._page(str(key))
        elif path.root in ("site", "page"):
            return Unknown(f"{path.root} as a whole is printed by Ruby in its own way")
        elif path.root in _JEKYLL_VARIABLES:
            return Unknown(f"{path.root} is made by Jekyll as it builds the site")
        elif self.missing_include:
            return Unknown(
                f"{path.root} is not set, unless by {self.missing_include},"
                " which could not be inlined"
            )
        else:
            value = None  # as in Liquid, a variable nothing set is nil
        for step in steps:
            value = _step(value, self._key(step, line))
        return value

    def _key(self, step, line: int):
        return step if isinstance(step, str) else self._value(step, line)

    def _site(self, key: str, line: int):
        if key == "data":
            return self.data
        if key in ("url", "baseurl"):
            return self._site_url(key, line)
        if key in self.site:
            return self.site[key]
        if key in _BUILT_SITE:
            return Unknown(f"site.{key} is made by Jekyll as it builds the site")
        return Unknown(f"site.{key} is not set in the site config")

    def _page(self, key: str):
        if key == "date" and key in self.page:
            moment = self._time(self.page["date"])
            return moment or Unknown(f"page.date {self.page['date']!r} is not a date Quire reads")
        if key in self.page:
            return self.page[key]
        if key == "tags":
            return []
        if key in _BUILT_PAGE:
            return Unknown(f"page.{key} is made by Jekyll as it builds the site")
        return None  # the front matter, with the config's defaults, is all of the page's own

    def _site_url(self, key: str, line: int) -> str:
        """site.url or site.baseurl; absent, it is "" as in Jekyll, which is worth a note."""
        value = self.site.get(key)
        if value is None:
            self.notes.tally(
                f"site.{key}",
                line,
                f'site.{key} is not set in the site config; it was taken as "",'
                " so the links made with it are site-relative",
            )
            return ""
        return _text(value) if not isinstance(value, Mapping | list) else ""

    def _items(self, value) -> list | Unknown:
        """What a for loop takes in turn from a value, as Liquid does."""
        if isinstance(value, Unknown | list):
            return value
        if isinstance(value, Mapping):
            try:
                return [[key, value[key]] for key in value]
            except FrontMatterError as error:
                return Unknown(str(error))
        if isinstance(value, str):
            return [value] if value else []
        return []

    def _number_option(self, options: dict, name: str, line: int, default: int) -> int | Unknown:
        if name not in options:
            return default
        value = self._value(options[name], line)
        if isinstance(value, Unknown):
            return value
        try:
            return max(_integer(value), 0)
        except _NotReproduced:
            return Unknown(f"{name}: {_shown(value)} is not a number")

    # Conditions

    def _compare(self, left, operator, right, line: int) -> bool | Unknown:
        left = self._value(left, line)
        if operator is None:
            return left if isinstance(left, Unknown) else left is not None and left is not False
        right = self._value(right, line)
        for side in (left, right):
            if isinstance(side, Unknown):
                return side
        if operator in ("==", "!=", "<>"):
            return _equal(left, right) is (operator == "==")
        if operator == "contains":
            return _contains(left, right)
        try:
            if not _comparable(left, right):
                raise TypeError
            return {"<": left < right, ">": left > right, "<=": left <= right,
                    ">=": left >= right}[operator]  # fmt: skip
        except TypeError:
            return Unknown(f"Liquid cannot compare {_shown(left)} with {_shown(right)}")

    # Filters

    def _filter(self, step: _Filter, value, line: int):
        if isinstance(value, Unknown):
            return value
        function = self.filters.get(step.name)
        if function is None:
            return Unknown(f"{step.name} is not a filter Quire reproduces")
        arguments = [self._value(argument, line) for argument in step.arguments]
        keywords = {name: self._value(argument, line) for name, argument in step.keywords}
        for argument in [*arguments, *keywords.values()]:
            if isinstance(argument, Unknown):
                return argument
        if step.name in ("relative_url", "absolute_url"):
            arguments.append(line)
        try:
            return function(value, *arguments, **keywords)
        except (_NotReproduced, TypeError, ValueError, ArithmeticError, OSError, FrontMatterError):
            return Unknown(f"Quire cannot reproduce the {step.name} filter on {_shown(value)}")

    def _relative_url(self, value, line: int) -> str:
        value = _text(value)
        if _SCHEME.match(value):
            return value
        baseurl = self._site_url("baseurl", line).removesuffix("/")
        return _leading_slash(baseurl) + _leading_slash(value)

    def _absolute_url(self, value, line: int) -> str:
        # As in Jekyll: a URL with a scheme is kept, and without site.url it is relative.
        if _SCHEME.match(_text(value)):
            return _text(value)
        return self._site_url("url", line) + self._relative_url(value, line)

    def _where_exp(self, items, name: str, condition: str):
        """The items for which the condition holds with the item bound to `name`."""
        kept = []
        for item in self._items(items):
            with self.frame({name: item}):
                held = self.condition(condition, 0)
            if isinstance(held, Unknown):
                raise _NotReproduced
            if held:
                kept.append(item)
        return kept

    # Dates

    def _time(self, value) -> datetime | None:
        """A value as the aware time Liquid's date filter reads it as, or None."""
        zone = self.zone or UTC
        if isinstance(value, datetime):
            return value if value.tzinfo else value.replace(tzinfo=zone)
        if isinstance(value, date):
            return datetime.combine(value, time(), zone)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return datetime.fromtimestamp(value, zone)
        if isinstance(value, str):
            if _INTEGER.fullmatch(value.strip()):
                return datetime.fromtimestamp(int(value), zone)
            return _parse_time(value.strip(), zone)
        return None

    def _local(self, value) -> datetime:
        """The time in the site's zone, as Jekyll's own date filters give it."""
        moment = self._time(value)
        if moment is None:
            raise _NotReproduced
        return moment.astimezone(self.zone or UTC)

    def _date(self, value, pattern=None):
        """Liquid's date filter: a value that is no date, or no pattern, leaves the value."""
        if pattern is None or not _text(pattern):
            return value
        if isinstance(value, str) and value.strip().lower() in ("now", "today"):
            return Unknown("it is the time the site was built")
        moment = self._time(value)
        if moment is None:
            return Unknown(f"{_shown(value)} is not a date Quire reads")
        return _strftime(moment, _text(pattern))

    def _date_words(self, value, month: str, kind=None, style=None) -> str:
        """Jekyll's date_to_string and date_to_long_string, ordinal and US styles included."""
        moment = self._local(value)
        if kind != "ordinal":
            return _strftime(moment, f"%d {month} %Y")
        day = f"{moment.day}{_ordinal(moment.day)}"
        pattern = f"{month} {day}, %Y" if style == "US" else f"{day} {month} %Y"
        return _strftime(moment, pattern)


def _zone(name) -> tzinfo | None:
    try:
        return ZoneInfo(str(name)) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _parse_time(text: str, zone: tzinfo) -> datetime | None:
    match = _DATE_TEXT.fullmatch(text)
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(part or 0) for part in match.groups()[:6])
    if match["utc"]:
        zone = UTC
    elif match["sign"]:
        hours, minutes = int(match.groups()[-2]), int(match.groups()[-1])
        offset = timedelta(hours=hours, minutes=minutes)
        zone = timezone(-offset if match["sign"] == "-" else offset)
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=zone)
    except ValueError:
        return None


def _ordinal(day: int) -> str:
    if 11 <= day % 100 <= 13:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


def _strftime(moment: datetime, pattern: str) -> str:
    """Ruby's strftime, which Liquid's date filter is, in English whatever the locale."""
    return _STRFTIME.sub(lambda match: _directive(moment, *match.groups()), pattern)


def _directive(moment: datetime, flags: str, width: str, name: str) -> str:
    if name in _COMPOSITE_FORMATS:
        return _strftime(moment, _COMPOSITE_FORMATS[name])
    number = _numeric_directive(moment, name)
    if number is not None:
        value, padding, size = number
        padding = " " if "_" in flags else "0" if "0" in flags else padding
        if "-" in flags:
            return str(value)
        return str(value).rjust(int(width or size), padding)
    text = _text_directive(moment, name)
    if text is None:
        return f"%{flags}{width}{name}"
    if "^" in flags or ("#" in flags and name not in "pP"):
        text = text.upper()
    elif "#" in flags:
        text = text.lower()
    return text.rjust(int(width or 0), "0" if "0" in flags else " ")


def _numeric_directive(moment: datetime, name: str) -> tuple[int, str, int] | None:
    """A number's value, its padding and its width, for a strftime directive that is one."""
    hour12 = moment.hour % 12 or 12
    year_day = moment.timetuple().tm_yday
    iso_year, iso_week, _ = moment.isocalendar()
    numbers = {
        "Y": (moment.year, "0", 4), "C": (moment.year // 100, "0", 2),
        "y": (moment.year % 100, "0", 2), "m": (moment.month, "0", 2),
        "d": (moment.day, "0", 2), "e": (moment.day, " ", 2), "j": (year_day, "0", 3),
        "H": (moment.hour, "0", 2), "k": (moment.hour, " ", 2), "I": (hour12, "0", 2),
        "l": (hour12, " ", 2), "M": (moment.minute, "0", 2), "S": (moment.second, "0", 2),
        "L": (moment.microsecond // 1000, "0", 3), "N": (moment.microsecond * 1000, "0", 9),
        "u": (moment.isoweekday(), "0", 1), "w": (moment.isoweekday() % 7, "0", 1),
        "s": (int(moment.timestamp()), "0", 1),
        "U": ((year_day + 6 - moment.isoweekday() % 7) // 7, "0", 2),
        "W": ((year_day + 6 - moment.weekday()) // 7, "0", 2),
        "G": (iso_year, "0", 4), "g": (iso_year % 100, "0", 2), "V": (iso_week, "0", 2),
    }  # fmt: skip
    return numbers.get(name)


def _text_directive(moment: datetime, name: str) -> str | None:
    month, weekday = _MONTHS[moment.month - 1], _WEEKDAYS[moment.weekday()]
    offset = moment.utcoffset() or timedelta(0)
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    hours, minutes = divmod(minutes, 60)
    texts = {
        "B": month, "b": month[:3], "h": month[:3], "A": weekday, "a": weekday[:3],
        "p": "PM" if moment.hour >= 12 else "AM", "P": "pm" if moment.hour >= 12 else "am",
        "z": f"{sign}{hours:02}{minutes:02}", ":z": f"{sign}{hours:02}:{minutes:02}",
        "::z": f"{sign}{hours:02}:{minutes:02}:00", "Z": _zone_name(moment), "%": "%",
        "n": "\n", "t": "\t",
    }  # fmt: skip
    return texts.get(name)


def _zone_name(moment: datetime) -> str:
    """What Ruby's %Z gives: a zone's abbreviation, UTC, or nothing for a bare offset."""
    if isinstance(moment.tzinfo, ZoneInfo):
        return moment.tzname() or ""
    return "UTC" if moment.utcoffset() == timedelta(0) else ""


# Values as Liquid prints and compares them


def _text(value) -> str | Unknown:
    """A value as Liquid prints it."""
    if value is None or isinstance(value, _Special):
        return ""
    if isinstance(value, str | Unknown):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float_text(value)
    if isinstance(value, datetime):
        return _strftime(value, "%Y-%m-%d %H:%M:%S %z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        parts = [_text(item) for item in value]
        unknown = next((part for part in parts if isinstance(part, Unknown)), None)
        return unknown or "".join(parts)
    return Unknown(f"{_shown(value)} is printed by Ruby in its own way")


def _float_text(value: float) -> str:
    """Ruby's Float#to_s: always a decimal point, and Infinity or NaN spelled out."""
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if math.isnan(value):
        return "NaN"
    mantissa, e, exponent = repr(value).partition("e")
    if "." not in mantissa:
        mantissa += ".0"
    return mantissa + (f"e{exponent}" if e else "")


def _shown(value) -> str:
    """A value named in a note, briefly."""
    if isinstance(value, Mapping):
        return "a set of keys and values"
    if isinstance(value, list):
        return "a list"
    text = repr(value) if isinstance(value, str) else _text(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _equal(left, right) -> bool:
    """Ruby's ==, which Liquid's is: true is no number, and `empty` equals what is empty."""
    if isinstance(left, _Special):
        return left.matches(right)
    if isinstance(right, _Special):
        return right.matches(left)
    if isinstance(left, bool) or isinstance(right, bool):
        return left is right
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(map(_equal, left, right))
    return left == right


def _contains(left, right) -> bool | Unknown:
    if isinstance(left, str):
        return _text(right) in left if not isinstance(_text(right), Unknown) else False
    if isinstance(left, list):
        return any(_equal(item, right) for item in left)
    if isinstance(left, Mapping):
        try:
            return isinstance(right, str | int | float) and right in left
        except FrontMatterError as error:  # a data file that cannot be read
            return Unknown(str(error))
    return False


def _comparable(left, right) -> bool:
    if isinstance(left, bool) or isinstance(right, bool):
        return False
    numbers = isinstance(left, int | float) and isinstance(right, int | float)
    same = type(left) is type(right) and isinstance(left, str | date)
    return numbers or same


def _both(left, right) -> bool | Unknown:
    """Liquid's `and`, which needs no unknown side once the other is false."""
    if left is False or right is False:
        return False
    return left if isinstance(left, Unknown) else right if isinstance(right, Unknown) else True


def _either(left, right) -> bool | Unknown:
    """Liquid's `or`, which needs no unknown side once the other holds."""
    if left is True or right is True:
        return True
    return left if isinstance(left, Unknown) else right if isinstance(right, Unknown) else False


def _step(value, key):
    """One step down a variable: a key, an index, or the size, first or last of a list."""
    if isinstance(value, Unknown):
        return value
    if isinstance(key, Unknown):
        return key
    if isinstance(value, Mapping) and isinstance(key, str | int | float):
        try:
            if key in value:
                return value[key]
        except FrontMatterError as error:
            return Unknown(str(error))
        return len(value) if key == "size" else None
    if isinstance(value, list):
        if isinstance(key, int) and not isinstance(key, bool):
            return value[key] if -len(value) <= key < len(value) else None
        if key == "size":
            return len(value)
        if key in ("first", "last") and value:
            return value[0] if key == "first" else value[-1]
    if isinstance(value, str) and key == "size":
        return len(value)
    return None


def _integer(value) -> int:
    """Liquid's to_integer: a number, or text that reads as one."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _NotReproduced
    if isinstance(value, str):
        value = value.strip()
        if not _INTEGER.fullmatch(value):
            raise _NotReproduced
    return int(value)


def _number(value) -> int | float:
    """Liquid's to_number: text that is no number is 0."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    text = _text(value)
    if isinstance(text, Unknown):
        raise _NotReproduced
    text = text.strip()
    if _DECIMAL.fullmatch(text):
        return float(text)
    integer = _INTEGER.match(text)
    return int(integer[0]) if integer else 0


def _leading_slash(path: str) -> str:
    return path if not path or path.startswith("/") else f"/{path}"


# Filters whose result follows from their input and arguments alone


def _string(value) -> str:
    """A filter's input as text, or not reproduced if Ruby would print it its own way."""
    text = _text(value)
    if isinstance(text, Unknown) or isinstance(value, list):
        raise _NotReproduced
    return text


def _list(value) -> list:
    if isinstance(value, list):
        return value
    if isinstance(value, Mapping):
        return [value]
    return [] if value is None else [value]


def _property(item, key):
    return _step(item, key) if isinstance(item, Mapping) else None


def _split(value, separator=" ") -> list[str]:
    """Ruby's String#split: on runs of whitespace for " ", no trailing empty parts."""
    text, separator = _string(value), _string(separator)
    if separator == " ":
        return text.split()
    parts = list(text) if separator == "" else text.split(separator)
    while parts and parts[-1] == "":
        parts.pop()
    return parts


def _sorted(value, key=None, *, natural: bool = False) -> list:
    items = _list(value)
    if key is not None:
        # As in Liquid, items without the property go last.
        present = [item for item in items if _property(item, key) is not None]
        missing = [item for item in items if _property(item, key) is None]
        return sorted(present, key=lambda item: _sort_key(_property(item, key), natural)) + missing
    return sorted(items, key=lambda item: _sort_key(item, natural))


def _sort_key(value, natural: bool):
    if isinstance(value, Mapping | list | _Special) or value is None:
        raise _NotReproduced
    return value.lower() if natural and isinstance(value, str) else value


def _where(value, key, target=None) -> list:
    """Jekyll's where: items whose property (or one of its values) prints as the target."""
    wanted = _string(target)
    kept = []
    for item in _list(value):
        found = _property(item, key)
        values = found if isinstance(found, list) else [found]
        if any(_text(candidate) == wanted for candidate in values):
            kept.append(item)
    return kept


def _group_by(value, key) -> list[dict]:
    groups: dict[str, list] = {}
    for item in _list(value):
        groups.setdefault(_string(_property(item, key)), []).append(item)
    return [{"name": name, "items": items, "size": len(items)} for name, items in groups.items()]


def _slugify(value, mode="default") -> str:
    """Jekyll's slugify, in its modes; an unknown mode only lowers the case."""
    text = _string(value)
    if mode == "none" or mode not in (*_SLUG_RUNS, "latin"):
        return text.lower()
    if mode == "latin":
        text, mode = anyascii(text), "ascii"
    return _SLUG_RUNS[mode].sub("-", text).strip("-").lower()


def _truncate(value, length=50, ellipsis="...") -> str:
    text, length, ellipsis = _string(value), _integer(length), _string(ellipsis)
    if len(text) <= length:
        return text
    return text[: max(length - len(ellipsis), 0)] + ellipsis


def _truncatewords(value, count=15, ellipsis="...") -> str:
    text, count = _string(value), max(_integer(count), 1)
    words = text.split()
    return " ".join(words[:count]) + _string(ellipsis) if len(words) > count else text


def _sentence(value, connector="and") -> str:
    """Jekyll's array_to_sentence_string: "a, b, and c"."""
    words = [_string(item) for item in _list(value)]
    if len(words) <= 2:
        return f" {_string(connector)} ".join(words)
    return f"{', '.join(words[:-1])}, {_string(connector)} {words[-1]}"


def _default(value, fallback="", allow_false=False):
    if value is None or (value is False and not allow_false) or _is_empty(value):
        return fallback
    return value


def _divided_by(value, divisor):
    value, divisor = _number(value), _number(divisor)
    if isinstance(value, int) and isinstance(divisor, int):
        return value // divisor
    return value / divisor


def _round(value, places=0):
    """Halves away from zero, as Ruby rounds (Python's round() takes them to the even number)."""
    places = _integer(places)
    exact = Decimal(str(_number(value))).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    return int(exact) if places == 0 else float(exact)


def _unique(value) -> list:
    kept = []
    for item in _list(value):
        if not any(_equal(item, seen) for seen in kept):
            kept.append(item)
    return kept


def _jsonify(value) -> str:
    def plain(item):
        if isinstance(item, Mapping):
            return dict(item)
        text = _text(item)
        if isinstance(text, Unknown):
            raise _NotReproduced
        return text

    return json.dumps(value, default=plain, ensure_ascii=False, separators=(",", ":"))


_FILTERS: dict[str, Callable] = {
    "append": lambda value, suffix: _string(value) + _string(suffix),
    "prepend": lambda value, prefix: _string(prefix) + _string(value),
    "remove": lambda value, part: _string(value).replace(_string(part), ""),
    "remove_first": lambda value, part: _string(value).replace(_string(part), "", 1),
    "replace": lambda value, old, new="": _string(value).replace(_string(old), _string(new)),
    "replace_first": lambda value, old, new="": _string(value).replace(
        _string(old), _string(new), 1
    ),
    "strip": lambda value: _string(value).strip(_RUBY_WHITESPACE),
    "lstrip": lambda value: _string(value).lstrip(_RUBY_WHITESPACE),
    "rstrip": lambda value: _string(value).rstrip(_RUBY_WHITESPACE),
    "strip_newlines": lambda value: _NEWLINES.sub("", _string(value)),
    "newline_to_br": lambda value: _NEWLINES.sub("<br />\n", _string(value)),
    "normalize_whitespace": lambda value: " ".join(_string(value).split()),
    "strip_html": lambda value: _HTML_STRIPPED.sub("", _string(value)),
    # Ruby's CGI.escapeHTML, which Liquid's escape is, writes &#39; for an apostrophe.
    "escape": lambda value: html.escape(_string(value)).replace("&#x27;", "&#39;"),
    "escape_once": lambda value: html.escape(html.unescape(_string(value))).replace(
        "&#x27;", "&#39;"
    ),
    "xml_escape": lambda value: html.escape(_string(value), quote=False).replace('"', "&quot;"),
    "url_encode": lambda value: quote(_string(value), safe="*-._ ").replace(" ", "+"),
    "cgi_escape": lambda value: quote(_string(value), safe="*-._ ").replace(" ", "+"),
    "uri_escape": lambda value: quote(_string(value), safe="!#$&'()*+,-./:;=?@[]_~%"),
    "url_decode": lambda value: unquote_plus(_string(value)),
    "downcase": lambda value: _string(value).lower(),
    "upcase": lambda value: _string(value).upper(),
    "capitalize": lambda value: _string(value).capitalize(),
    "slugify": _slugify,
    "truncate": _truncate,
    "truncatewords": _truncatewords,
    "number_of_words": lambda value: len(_string(value).split()),
    "split": _split,
    "join": lambda value, glue=" ": _string(glue).join(_string(item) for item in _list(value)),
    "first": lambda value: value[0] if isinstance(value, list) and value else None,
    "last": lambda value: value[-1] if isinstance(value, list) and value else None,
    "size": lambda value: len(value) if isinstance(value, str | list | Mapping) else 0,
    "reverse": lambda value: _list(value)[::-1],
    "sort": lambda value, key=None: _sorted(value, key),
    "sort_natural": lambda value, key=None: _sorted(value, key, natural=True),
    "uniq": _unique,
    "compact": lambda value: [item for item in _list(value) if item is not None],
    "map": lambda value, key: [_property(item, key) for item in _list(value)],
    "concat": lambda value, other: _list(value) + _list(other),
    "push": lambda value, item: [*_list(value), item],
    "unshift": lambda value, item: [item, *_list(value)],
    "pop": lambda value: _list(value)[:-1],
    "shift": lambda value: _list(value)[1:],
    "where": _where,
    "find": lambda value, key, target=None: next(iter(_where(value, key, target)), None),
    "group_by": _group_by,
    "array_to_sentence_string": _sentence,
    "jsonify": _jsonify,
    "default": _default,
    "plus": lambda value, other: _number(value) + _number(other),
    "minus": lambda value, other: _number(value) - _number(other),
    "times": lambda value, other: _number(value) * _number(other),
    "divided_by": _divided_by,
    "modulo": lambda value, other: _number(value) % _number(other),
    "abs": lambda value: abs(_number(value)),
    "ceil": lambda value: math.ceil(_number(value)),
    "floor": lambda value: math.floor(_number(value)),
    "round": _round,
    "at_least": lambda value, floor: max(_number(value), _number(floor)),
    "at_most": lambda value, ceiling: min(_number(value), _number(ceiling)),
}  # fmt: skip
