"""Jekyll post bodies to plain Markdown: Liquid resolved or removed, kramdown syntax stripped.

Jekyll renders Liquid over the whole body, code blocks included, and only then hands the result to
kramdown. Quire renders CommonMark with markdown-it, which knows neither, so the importer runs each
body through `convert` first. What can be worked out without running the site (site and page
values, URL filters, includes, links to posts, highlight blocks) is converted; logic and plugin tags
cannot be, and are removed. What was converted, and what could not be carried over, is noted with
its line in the file.

The body is read once for Liquid, then once for kramdown, with regular expressions written not to
backtrack: an import runs this over tens of thousands of posts.
"""

import html
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

_MAX_INCLUDE_DEPTH = 10
_QUOTED_LENGTH = 60
# Stands where something was removed, so a line left with nothing else can be dropped whole.
_REMOVED = "\x01"
# Ruby's strip, which Liquid's whitespace control uses, strips ASCII whitespace only.
_RUBY_WHITESPACE = " \t\n\v\f\r"

_TAG_SOURCE = r"\{%-?\s*(?P<name>\w+)(?P<markup>(?:[^%{]|%(?!\})|\{(?!%))*?)-?%\}"
_VARIABLE_SOURCE = r"\{\{-?(?P<expression>[^{}]*?)-?\}\}"
# A tag cannot run on past the next `{%`, nor a variable past the next brace, so a tag left open
# costs no more than the text up to the next one.
_TAG = re.compile(_TAG_SOURCE)
_VARIABLE = re.compile(_VARIABLE_SOURCE)
_LIQUID = re.compile(f"{_TAG_SOURCE}|{_VARIABLE_SOURCE}")
_ENDRAW = re.compile(r"\{%-?\s*endraw\s*-?%\}")

_LOGIC_BLOCKS = frozenset({"if", "unless", "case", "for", "tablerow", "capture"})
_BLOCKS = _LOGIC_BLOCKS | {"raw", "comment", "highlight"}
_LOGIC_TAGS = frozenset({"assign", "increment", "decrement", "cycle", "echo", "liquid"})

_NEWLINE = re.compile(r"\n")
_LINE_BREAK = re.compile(r"\r\n?")
_SKIPPED_WHITESPACE = re.compile(f"[{re.escape(_RUBY_WHITESPACE)}]*")
_REST_OF_LINE_BLANK = re.compile(r"[ \t]*(?:\n|\Z)")
_EMPTIED_LINE = re.compile(f"[ \t{_REMOVED}]*{_REMOVED}[ \t{_REMOVED}]*")

_FILTER_SEGMENT = re.compile(r"""(?:"[^"]*"|'[^']*'|[^|"'])+""")
_FILTER = re.compile(r"\s*(?P<name>\w+)\s*(?::(?P<argument>.*))?", re.DOTALL)
_STRING = re.compile(r""""([^"]*)"|'([^']*)'""")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_PATH = re.compile(r"\w+(?:\.[\w-]+)*")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_SITE_URLS = {"site.url": "url", "site.baseurl": "baseurl"}
_INCLUDE_MARKUP = re.compile(r"\s*(?P<name>\S*)\s*(?P<parameters>.*)", re.DOTALL)
# Jekyll's own include parameter syntax: a quoted string (with escaped quotes) or a variable.
_INCLUDE_PARAMETER = re.compile(
    r"""([\w-]+)\s*=\s*(?:"([^"\\]*(?:\\.[^"\\]*)*)"|'([^'\\]*(?:\\.[^'\\]*)*)'|([\w.-]+))"""
)
_HIGHLIGHT = re.compile(r"\s*(?P<language>[^\s`]*)\s*(?P<options>.*?)\s*", re.DOTALL)
_BACKTICKS = re.compile(r"`+")

_FENCE = re.compile(r"[ \t>]*+(`{3,}+(?!.*`)|~{3,}+)")
_BLANK_LINE = re.compile(r"(\n[ \t]*\n)")
_KRAMDOWN = re.compile(
    r"""
      (?P<extension>\{::\w+[^}\n]*/\})
    | (?P<wrapped>\{::(?P<wrapper>comment|nomarkdown)\b[^}\n]*\}
          (?P<content>(?:[^{]|\{(?!:[:/]))*+)
          \{:/(?P=wrapper)?\})
    | (?P<definition>^[ \t]*\{:[\w-]+:[^}\n]*\}[ \t]*$)
    | (?P<block>^[ \t]*\{:(?![:/])[^}\n]*\}[ \t]*$)
    | (?<!\\)(?P<inline>\{:(?![:/])[^}\n]*\})
    """,
    re.MULTILINE | re.VERBOSE,
)
_KRAMDOWN_NOTES = {
    "block": "kramdown block attribute list {} removed",
    "inline": "kramdown inline attribute list {} removed",
    "definition": "kramdown attribute list definition {} removed",
    "extension": "kramdown extension {} removed",
    "comment": "kramdown comment {{::comment}} … {{:/comment}} removed",
    "nomarkdown": "kramdown {{::nomarkdown}} … {{:/nomarkdown}} unwrapped, its HTML kept",
}


def _no_url(_: str) -> str | None:
    return None


@dataclass
class LiquidContext:
    """What the Liquid in one post can draw on; the importer makes one per post."""

    site: dict  # the site's _config.yml values (may be {})
    page: dict  # the post's own front matter
    includes_dir: Path | None = None
    resolve_post_url: Callable[[str], str | None] = _no_url
    resolve_link: Callable[[str], str | None] = _no_url
    first_line: int = 1  # the file line the body starts on
    liquid: bool = True  # False for `render_with_liquid: false`: kramdown is still stripped


def convert(body: str, context: LiquidContext) -> tuple[str, list[str]]:
    """The body as plain Markdown, and notes such as 'line 12: {% highlight ruby %} became a
    fenced code block'."""
    liquid = context.liquid and ("{%" in body or "{{" in body)
    if not liquid and "{:" not in body:
        return body, []
    notes = _Notes()
    vault = _Vault()
    if "\x00" in body or _REMOVED in body:
        # They mark placeholders here; text holding them would come out garbled.
        body = body.replace("\x00", "\ufffd").replace(_REMOVED, "\ufffd")
        notes.add(context.first_line, "control characters U+0000/U+0001 became U+FFFD")
    if liquid:
        newlines = [match.start() for match in _NEWLINE.finditer(body)]
        rendered = _Liquid(
            body,
            context,
            notes,
            vault,
            line_of=lambda offset: context.first_line + bisect_left(newlines, offset),
        ).render(0, len(body))
        text, kept = _without_emptied_lines(rendered.text())
        origins = rendered.origins(context.first_line)
        origins = [origins[index] for index in kept]
    else:
        text = body
        origins = list(range(context.first_line, context.first_line + body.count("\n") + 1))
    text = _strip_kramdown(text, origins, notes, vault)
    return vault.reveal(text), notes.sorted()


class _Notes:
    """Notes in file-line order. A kind that can recur dozens of times is noted once, counted."""

    def __init__(self):
        self._notes: list[tuple[int, str]] = []
        self._tallies: dict[str, list] = {}  # kind -> [first line, message, count]

    def add(self, line: int, message: str):
        self._notes.append((line, message))

    def tally(self, kind: str, line: int, message: str):
        if kind in self._tallies:
            self._tallies[kind][2] += 1
        else:
            self._tallies[kind] = [line, message, 1]

    def sorted(self) -> list[str]:
        tallied = [
            (line, message if count == 1 else f"{message} ({count} in all)")
            for line, message, count in self._tallies.values()
        ]
        notes = sorted(self._notes + tallied, key=lambda note: note[0])
        return [f"line {line}: {message}" for line, message in notes]


class _Vault:
    """Text that later passes must not touch, standing in the text as a placeholder.

    A placeholder keeps the line breaks of the text it stands for, so line numbers counted in the
    text with placeholders are still true.
    """

    _PLACEHOLDER = re.compile(r"\x00(\d+)\n*\x00")

    def __init__(self):
        self._kept: list[str] = []

    def hide(self, text: str) -> str:
        self._kept.append(text)
        return f"\x00{len(self._kept) - 1}" + "\n" * text.count("\n") + "\x00"

    def hide_lines(self, text: str) -> str:
        """Hide each line on its own, so the lines of the text stay lines of the text."""
        return "\n".join(self.hide(line) if line else "" for line in text.split("\n"))

    def reveal(self, text: str) -> str:
        # Kept text can itself hold placeholders, such as a {% raw %} inside a code span.
        return self._PLACEHOLDER.sub(lambda match: self.reveal(self._kept[int(match[1])]), text)


class _Output:
    """Rendered text in parts, each knowing the file line it came from."""

    def __init__(self):
        self._parts: list[tuple[str, int, bool]] = []

    def add(self, text: str, line: int, *, generated: bool = False):
        """Add text; the lines of generated text (an include, a value) all belong to `line`."""
        if text:
            self._parts.append((text, line, generated))

    def text(self) -> str:
        return "".join(text for text, _, _ in self._parts)

    def origins(self, first_line: int) -> list[int]:
        """The file line of each line of `text()`."""
        origins = [first_line]
        for text, line, generated in self._parts:
            count = text.count("\n")
            origins.extend([line] * count if generated else range(line + 1, line + count + 1))
        return origins

    def indent(self) -> str | None:
        """The blanks the current line holds so far, or None if it holds more than blanks."""
        line = ""
        for text, _, _ in reversed(self._parts):
            _, newline, tail = text.rpartition("\n")
            line = tail + line
            if newline:
                break
        line = line.replace(_REMOVED, "")
        return None if line.strip(" \t") else line


class _CannotInclude(Exception):
    """Why an include was removed, worded as the end of its note."""


class _Liquid:
    """Renders the Liquid in one text: the post body, or an include inlined into it."""

    def __init__(
        self,
        text: str,
        context: LiquidContext,
        notes: _Notes,
        vault: _Vault,
        *,
        line_of: Callable[[int], int],
        parameters: dict | None = None,
        depth: int = 0,
        label: str = "",
    ):
        self.text = text
        self.context = context
        self.notes = notes
        self.vault = vault
        self.line_of = line_of
        self.parameters = parameters  # {{ include.* }}, inside an include only
        self.depth = depth
        self.label = label  # names the include the notes come from
        self.closers = _match_blocks(text)

    def render(self, start: int, end: int) -> _Output:
        out = _Output()
        position = start
        while match := _LIQUID.search(self.text, position, end):
            before = self.text[position : match.start()]
            if match[0].startswith(("{%-", "{{-")):
                # As in Liquid, a dash trims the text before the tag, never a tag's output.
                before = before.rstrip(_RUBY_WHITESPACE)
            out.add(before, self.line_of(position))
            handle = self._tag if match["name"] else self._variable
            position = handle(match, out)
        out.add(self.text[position:end], self.line_of(position))
        return out

    def _note(self, line: int, message: str):
        self.notes.add(line, self.label + message)

    def _after(self, tag: re.Match) -> int:
        """Where the text resumes after a tag: past the whitespace a closing dash strips."""
        if tag[0].endswith(("-%}", "-}}")):
            return _SKIPPED_WHITESPACE.match(self.text, tag.end()).end()
        return tag.end()

    def _remove(self, opener: re.Match, closer: re.Match, out: _Output) -> int:
        out.add(_REMOVED, self.line_of(opener.start()))
        return self._after(closer)

    def _variable(self, match: re.Match, out: _Output) -> int:
        line = self.line_of(match.start())
        value = self._evaluate(match["expression"], line)
        if value is None:
            self._note(line, f"{_quote(match[0])} could not be resolved; removed")
            value = _REMOVED
        out.add(value, line, generated=True)
        return self._after(match)

    def _tag(self, match: re.Match, out: _Output) -> int:
        name = match["name"]
        if name in _BLOCKS:
            return self._block(match, out)
        if name == "include":
            return self._include(match, out)
        if name == "post_url":
            return self._url(match, out, self.context.resolve_post_url)
        if name == "link":
            return self._url(match, out, self.context.resolve_link)
        line = self.line_of(match.start())
        if name == "include_relative":
            message = "removed: files beside the post cannot be inlined"
        elif name in _LOGIC_TAGS:
            message = "is Liquid logic, which cannot be reproduced; removed"
        else:
            message = "is not a tag Quire can convert (a plugin?); removed"
        self._note(line, f"{_quote(match[0])} {message}")
        return self._remove(match, match, out)

    def _block(self, opener: re.Match, out: _Output) -> int:
        name = opener["name"]
        line = self.line_of(opener.start())
        closer = self.closers.get(opener.start())
        if closer is None:
            self._note(line, f"{_quote(opener[0])} is never closed; the tag was removed")
            return self._remove(opener, opener, out)
        if name == "raw":
            # Marked as removals, the raw tags, like others, take a line left empty with them.
            content = self.vault.hide_lines(self.text[opener.end() : closer.start()])
            out.add(_REMOVED + content + _REMOVED, line)
            return self._after(closer)
        if name == "highlight":
            return self._highlight(opener, closer, out)
        block = f"{_quote(opener[0])} … {_quote(closer[0])}"
        last = self.line_of(closer.start())
        through = f" through line {last}" if last != line else ""
        if name == "comment":
            self._note(line, f"Liquid comment {block} removed{through}")
        else:
            self._note(line, f"Liquid logic {block} cannot be reproduced; removed{through}")
        return self._remove(opener, closer, out)

    def _highlight(self, opener: re.Match, closer: re.Match, out: _Output) -> int:
        """A fenced block, on lines of its own, with the code as Liquid leaves it."""
        line = self.line_of(opener.start())
        rendered = self.render(self._after(opener), closer.start()).text()
        rendered = self.vault.reveal(_without_emptied_lines(rendered)[0])
        # Jekyll drops the line breaks around the code; the blanks are an indented end tag's.
        code = rendered.rstrip(" \t").strip("\r\n")
        longest = max((len(run) for run in _BACKTICKS.findall(code)), default=0)
        fence = "`" * max(3, longest + 1)
        options = _HIGHLIGHT.fullmatch(opener["markup"])
        indent = out.indent()
        if indent is None:
            out.add("\n", line, generated=True)
            indent = ""
        block = f"{fence}{options['language']}\n{code}\n{indent}{fence}"
        out.add(self.vault.hide(block), line)
        resume = self._after(closer)
        if not _REST_OF_LINE_BLANK.match(self.text, resume):
            out.add("\n", line, generated=True)
        dropped = f" (without {options['options']})" if options["options"] else ""
        self._note(line, f"{_quote(opener[0])} became a fenced code block{dropped}")
        return resume

    def _url(self, match: re.Match, out: _Output, resolve: Callable[[str], str | None]) -> int:
        line = self.line_of(match.start())
        url = resolve(self._expand_variables(match["markup"], line).strip())
        if url is None:
            self._note(line, f"{_quote(match[0])} could not be resolved; removed")
            return self._remove(match, match, out)
        out.add(url, line, generated=True)
        return self._after(match)

    def _include(self, match: re.Match, out: _Output) -> int:
        """The include's text, rendered in turn with its parameters bound to `include.*`."""
        line = self.line_of(match.start())
        tag = _quote(match[0])
        markup = _INCLUDE_MARKUP.fullmatch(self._expand_variables(match["markup"], line))
        name = markup["name"]
        try:
            text = self._include_text(name)
        except _CannotInclude as error:
            self._note(line, f"{tag} {error}; removed")
            return self._remove(match, match, out)
        include = _Liquid(
            text,
            self.context,
            self.notes,
            self.vault,
            line_of=lambda _: line,
            parameters=self._include_parameters(markup["parameters"], line),
            depth=self.depth + 1,
            label=f"in {name}: ",
        )
        self._note(line, f"{tag} inlined")
        out.add(include.render(0, len(text)).text(), line, generated=True)
        return self._after(match)

    def _include_text(self, name: str) -> str:
        """The include's text with LF line endings, read only from inside the includes folder."""
        if self.depth >= _MAX_INCLUDE_DEPTH:
            raise _CannotInclude(
                f"is nested more than {_MAX_INCLUDE_DEPTH} includes deep"
                " (does an include include itself?)"
            )
        if self.context.includes_dir is None:
            raise _CannotInclude("cannot be inlined: the site has no includes folder")
        relative = Path(name)
        root = self.context.includes_dir.resolve()
        path = (root / relative).resolve()
        if relative.is_absolute() or ".." in relative.parts or not path.is_relative_to(root):
            raise _CannotInclude("was refused: it names a file outside the includes folder")
        if not path.is_file():
            raise _CannotInclude("cannot be inlined: no such file in the includes folder")
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise _CannotInclude(f"cannot be inlined: {error}") from error
        # The file's last line break is one the tag's own line already has.
        return _LINE_BREAK.sub("\n", text).removesuffix("\n")

    def _include_parameters(self, markup: str, line: int) -> dict:
        parameters = {}
        for key, double, single, variable in _INCLUDE_PARAMETER.findall(markup):
            if variable:
                parameters[key] = self._value(variable, line)
            else:  # findall gives "" for the quote not used
                parameters[key] = double.replace('\\"', '"') or single.replace("\\'", "'")
        return parameters

    def _expand_variables(self, markup: str, line: int) -> str:
        """A tag's argument with its {{ }} resolved, as Jekyll does for include and link."""
        return _VARIABLE.sub(lambda match: self._evaluate(match["expression"], line) or "", markup)

    def _evaluate(self, expression: str, line: int) -> str | None:
        """The value of `value | filter: argument | ...`, or None if any step is unknown."""
        head, *filters = _FILTER_SEGMENT.findall(expression) or [""]
        value = self._value(head, line)
        for segment in filters:
            parsed = _FILTER.fullmatch(segment)
            if value is None or parsed is None:
                return None
            argument = parsed["argument"]
            argument = None if argument is None else self._value(argument, line)
            value = self._filter(parsed["name"], value, argument, line)
        return value

    def _value(self, token: str, line: int) -> str | None:
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
        value = {"site": self.context.site, "page": self.context.page, "include": self.parameters}
        value = value.get(root)
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        return _scalar(value)

    def _site_url(self, key: str, line: int) -> str:
        """site.url or site.baseurl; absent, it is "" as in Jekyll, which is worth a note."""
        value = _scalar(self.context.site.get(key))
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


def _match_blocks(text: str) -> dict[int, re.Match]:
    """The offset of each block tag mapped to its end tag, found in one pass over the tags.

    Tags inside a raw block are not Liquid and are skipped. An end tag closes its nearest opener
    of the same name, and whatever was opened after that opener is never closed.
    """
    closers = {}
    opened: list[tuple[str, int]] = []
    open_count: Counter[str] = Counter()  # so an end tag with no opener costs nothing
    endraw_ahead = True  # once none is found, no later raw tag need look again
    position = 0
    while tag := _TAG.search(text, position):
        position = tag.end()
        name = tag["name"]
        if name == "raw":
            end = _ENDRAW.search(text, position) if endraw_ahead else None
            if end:
                closers[tag.start()] = end
                position = end.end()
            endraw_ahead = end is not None
        elif name in _BLOCKS:
            opened.append((name, tag.start()))
            open_count[name] += 1
        elif name.startswith("end") and open_count[name[3:]]:
            while True:
                block, start = opened.pop()
                open_count[block] -= 1
                if block == name[3:]:
                    closers[start] = tag
                    break
    return closers


def _without_emptied_lines(text: str) -> tuple[str, list[int]]:
    """The text less the lines removals left blank, and the indices of the lines kept."""
    if _REMOVED not in text:
        return text, list(range(text.count("\n") + 1))
    lines = text.split("\n")
    kept = [index for index, line in enumerate(lines) if not _EMPTIED_LINE.fullmatch(line)]
    return "\n".join(lines[index] for index in kept).replace(_REMOVED, ""), kept


def _strip_kramdown(text: str, origins: list[int], notes: _Notes, vault: _Vault) -> str:
    """Remove kramdown's attribute lists and extensions, leaving code as it is.

    `origins` holds the file line of each line of `text`. Matches are found in one pass over the
    text, so their offsets, and the lines counted from them, are those of `text`.
    """
    if "{:" not in text:
        return text
    masked = _hide_code(text, vault)
    newlines = [match.start() for match in _NEWLINE.finditer(masked)]

    def replace(match: re.Match) -> str:
        kind = match["wrapper"] or match.lastgroup
        line = origins[bisect_left(newlines, match.start())]
        notes.tally(kind, line, _KRAMDOWN_NOTES[kind].format(_quote(match[0])))
        if kind == "nomarkdown":
            return _REMOVED + match["content"] + _REMOVED
        return _REMOVED

    return _without_emptied_lines(_KRAMDOWN.sub(replace, masked))[0]


def _hide_code(text: str, vault: _Vault) -> str:
    """The text with its fenced code blocks and code spans in the vault."""
    pieces: list[str] = []
    prose: list[str] = []
    fence: list[str] = []
    closing = ""  # the fence's character and length, while inside one
    for line in text.split("\n"):
        if closing:
            fence.append(line)
            marker = line.lstrip(" \t>").rstrip()
            if len(marker) >= len(closing) and marker == closing[0] * len(marker):
                pieces.append(vault.hide("\n".join(fence)))
                fence, closing = [], ""
        elif opening := _FENCE.match(line):
            if prose:
                pieces.append(_hide_code_spans("\n".join(prose), vault))
            prose, fence, closing = [], [line], opening[1]
        else:
            prose.append(line)
    if fence:  # a fence left open runs to the end, as in CommonMark
        pieces.append(vault.hide("\n".join(fence)))
    if prose:
        pieces.append(_hide_code_spans("\n".join(prose), vault))
    return "\n".join(pieces)


def _hide_code_spans(prose: str, vault: _Vault) -> str:
    """Pair backtick runs of equal length, as CommonMark does; no span crosses a blank line."""
    if "`" not in prose:
        return prose
    paragraphs = _BLANK_LINE.split(prose)  # the blank lines are kept, at odd indices
    return "".join(
        _hide_spans_in(paragraph, vault) if index % 2 == 0 else paragraph
        for index, paragraph in enumerate(paragraphs)
    )


def _hide_spans_in(paragraph: str, vault: _Vault) -> str:
    runs = list(_BACKTICKS.finditer(paragraph))
    # The next run of the same length after each run, found backwards in one pass.
    partner: list[int | None] = [None] * len(runs)
    latest: dict[int, int] = {}
    for index in range(len(runs) - 1, -1, -1):
        length = len(runs[index][0])
        partner[index] = latest.get(length)
        latest[length] = index
    pieces, position, index = [], 0, 0
    while index < len(runs):
        closer = partner[index]
        if closer is None:  # an unmatched run is literal backticks
            index += 1
            continue
        start, end = runs[index].start(), runs[closer].end()
        pieces += [paragraph[position:start], vault.hide(paragraph[start:end])]
        position, index = end, closer + 1
    pieces.append(paragraph[position:])
    return "".join(pieces)


def _scalar(value) -> str | None:
    """Text or a number, as Liquid prints it; None for what Ruby would print its own way."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _leading_slash(path: str) -> str:
    return path if not path or path.startswith("/") else f"/{path}"


def _quote(tag: str) -> str:
    """A tag as a note quotes it: on one line, and shortened if long."""
    tag = " ".join(tag.split())
    return tag if len(tag) <= _QUOTED_LENGTH else tag[: _QUOTED_LENGTH - 1] + "…"
