"""Jekyll post bodies to plain Markdown: Liquid resolved or removed, kramdown syntax stripped.

Jekyll renders Liquid over the whole body, code blocks included, and only then hands the result to
kramdown. Quire renders CommonMark with markdown-it, which knows neither, so the importer runs each
body through `convert` first. What can be worked out without running the site (site and page
values, URL filters, includes, links to posts, highlight blocks) is converted; logic and plugin tags
cannot be, and are removed. What was converted, and what could not be carried over, is noted with
its line in the file.

The body is read once for Liquid, then once for kramdown, with regular expressions written not to
backtrack: an import runs this over tens of thousands of posts. Liquid's tags, blocks and includes
are rendered here; the value of `{{ ... }}` output comes from `expressions`, the kramdown pass is
`kramdown`'s, and the notes and placeholders both passes keep are `conversion`'s.
"""

import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .conversion import REMOVED, Notes, Vault, newline_offsets, quote, without_emptied_lines
from .expressions import Expressions
from .kramdown import BACKTICKS, strip_kramdown

_MAX_INCLUDE_DEPTH = 10
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

_LINE_BREAK = re.compile(r"\r\n?")
_SKIPPED_WHITESPACE = re.compile(f"[{re.escape(_RUBY_WHITESPACE)}]*")
_REST_OF_LINE_BLANK = re.compile(r"[ \t]*(?:\n|\Z)")

_INCLUDE_MARKUP = re.compile(r"\s*(?P<name>\S*)\s*(?P<parameters>.*)", re.DOTALL)
# Jekyll's own include parameter syntax: a quoted string (with escaped quotes) or a variable.
_INCLUDE_PARAMETER = re.compile(
    r"""([\w-]+)\s*=\s*(?:"([^"\\]*(?:\\.[^"\\]*)*)"|'([^'\\]*(?:\\.[^'\\]*)*)'|([\w.-]+))"""
)
_HIGHLIGHT = re.compile(r"\s*(?P<language>[^\s`]*)\s*(?P<options>.*?)\s*", re.DOTALL)


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
    notes = Notes()
    vault = Vault()
    if "\x00" in body or REMOVED in body:
        # They mark placeholders here; text holding them would come out garbled.
        body = body.replace("\x00", "\ufffd").replace(REMOVED, "\ufffd")
        notes.add(context.first_line, "control characters U+0000/U+0001 became U+FFFD")
    if liquid:
        newlines = newline_offsets(body)
        rendered = _Liquid(
            body,
            context,
            notes,
            vault,
            line_of=lambda offset: context.first_line + bisect_left(newlines, offset),
        ).render(0, len(body))
        text, kept = without_emptied_lines(rendered.text())
        origins = rendered.origins(context.first_line)
        origins = [origins[index] for index in kept]
    else:
        text = body
        origins = list(range(context.first_line, context.first_line + body.count("\n") + 1))
    text = strip_kramdown(text, origins, notes, vault)
    return vault.reveal(text), notes.sorted()


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
        line = line.replace(REMOVED, "")
        return None if line.strip(" \t") else line


class _CannotInclude(Exception):
    """Why an include was removed, worded as the end of its note."""


class _Liquid:
    """Renders the Liquid in one text: the post body, or an include inlined into it."""

    def __init__(
        self,
        text: str,
        context: LiquidContext,
        notes: Notes,
        vault: Vault,
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
        self.expressions = Expressions(context.site, context.page, parameters, notes)
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
        out.add(REMOVED, self.line_of(opener.start()))
        return self._after(closer)

    def _variable(self, match: re.Match, out: _Output) -> int:
        line = self.line_of(match.start())
        value = self.expressions.evaluate(match["expression"], line)
        if value is None:
            self._note(line, f"{quote(match[0])} could not be resolved; removed")
            value = REMOVED
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
        self._note(line, f"{quote(match[0])} {message}")
        return self._remove(match, match, out)

    def _block(self, opener: re.Match, out: _Output) -> int:
        name = opener["name"]
        line = self.line_of(opener.start())
        closer = self.closers.get(opener.start())
        if closer is None:
            self._note(line, f"{quote(opener[0])} is never closed; the tag was removed")
            return self._remove(opener, opener, out)
        if name == "raw":
            # Marked as removals, the raw tags, like others, take a line left empty with them.
            content = self.vault.hide_lines(self.text[opener.end() : closer.start()])
            out.add(REMOVED + content + REMOVED, line)
            return self._after(closer)
        if name == "highlight":
            return self._highlight(opener, closer, out)
        block = f"{quote(opener[0])} … {quote(closer[0])}"
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
        rendered = self.vault.reveal(without_emptied_lines(rendered)[0])
        # Jekyll drops the line breaks around the code; the blanks are an indented end tag's.
        code = rendered.rstrip(" \t").strip("\r\n")
        longest = max((len(run) for run in BACKTICKS.findall(code)), default=0)
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
        self._note(line, f"{quote(opener[0])} became a fenced code block{dropped}")
        return resume

    def _url(self, match: re.Match, out: _Output, resolve: Callable[[str], str | None]) -> int:
        line = self.line_of(match.start())
        url = resolve(self._expand_variables(match["markup"], line).strip())
        if url is None:
            self._note(line, f"{quote(match[0])} could not be resolved; removed")
            return self._remove(match, match, out)
        out.add(url, line, generated=True)
        return self._after(match)

    def _include(self, match: re.Match, out: _Output) -> int:
        """The include's text, rendered in turn with its parameters bound to `include.*`."""
        line = self.line_of(match.start())
        tag = quote(match[0])
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
                parameters[key] = self.expressions.value(variable, line)
            else:  # findall gives "" for the quote not used
                parameters[key] = double.replace('\\"', '"') or single.replace("\\'", "'")
        return parameters

    def _expand_variables(self, markup: str, line: int) -> str:
        """A tag's argument with its {{ }} resolved, as Jekyll does for include and link."""
        return _VARIABLE.sub(
            lambda match: self.expressions.evaluate(match["expression"], line) or "", markup
        )


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
