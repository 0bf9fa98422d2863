"""Jekyll post bodies to plain Markdown: Liquid rendered where what it needs is known, kept where
it is not, and kramdown syntax stripped.

Jekyll renders Liquid over the whole body, code blocks included, and only then hands the result to
kramdown. Quire renders CommonMark with markdown-it, which knows neither, so the importer runs each
body through `convert` first. Liquid is rendered as Jekyll would render it wherever its values
are known without running the site: the site's config and data, the front matter, includes and
their parameters, what assign and capture set, links to posts. Logic (if, unless, case, for) is
evaluated. Nothing is dropped for being unknown: a plugin tag, a missing include, or logic and
output that need a value the importer does not have are kept exactly as written, in an HTML
comment readers never see (or as they are, where they stand in code). What was converted, and
what could not be, is noted with its line in the file.

An include's HTML is inlined as one HTML block, since CommonMark, unlike kramdown, ends one at a
blank line; a video player becomes one privacy-enhanced embed.

The body is read once for Liquid, then once for kramdown, with regular expressions written not to
backtrack: an import runs this over tens of thousands of posts. Liquid's tags, blocks and includes
are rendered here; values, conditions and filters are `expressions`', the kramdown pass is
`kramdown`'s, and the notes and placeholders both passes keep are `conversion`'s.
"""

import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .conversion import (
    REMOVED,
    Notes,
    Vault,
    Video,
    comment,
    newline_offsets,
    quote,
    sole_video,
    without_emptied_lines,
)
from .expressions import Expressions, Unknown
from .kramdown import BACKTICKS, fence_after, to_commonmark

_MAX_INCLUDE_DEPTH = 10
# How often loops may repeat their text in one post, all loops together.
_MAX_ITERATIONS = 10_000
# Ruby's strip, which Liquid's whitespace control uses, strips ASCII whitespace only.
_RUBY_WHITESPACE = " \t\n\v\f\r"

_TAG_SOURCE = r"\{%-?\s*(?P<name>\w++)(?P<markup>(?:[^%{]|%(?!\})|\{(?!%))*?)-?%\}"
_VARIABLE_SOURCE = r"\{\{-?(?P<expression>[^{}]*?)-?\}\}"
# A tag cannot run on past the next `{%`, nor a variable past the next brace, so a tag left open
# costs no more than the text up to the next one.
_TAG = re.compile(_TAG_SOURCE)
_VARIABLE = re.compile(_VARIABLE_SOURCE)
_LIQUID = re.compile(f"{_TAG_SOURCE}|{_VARIABLE_SOURCE}")
_ENDRAW = re.compile(r"\{%-?\s*endraw\s*-?%\}")

_BLOCKS = frozenset(
    {"if", "unless", "case", "for", "tablerow", "capture", "raw", "comment", "highlight"}
)
# The tags that divide a block into branches, and the blocks they divide.
_BRANCHES = {
    "elsif": {"if", "unless"},
    "else": {"if", "unless", "case", "for"},
    "when": {"case"},
}
_NOT_CONVERTED = {
    "include_relative": "files beside the post cannot be inlined",
    "tablerow": "Quire does not reproduce tablerow",
    "liquid": "Quire does not reproduce the liquid tag",
    **dict.fromkeys((*_BRANCHES, "break", "continue"), "it stands outside the block it belongs to"),
}
_PLUGIN = "it is not a Liquid or Jekyll tag Quire knows (a plugin?)"
# The variables a block sets, which are unknown after it if the block is kept unconverted.
_SETS = re.compile(r"\{%-?\s*(?:assign|capture|increment|decrement)\s+([\w-]+)")
_ASSIGN = re.compile(r"\s*([\w-]+)\s*=(.*)", re.DOTALL)

_LINE_BREAK = re.compile(r"\r\n?")
_SKIPPED_WHITESPACE = re.compile(f"[{re.escape(_RUBY_WHITESPACE)}]*")
_REST_OF_LINE_BLANK = re.compile(r"[ \t]*(?:\n|\Z)")
_NO_TEXT_BELOW = re.compile(r"[ \t]*(?:\Z|\n[ \t]*(?:\n|\Z))")
_TAG_OPENING = re.compile(r"<[A-Za-z]")
_URL_END = re.compile(r"[()\s]")
# How much of the current line's start and end the output keeps: enough for a fence, a tag or a
# link's URL, and little enough that a line with thousands of tags on it costs one pass.
_LINE_HEAD = 256
_LINE_TAIL = 2048

_INCLUDE_MARKUP = re.compile(r"\s*(?P<name>\S*)\s*(?P<parameters>.*)", re.DOTALL)
# Jekyll's own include parameter syntax: a quoted string (with escaped quotes) or a variable.
_INCLUDE_PARAMETER = re.compile(
    r"""(?<![\w-])([\w-]++)\s*=\s*(?:"([^"\\]*(?:\\.[^"\\]*)*)"|'([^'\\]*(?:\\.[^'\\]*)*)'|([\w.-]+))"""
)
_HIGHLIGHT = re.compile(r"\s*(?P<language>[^\s`]*)\s*(?P<options>.*?)\s*", re.DOTALL)
# Include names that themes and sites give a video player, and the provider each one assumes
# (a `video` include is told by its `provider` parameter).
_VIDEO_INCLUDES = {"youtube": "youtube", "youtube-player": "youtube", "vimeo": "vimeo", "video": ""}


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
    data: Mapping = field(default_factory=dict)  # site.data: see sitedata.SiteData


def convert(body: str, context: LiquidContext) -> tuple[str, list[str]]:
    """The body as plain Markdown, and notes such as 'line 12: {% highlight ruby %} became a
    fenced code block'."""
    # A search for one character is many times faster than one for two: most bodies have no brace.
    braces = "{" in body
    liquid = braces and context.liquid and ("{%" in body or "{{" in body)
    if not liquid and not (braces and "{:" in body) and "<iframe" not in body:
        return body, []
    notes = Notes()
    vault = Vault()
    if "\x00" in body or REMOVED in body:
        # They mark placeholders here; text holding them would come out garbled.
        body = body.replace("\x00", "\ufffd").replace(REMOVED, "\ufffd")
        notes.add(context.first_line, "control characters U+0000/U+0001 became U+FFFD")
    if liquid:
        newlines = newline_offsets(body)
        post = _Post(context, notes, vault)
        rendered = _Output()
        _Liquid(
            body, post, line_of=lambda offset: context.first_line + bisect_left(newlines, offset)
        ).render_all(rendered)
        text, kept = without_emptied_lines(rendered.text())
        origins = rendered.origins(context.first_line)
        origins = [origins[index] for index in kept]
    else:
        text = body
        origins = list(range(context.first_line, context.first_line + body.count("\n") + 1))
    text = to_commonmark(text, origins, notes, vault)
    return vault.reveal(text), notes.sorted()


class _Post:
    """What the Liquid of one post and of the includes inlined into it share."""

    def __init__(self, context: LiquidContext, notes: Notes, vault: Vault):
        self.context = context
        self.notes = notes
        self.vault = vault
        self.expressions = Expressions(context.site, context.page, context.data, notes)
        self.kept = 0  # how much Liquid was kept unconverted so far
        self.iterations = 0
        self.loops = 0  # how many for loops are being rendered, one inside another


class _Output:
    """Rendered text in parts, each knowing the file line it came from."""

    def __init__(self, *, code: bool = False):
        self._parts: list[tuple[str, int, bool]] = []
        self.code = code  # all of it is code, as a highlight block's is
        # The current line, read from the parts once each: the parts read, the fence open, the
        # line's start and end, its length, and the runs of backticks on it.
        self._read = 0
        self._fence = ""
        self._head = self._tail = ""
        self._length = self._backtick_runs = 0

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
        self._read_parts()
        blank = self._length == len(self._head) and not self._head.strip(" \t")
        return self._head if blank else None

    def where(self) -> str:
        """What the text so far leaves open: "code" (a fenced block, a code span), "markup" (an
        HTML tag, a link's URL) or "text"."""
        self._read_parts()
        if self.code or self._fence or self._backtick_runs % 2:
            return "code"
        return "markup" if _inside_markup(self._tail) else "text"

    def _read_parts(self):
        for text, _, _ in self._parts[self._read :]:
            *ended, rest = text.replace(REMOVED, "").split("\n")
            for piece in ended:
                self._extend_line(piece)
                self._fence = fence_after(self._head, self._fence)
                self._head = self._tail = ""
                self._length = self._backtick_runs = 0
            self._extend_line(rest)
        self._read = len(self._parts)

    def _extend_line(self, piece: str):
        if not piece:
            return
        if self._tail.endswith("`") and piece.startswith("`"):
            self._backtick_runs -= 1  # one run, in two parts
        self._backtick_runs += len(BACKTICKS.findall(piece))
        self._head += piece[: max(_LINE_HEAD - self._length, 0)]
        self._tail = (self._tail + piece)[-_LINE_TAIL:]
        self._length += len(piece)


class _CannotInclude(Exception):
    """Why an include could not be inlined, worded as the end of its note."""


class _Break(Exception):
    """{% break %}: the loop ends here."""


class _Continue(Exception):
    """{% continue %}: the loop goes on with its next item."""


class _Liquid:
    """Renders the Liquid in one text: the post body, or an include inlined into it."""

    def __init__(
        self,
        text: str,
        post: _Post,
        *,
        line_of: Callable[[int], int],
        depth: int = 0,
        label: str = "",
    ):
        self.text = text
        self.post = post
        self.expressions = post.expressions
        self.line_of = line_of
        self.depth = depth
        self.label = label  # names the include the notes come from
        self.closers, self.branches = _match_blocks(text)
        # Comments for Liquid kept from inside an HTML tag or a link's URL, written after its line.
        self.pending: list[str] = []
        self.handlers = {
            "include": self._include,
            "post_url": lambda match, out: self._url(match, out, post.context.resolve_post_url),
            "link": lambda match, out: self._url(match, out, post.context.resolve_link),
            "assign": self._assign,
            "increment": self._counter,
            "decrement": self._counter,
            "cycle": self._cycle,
            "echo": self._echo,
            "break": self._interrupt,
            "continue": self._interrupt,
            "youtube": self._video_tag,
            "vimeo": self._video_tag,
        }

    def render_all(self, out: _Output):
        self.render(0, len(self.text), out)
        self._flush(out, self.line_of(len(self.text)))

    def render(self, start: int, end: int, out: _Output):
        position = start
        while match := _LIQUID.search(self.text, position, end):
            text_end = match.start()
            if match[0].startswith(("{%-", "{{-")):
                # As in Liquid, a dash trims the text before the tag, never a tag's output.
                text_end = self._trimmed(position, text_end)
            self._add_text(position, text_end, out)
            handle = self._tag if match["name"] else self._variable
            position = handle(match, out)
        self._add_text(position, end, out)

    def _add_text(self, start: int, end: int, out: _Output):
        """Text of the source, and the pending comments at the end of its line."""
        text, line = self.text[start:end], self.line_of(start)
        if self.pending and "\n" in text:
            head, newline, rest = text.partition("\n")
            out.add(head, line)
            self._flush(out, line)
            text = newline + rest
        out.add(text, line)

    def _flush(self, out: _Output, line: int):
        for kept in self.pending:
            out.add(" " + kept, line, generated=True)
        self.pending.clear()

    def _note(self, line: int, message: str):
        self.post.notes.add(line, self.label + message)

    def _trimmed(self, start: int, end: int) -> int:
        """Where text ends once the whitespace before `end` is trimmed, not before `start`."""
        while end > start and self.text[end - 1] in _RUBY_WHITESPACE:
            end -= 1
        return end

    def _after(self, tag: re.Match) -> int:
        """Where the text resumes after a tag: past the whitespace a closing dash strips."""
        if tag[0].endswith(("-%}", "-}}")):
            return _SKIPPED_WHITESPACE.match(self.text, tag.end()).end()
        return tag.end()

    def _sections(self, opener: re.Match, closer: re.Match) -> list[tuple[re.Match, int, int]]:
        """Each branch of a block: the tag that opens it, and where its text starts and ends."""
        tags = [opener, *self.branches.get(opener.start(), ())]
        sections = []
        for tag, following in zip(tags, [*tags[1:], closer], strict=True):
            start, end = self._after(tag), following.start()
            if following[0].startswith("{%-"):
                end = self._trimmed(start, end)
            sections.append((tag, start, max(start, end)))
        return sections

    # Keeping what cannot be converted

    def _keep(self, start: int, end: int, out: _Output, why: str, summary: str = ""):
        """Keep source text that could not be converted: as it is where it stands in code, else
        in an HTML comment (after the tag or link it stands inside), noted with the reason."""
        self.post.kept += 1
        original, line, last = self.text[start:end], self.line_of(start), self.line_of(end)
        summary = summary or quote(original)
        through = f", through line {last}" if last != line else ""
        where = out.where()
        if where == "code":
            out.add(self.post.vault.hide(original), line)
            self._note(
                line,
                f"{summary} could not be converted: {why}; kept as written, since it stands in"
                f" code{through}",
            )
            return
        kept = self.post.vault.hide(comment(original))
        if where == "markup":
            out.add(REMOVED, line)
            self.pending.append(kept)
        else:
            if "\n" in original and out.indent() is None:
                # On a line of its own, a comment of several lines is one HTML block.
                out.add("\n", line, generated=True)
            out.add(kept, line)
        self._note(
            line,
            f"{summary} could not be converted: {why}; kept in the source as a comment{through}",
        )

    def _keep_tag(self, tag: re.Match, out: _Output, why: str) -> int:
        self._keep(tag.start(), tag.end(), out, why)
        return self._after(tag)

    def _keep_block(self, opener: re.Match, closer: re.Match, out: _Output, why: str) -> int:
        """Keep a whole block; what it would have set is unknown after it."""
        line = self.line_of(opener.start())
        for name in _SETS.findall(self.text, opener.end(), closer.start()):
            self.expressions.assign(
                name, Unknown(f"{name} is set in Liquid that could not be converted (line {line})")
            )
        summary = f"{quote(opener[0])} … {quote(closer[0])}"
        self._keep(opener.start(), closer.end(), out, why, summary)
        return self._after(closer)

    # Output and tags

    def _variable(self, match: re.Match, out: _Output) -> int:
        return self._print(match, match["expression"], out)

    def _echo(self, match: re.Match, out: _Output) -> int:
        return self._print(match, match["markup"], out)

    def _print(self, match: re.Match, expression: str, out: _Output) -> int:
        line = self.line_of(match.start())
        value = self.expressions.output(expression, line)
        if isinstance(value, Unknown):
            return self._keep_tag(match, out, value.why)
        out.add(value, line, generated=True)
        return self._after(match)

    def _tag(self, match: re.Match, out: _Output) -> int:
        name = match["name"]
        if name in _BLOCKS:
            return self._block(match, out)
        if name in self.handlers:
            return self.handlers[name](match, out)
        return self._keep_tag(match, out, _NOT_CONVERTED.get(name, _PLUGIN))

    def _assign(self, match: re.Match, out: _Output) -> int:
        line = self.line_of(match.start())
        assignment = _ASSIGN.fullmatch(match["markup"])
        if assignment is None:
            return self._keep_tag(match, out, "Quire cannot read it as an assignment")
        name, expression = assignment.groups()
        value = self.expressions.evaluate(expression, line)
        if isinstance(value, Unknown):
            self.expressions.assign(
                name, Unknown(f"{name} is set from what could not be converted (line {line})")
            )
            return self._keep_tag(match, out, value.why)
        self.expressions.assign(name, value)
        out.add(REMOVED, line)
        return self._after(match)

    def _counter(self, match: re.Match, out: _Output) -> int:
        step = 1 if match["name"] == "increment" else -1
        value = self.expressions.increment(match["markup"].strip(), step)
        out.add(str(value), self.line_of(match.start()), generated=True)
        return self._after(match)

    def _cycle(self, match: re.Match, out: _Output) -> int:
        line = self.line_of(match.start())
        value = self.expressions.cycle(match["markup"], line)
        if isinstance(value, Unknown):
            return self._keep_tag(match, out, value.why)
        out.add(value, line, generated=True)
        return self._after(match)

    def _interrupt(self, match: re.Match, out: _Output) -> int:
        if not self.post.loops:
            return self._keep_tag(match, out, _NOT_CONVERTED[match["name"]])
        out.add(REMOVED, self.line_of(match.start()))
        raise _Break if match["name"] == "break" else _Continue

    def _url(self, match: re.Match, out: _Output, resolve: Callable[[str], str | None]) -> int:
        line = self.line_of(match.start())
        target = self._expand_variables(match["markup"], line)
        if isinstance(target, Unknown):
            return self._keep_tag(match, out, target.why)
        url = resolve(target.strip())
        if url is None:
            return self._keep_tag(match, out, "no post imported now or before has that name")
        out.add(url, line, generated=True)
        return self._after(match)

    # Blocks

    def _block(self, opener: re.Match, out: _Output) -> int:
        name = opener["name"]
        closer = self.closers.get(opener.start())
        if closer is None:
            return self._keep_tag(opener, out, "it is never closed")
        if name == "raw":
            # Marked as removals, the raw tags, like others, take a line left empty with them.
            content = self.post.vault.hide_lines(self.text[opener.end() : closer.start()])
            out.add(REMOVED + content + REMOVED, self.line_of(opener.start()))
            return self._after(closer)
        if name == "highlight":
            return self._highlight(opener, closer, out)
        if name == "comment":
            return self._comment(opener, closer, out)
        handler = {
            "if": self._if,
            "unless": self._if,
            "case": self._case,
            "for": self._for,
            "capture": self._capture,
        }.get(name)
        if handler is None:
            return self._keep_block(opener, closer, out, _NOT_CONVERTED[name])
        return handler(opener, closer, out)

    def _comment(self, opener: re.Match, closer: re.Match, out: _Output) -> int:
        """A Liquid comment, which readers never saw, kept for editors as an HTML comment."""
        line, last = self.line_of(opener.start()), self.line_of(closer.start())
        through = f" through line {last}" if last != line else ""
        block = f"{quote(opener[0])} … {quote(closer[0])}"
        if out.where() != "text":
            self._note(line, f"Liquid comment {block} removed{through}")
            out.add(REMOVED, line)
        else:
            original = self.text[opener.start() : closer.end()]
            if "\n" in original and out.indent() is None:
                out.add("\n", line, generated=True)
            out.add(self.post.vault.hide(comment(original)), line)
            self._note(line, f"Liquid comment {block} kept as an HTML comment{through}")
        return self._after(closer)

    def _if(self, opener: re.Match, closer: re.Match, out: _Output) -> int:
        """The first branch whose condition holds; unless holds when its condition does not."""
        for tag, start, end in self._sections(opener, closer):
            held = True
            if tag["name"] != "else":
                held = self.expressions.condition(tag["markup"], self.line_of(tag.start()))
                if isinstance(held, Unknown):
                    return self._keep_block(opener, closer, out, held.why)
                if tag is opener and opener["name"] == "unless":
                    held = not held
            if held:
                out.add(REMOVED, self.line_of(opener.start()))
                self.render(start, end, out)
                break
        out.add(REMOVED, self.line_of(closer.start()))
        return self._after(closer)

    def _case(self, opener: re.Match, closer: re.Match, out: _Output) -> int:
        """Every `when` that names the subject, as in Liquid, or else the `else`."""
        line = self.line_of(opener.start())
        subject = self.expressions.value(opener["markup"], line)
        if isinstance(subject, Unknown):
            return self._keep_block(opener, closer, out, subject.why)
        chosen = []
        for tag, start, end in self._sections(opener, closer)[1:]:
            if tag["name"] == "else":
                held = not chosen
            else:
                held = self.expressions.matches(subject, tag["markup"], self.line_of(tag.start()))
                if isinstance(held, Unknown):
                    return self._keep_block(opener, closer, out, held.why)
            if held:
                chosen.append((start, end))
        out.add(REMOVED, line)
        for start, end in chosen:
            self.render(start, end, out)
        out.add(REMOVED, self.line_of(closer.start()))
        return self._after(closer)

    def _for(self, opener: re.Match, closer: re.Match, out: _Output) -> int:
        line = self.line_of(opener.start())
        loop = self.expressions.loop(opener["markup"], line)
        if isinstance(loop, Unknown):
            return self._keep_block(opener, closer, out, loop.why)
        name, items = loop
        if self.post.iterations + len(items) > _MAX_ITERATIONS:
            why = f"its loops would repeat their text more than {_MAX_ITERATIONS:,} times"
            return self._keep_block(opener, closer, out, why)
        self.post.iterations += len(items)
        body, *otherwise = self._sections(opener, closer)
        out.add(REMOVED, line)
        if not items and otherwise:
            self.render(otherwise[0][1], otherwise[0][2], out)
        self.post.loops += 1
        try:
            for index, item in enumerate(items):
                forloop = _forloop(index, len(items), self.expressions.variable("forloop"))
                with self.expressions.frame({name: item, "forloop": forloop}):
                    try:
                        self.render(body[1], body[2], out)
                    except _Continue:
                        continue
                    except _Break:
                        break
        finally:
            self.post.loops -= 1
        out.add(REMOVED, self.line_of(closer.start()))
        return self._after(closer)

    def _capture(self, opener: re.Match, closer: re.Match, out: _Output) -> int:
        """The block's text, rendered, as a variable; unknown if any of it could not be."""
        line = self.line_of(opener.start())
        name = opener["markup"].strip().strip("\"'")
        kept, pending = self.post.kept, len(self.pending)
        captured = _Output()
        _, start, end = self._sections(opener, closer)[0]
        self.render(start, end, captured)
        if self.post.kept > kept:
            del self.pending[pending:]
            return self._keep_block(
                opener, closer, out, "it captures Liquid that could not be converted"
            )
        text = self.post.vault.reveal(captured.text()).replace(REMOVED, "")
        self.expressions.assign(name, text)
        out.add(REMOVED, line)
        return self._after(closer)

    def _highlight(self, opener: re.Match, closer: re.Match, out: _Output) -> int:
        """A fenced block, on lines of its own, with the code as Liquid leaves it."""
        line = self.line_of(opener.start())
        code = _Output(code=True)
        self.render(self._after(opener), closer.start(), code)
        rendered = self.post.vault.reveal(without_emptied_lines(code.text())[0])
        # Jekyll drops the line breaks around the code; the blanks are an indented end tag's.
        rendered = rendered.rstrip(" \t").strip("\r\n")
        longest = max((len(run) for run in BACKTICKS.findall(rendered)), default=0)
        fence = "`" * max(3, longest + 1)
        options = _HIGHLIGHT.fullmatch(opener["markup"])
        indent = out.indent()
        if indent is None:
            out.add("\n", line, generated=True)
            indent = ""
        block = f"{fence}{options['language']}\n{rendered}\n{indent}{fence}"
        out.add(self.post.vault.hide(block), line)
        resume = self._after(closer)
        if not _REST_OF_LINE_BLANK.match(self.text, resume):
            out.add("\n", line, generated=True)
        dropped = f" (without {options['options']})" if options["options"] else ""
        self._note(line, f"{quote(opener[0])} became a fenced code block{dropped}")
        return resume

    # Includes and videos

    def _include(self, match: re.Match, out: _Output) -> int:
        """The include's text, rendered in turn with its parameters bound to `include.*`."""
        line = self.line_of(match.start())
        expanded = self._expand_variables(match["markup"], line)
        if isinstance(expanded, Unknown):
            return self._keep_tag(match, out, expanded.why)
        markup = _INCLUDE_MARKUP.fullmatch(expanded)
        name = markup["name"]
        parameters = self._include_parameters(markup["parameters"], line)
        try:
            text = self._include_text(name)
        except _CannotInclude as error:
            video = _named_video(name, parameters)
            if video is None:
                self.expressions.missing_include = self.expressions.missing_include or name
                return self._keep_tag(match, out, str(error))
            self._add_video(match, video, parameters.get("title"), out)
            return self._after(match)
        include = _Liquid(
            text,
            self.post,
            line_of=lambda _: line,
            depth=self.depth + 1,
            label=f"in {name}: ",
        )
        rendered = _Output(code=out.where() == "code")
        with self.expressions.frame({"include": parameters}):
            include.render_all(rendered)
        return self._inline(match, rendered.text(), out)

    def _inline(self, match: re.Match, text: str, out: _Output) -> int:
        """An include's output, an HTML block if it is HTML, a video embed if it is a video."""
        line = self.line_of(match.start())
        video = sole_video(text)
        if video is not None:
            self._add_video(match, *video, out)
            return self._after(match)
        self._note(line, f"{quote(match[0])} inlined")
        indent = out.indent()
        resume = self._after(match)
        if not _is_html(text):
            out.add(text + REMOVED, line, generated=True)
            return resume
        out.add(_html_block(text, indent or ""), line, generated=True)
        alone = indent is not None and _REST_OF_LINE_BLANK.match(self.text, resume)
        if alone and not _NO_TEXT_BELOW.match(self.text, resume):
            # Text on the next line would be read as part of the HTML block.
            out.add("\n", line, generated=True)
        return resume

    def _add_video(self, tag: re.Match, video: Video, title, out: _Output):
        line = self.line_of(tag.start())
        title = title if isinstance(title, str) else ""
        out.add(self.post.vault.hide(video.html(title)), line, generated=True)
        self._note(line, f"{quote(tag[0])} became a privacy-enhanced video embed")

    def _video_tag(self, match: re.Match, out: _Output) -> int:
        """A plugin's {% youtube ID %} or {% vimeo ID %}, the ID or the video's URL."""
        argument = match["markup"].strip().split(" ")[0].strip("\"'")
        video = Video.at(argument) or Video.of(match["name"], argument)
        if video is None:
            return self._keep_tag(match, out, f"{argument!r} is no {match['name']} video")
        self._add_video(match, video, "", out)
        return self._after(match)

    def _include_text(self, name: str) -> str:
        """The include's text with LF line endings, read only from inside the includes folder."""
        if self.depth >= _MAX_INCLUDE_DEPTH:
            raise _CannotInclude(
                f"it is nested more than {_MAX_INCLUDE_DEPTH} includes deep"
                " (does an include include itself?)"
            )
        includes_dir = self.post.context.includes_dir
        if includes_dir is None:
            raise _CannotInclude("the site has no includes folder")
        relative = Path(name)
        root = includes_dir.resolve()
        path = (root / relative).resolve()
        if relative.is_absolute() or ".." in relative.parts or not path.is_relative_to(root):
            raise _CannotInclude("it names a file outside the includes folder, which is refused")
        if not path.is_file():
            raise _CannotInclude("there is no such file in the includes folder")
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise _CannotInclude(f"the file cannot be read: {error}") from error
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

    def _expand_variables(self, markup: str, line: int) -> str | Unknown:
        """A tag's argument with its {{ }} resolved, as Jekyll does for include and link."""
        unknown = []

        def value(match: re.Match) -> str:
            text = self.expressions.output(match["expression"], line)
            if isinstance(text, Unknown):
                unknown.append(text)
                return ""
            return text

        expanded = _VARIABLE.sub(value, markup)
        return unknown[0] if unknown else expanded


def _inside_markup(line: str) -> bool:
    """Whether a line ends inside an HTML tag or a Markdown link's URL, where a comment cannot
    stand."""
    tag = line.rfind("<")
    if tag > line.rfind(">") and _TAG_OPENING.match(line, tag):
        return True
    link = line.rfind("](")
    return link >= 0 and not _URL_END.search(line, link + 2)


def _forloop(index: int, length: int, parent) -> dict:
    return {
        "index": index + 1,
        "index0": index,
        "rindex": length - index,
        "rindex0": length - index - 1,
        "first": index == 0,
        "last": index == length - 1,
        "length": length,
        "parentloop": parent,
    }


def _named_video(name: str, parameters: dict) -> Video | None:
    """The video a video player include names, for a site that lacks the include file."""
    stem = PurePosixPath(name).stem.lower()
    if stem not in _VIDEO_INCLUDES:
        return None
    provider = parameters.get("provider", _VIDEO_INCLUDES[stem])
    video_id = parameters.get("id")
    if not isinstance(provider, str) or not isinstance(video_id, str):
        return None
    return Video.of(provider, video_id)


def _is_html(text: str) -> bool:
    """Whether an include's output is HTML, and not HTML kramdown was told to read as Markdown."""
    return text.lstrip(f" \t\n{REMOVED}").startswith("<") and "markdown=" not in text


def _html_block(text: str, indent: str) -> str:
    """HTML as one CommonMark HTML block: no blank line, which would end it, and no line
    indented (but as the tag was), which after a blank line would be code."""
    lines = [line.lstrip(" \t") for line in text.split("\n") if line.strip(f" \t{REMOVED}")]
    return f"\n{indent}".join(lines) + REMOVED


def _match_blocks(text: str) -> tuple[dict[int, re.Match], dict[int, list[re.Match]]]:
    """The offset of each block tag mapped to its end tag, and to the tags that divide it into
    branches (elsif, else, when), found in one pass over the tags.

    Tags inside a raw block are not Liquid and are skipped. An end tag closes its nearest opener
    of the same name, and whatever was opened after that opener is never closed.
    """
    closers, branches = {}, {}
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
        elif name in _BRANCHES and opened and opened[-1][0] in _BRANCHES[name]:
            branches.setdefault(opened[-1][1], []).append(tag)
        elif name.startswith("end") and open_count[name[3:]]:
            while True:
                block, start = opened.pop()
                open_count[block] -= 1
                if block == name[3:]:
                    closers[start] = tag
                    break
    return closers, branches
