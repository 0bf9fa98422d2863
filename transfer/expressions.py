"""Liquid output, `{{ value | filter: argument }}`, worked out without running the site.

A value is a literal, or a site, page or include variable holding text or a number; the filters
are those whose result follows from the value alone (URL filters, append and prepend, escape, case).
Anything else leaves the expression unknown, and the caller removes it. An unset `site.url` or
`site.baseurl` is "", as in Jekyll, and noted once.
"""

import html
import re

from .conversion import Notes

_FILTER_SEGMENT = re.compile(r"""(?:"[^"]*"|'[^']*'|[^|"'])+""")
_FILTER = re.compile(r"\s*(?P<name>\w+)\s*(?::(?P<argument>.*))?", re.DOTALL)
_STRING = re.compile(r""""([^"]*)"|'([^']*)'""")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_PATH = re.compile(r"\w+(?:\.[\w-]+)*")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_SITE_URLS = {"site.url": "url", "site.baseurl": "baseurl"}


class Expressions:
    """The values one text's Liquid can draw on, and the filters Quire reproduces."""

    def __init__(self, site: dict, page: dict, parameters: dict | None, notes: Notes):
        self.site = site
        self.page = page
        self.parameters = parameters  # {{ include.* }}, inside an include only
        self.notes = notes

    def evaluate(self, expression: str, line: int) -> str | None:
        """The value of `value | filter: argument | ...`, or None if any step is unknown."""
        head, *filters = _FILTER_SEGMENT.findall(expression) or [""]
        value = self.value(head, line)
        for segment in filters:
            parsed = _FILTER.fullmatch(segment)
            if value is None or parsed is None:
                return None
            argument = parsed["argument"]
            argument = None if argument is None else self.value(argument, line)
            value = self._filter(parsed["name"], value, argument, line)
        return value

    def value(self, token: str, line: int) -> str | None:
        """A literal, or a site, page or include variable whose value is text or a number."""
        token = token.strip()
        if literal := _STRING.fullmatch(token):
            return literal[literal.lastindex]
        if _NUMBER.fullmatch(token):
            return token
        if token in _SITE_URLS:
            return self._site_url(_SITE_URLS[token], line)
        if not _PATH.fullmatch(token):
            return None
        root, *keys = token.split(".")
        value = {"site": self.site, "page": self.page, "include": self.parameters}
        value = value.get(root)
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        return _scalar(value)

    def _site_url(self, key: str, line: int) -> str:
        """site.url or site.baseurl; absent, it is "" as in Jekyll, which is worth a note."""
        value = _scalar(self.site.get(key))
        if value is None:
            self.notes.tally(
                f"site.{key}",
                line,
                f'site.{key} is not set in the site config; it was taken as "",'
                " so the links made with it are site-relative",
            )
        return value or ""

    def _filter(self, name: str, value: str, argument: str | None, line: int) -> str | None:
        if name == "relative_url":
            return self._relative_url(value, line)
        if name == "absolute_url":
            # As in Jekyll: a URL with a scheme is kept, and without site.url it is relative.
            if _SCHEME.match(value):
                return value
            return self._site_url("url", line) + self._relative_url(value, line)
        if name in ("append", "prepend"):
            if argument is None:
                return None
            return value + argument if name == "append" else argument + value
        if name == "escape":
            # Ruby's CGI.escapeHTML, which Liquid's escape is, writes &#39; for an apostrophe.
            return html.escape(value).replace("&#x27;", "&#39;")
        if name == "downcase":
            return value.lower()
        if name == "upcase":
            return value.upper()
        return None

    def _relative_url(self, value: str, line: int) -> str:
        if _SCHEME.match(value):
            return value
        baseurl = self._site_url("baseurl", line).removesuffix("/")
        return _leading_slash(baseurl) + _leading_slash(value)


def _scalar(value) -> str | None:
    """Text or a number, as Liquid prints it; None for what Ruby would print its own way."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _leading_slash(path: str) -> str:
    return path if not path or path.startswith("/") else f"/{path}"
