"""Markdown to safe HTML, the only module that imports markdown-it or nh3, and the text read
back out of it: plain text, word counts, reading time, meta descriptions, counted nouns.

Every stored ``*_html`` field and the admin live preview come from ``render()`` (for a post
written in HTML, ``render_html()``), so what an editor previews is byte for byte what readers get.

Markdown reads as Jekyll's kramdown reads it where CommonMark would show an imported post
otherwise: kramdown's typographic symbols and smart quotes and no other replacements,
footnote references as bare numbers, ``markdown="1"`` HTML blocks, emphasis beside CJK text, a
lone list marker as text.
"""

import contextlib
import contextvars
import functools
import html
import re
from itertools import filterfalse

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import isWhiteSpace
from markdown_it.rules_block import StateBlock, list_block
from markdown_it.rules_block.html_block import HTML_SEQUENCES
from markdown_it.rules_core import StateCore
from markdown_it.rules_core.normalize import normalize
from markdown_it.rules_inline import StateInline
from markdown_it.rules_inline.emphasis import tokenize as emphasis
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.footnote import footnote_plugin

DEFAULT_EXCERPT_SEPARATOR = "<excerpt/>"
MARKDOWN, HTML = "markdown", "html"  # the formats a post's body is written in


def _normalize(state: StateCore):
    """markdown-it's own first rule, run only where it changes something: it rewrites every
    line ending by pattern, a twentieth of the parse of a long text that has no CR or NUL."""
    if "\r" in state.src or "\0" in state.src:
        normalize(state)


# kramdown's typographic symbols, tried in this order at each place in a text, and its quotes.
_TYPOGRAPHIC = re.compile(r"""---|--|\.\.\.|<< | >>|<<|>>|["']""")
_SYMBOLS = {
    "---": "—",
    "--": "–",
    "...": "…",
    "<< ": "«\u00a0",
    " >>": "\u00a0»",
    "<<": "«",
    ">>": "»",
}
# kramdown's smart quotes (its SQ_RULES) read Ruby's ASCII classes: \s, \w, \d.
_LEFT, _RIGHT = {'"': "“", "'": "‘"}, {'"': "”", "'": "’"}
_SPACE = " \t\n\v\f\r"
_OPENS_AFTER = " \t\n\r[{(-"  # after any other character a quote closes
# kramdown reads emphasis, code or a link from these first, so a quote after one is where its
# scan starts, with no character before it.
_SCAN_STARTS = "*_`["
_BEFORE_EMPHASIS = re.compile(r"[_*]{1,2}[^ \t\n\v\f\r]")
_BEFORE_PUNCTUATION = re.compile(r"""[!"#$%'()*+,\-./:;<=>?@[\\\]^_`{|}~](?!\.\.)\B""")
_ASCII_WORD = re.compile(r"[A-Za-z0-9_]")
_DECADE = re.compile(r"[0-9][0-9]s")
_BEFORE_END = re.compile(r"[ \t\n\v\f\r]|s\b|\Z")
_LOOKAHEAD = 3  # the most characters after a quote any rule reads


def _smart_quote(quote: str, before: str | None, text: str, at: int) -> tuple[str, int]:
    """kramdown's smart-quote rules in their order, for the quote just before text[at] with the
    character before it (None where kramdown's scan starts at the quote): the quotes it turns
    into, and how many characters after it a rule took with it."""
    start = before is None
    space = not start and before in _SPACE
    after = text[at : at + 1]
    if start and _BEFORE_EMPHASIS.match(text, at):
        return _LEFT[quote], 0
    if start and _BEFORE_PUNCTUATION.match(text, at):
        return _RIGHT[quote], 0
    # A double set opening a quotation: "'Quoted' words…"
    if (start or space) and after in _LEFT and after != quote and _ASCII_WORD.match(text, at + 1):
        return _LEFT[quote] + _LEFT[after], 1
    if (start or space) and quote == "'" and _DECADE.match(text, at):
        return _RIGHT[quote], 0
    if space and _ASCII_WORD.match(text, at):
        return _LEFT[quote], 0
    if start and after in _LEFT:
        return quote + _RIGHT[after], 1
    if not start and before not in _OPENS_AFTER:
        return _RIGHT[quote], 0
    if start and _BEFORE_END.match(text, at):
        return _RIGHT[quote], 0
    return _LEFT[quote], 0


def _typeset(content: str, before: str | None, tail: str) -> str:
    """A text's symbols and quotes as kramdown's scan turns them, left to right: `before` is
    the character before the text, `tail` what the author typed after it."""
    text, pieces, done = content + tail, [], 0
    for found in _TYPOGRAPHIC.finditer(content):
        start, mark = found.start(), found[0]
        if start < done:  # the second quote of a pair, already turned
            continue
        pieces.append(content[done:start])
        if mark in _SYMBOLS:
            pieces.append(_SYMBOLS[mark])
            done = found.end()
            continue
        previous = content[start - 1] if start > done else before if start == 0 else None
        if previous is not None and previous in _SCAN_STARTS:
            previous = None
        turned, taken = _smart_quote(mark, previous, text, start + 1)
        pieces.append(turned)
        done = start + 1 + taken
    pieces.append(content[done:])
    return "".join(pieces)


# What the author typed for a token, as far as a quote before it looks ahead.
_TYPED = {
    "softbreak": "\n",
    "hardbreak": "\n",
    "link_open": "[",
    "link_close": "](",
    "image": "![",
    "footnote_ref": "[^",
}


def _typed(token) -> str:
    """The start of what the author typed for a token, as far as a quote before it reads."""
    if token.info == "auto":
        return "<" if token.type == "link_open" else ">"
    if token.type in ("text", "html_inline"):
        return token.content
    if token.type == "code_inline":
        return token.markup + token.content
    return _TYPED.get(token.type, token.markup)


def _tail(tokens: list, index: int) -> str:
    """What the author typed after tokens[index], as far as a quote's rules read."""
    tail = ""
    for token in tokens[index + 1 : index + 1 + _LOOKAHEAD]:
        tail += _typed(token)
        if len(tail) >= _LOOKAHEAD:
            break
    return tail


def _kramdown_typography(state: StateCore):
    """kramdown's typographic symbols and smart quotes, in text only: code, HTML, autolinks and
    backslash escapes (``\\...``, ``\\"``) keep what the author typed. kramdown turns quotes as
    it scans the source, so a quote at the start of a block, or right after emphasis, a link,
    code or an escape, has no character before it; after a line break, a newline."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        tokens, in_autolink, before = block.children, False, None
        for index, token in enumerate(tokens):
            if token.type in ("link_open", "link_close") and token.info == "auto":
                in_autolink = token.type == "link_open"
            elif token.type == "text" and not in_autolink and _TYPOGRAPHIC.search(token.content):
                token.content = _typeset(token.content, before, _tail(tokens, index))
            before = "\n" if token.type in ("softbreak", "hardbreak") else None


# Hangul, CJK radicals and ideographs, kana, bopomofo, CJK symbols and punctuation, CJK
# compatibility and vertical forms, halfwidth and fullwidth forms.
_CJK = re.compile(
    "[\u1100-\u11ff\u2e80-\u2fff\u3000-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f"
    "\uac00-\ud7ff\uf900-\ufaff\ufe10-\ufe1f\ufe30-\ufe4f\uff00-\uffef"
    "\U0001b000-\U0001b16f\U00020000-\U0003ffff]"
)


def _kramdown_flanks(marker: str, before: str, after: str) -> tuple[bool, bool]:
    """Whether a run of `marker` opens and closes emphasis in kramdown: not against whitespace,
    and an underscore neither opens inside a word nor closes before one."""
    opens = not isWhiteSpace(ord(after))
    closes = not isWhiteSpace(ord(before))
    if marker == "_":
        opens = opens and not (before.isalnum() and after.isalnum())
        closes = closes and not after.isalnum()
    return opens, closes


def _cjk_emphasis(state: StateInline, silent: bool) -> bool:
    """CommonMark's emphasis, but a run of * or _ beside a CJK character opens and closes as in
    kramdown: flanking rules made for spaced scripts refuse ``**「引用」**です``."""
    start, known = state.pos, len(state.delimiters)
    if not emphasis(state, silent):
        return False
    before = state.src[start - 1] if start > 0 else " "
    after = state.src[state.pos] if state.pos < state.posMax else " "
    if _CJK.match(before) or _CJK.match(after):
        opens, closes = _kramdown_flanks(state.src[start], before, after)
        for delimiter in state.delimiters[known:]:
            delimiter.open, delimiter.close = opens, closes
    return True


_LONE_MARKER = re.compile(r"[*+-]|\d{1,9}[.)]")


def _lone_marker(state: StateBlock, line: int) -> bool:
    """A list marker alone on its line, often a section divider: kramdown starts a list item
    only where a space or tab follows the marker, so this is text."""
    start = state.bMarks[line] + state.tShift[line]
    return _LONE_MARKER.fullmatch(state.src, start, state.eMarks[line]) is not None


def _list(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """markdown-it's list, which never starts at a lone marker."""
    return not _lone_marker(state, start) and list_block(state, start, end, silent)


def _lone_marker_ends_list(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """A lone marker after a list item ends the list instead of adding an empty item to it."""
    return silent and _lone_marker(state, start)


# kramdown's content models: with markdown="1", these elements' content is read as Markdown
# blocks, these as one run of inline Markdown; any other element's stays raw HTML.
_BLOCK_CONTENT = {
    "address", "applet", "article", "aside", "blockquote", "body", "dd", "details", "div", "dl",
    "fieldset", "figure", "figcaption", "footer", "form", "header", "hgroup", "iframe", "li",
    "main", "map", "menu", "nav", "noscript", "object", "section", "summary", "td",
}  # fmt: skip
_SPAN_CONTENT = {
    "caption", "dt", "h1", "h2", "h3", "h4", "h5", "h6", "legend", "optgroup", "p", "th",
}  # fmt: skip
_OPENING_TAG = re.compile(
    r"<([A-Za-z][A-Za-z0-9-]*)"
    r"""((?:\s+[A-Za-z_:][\w.:-]*(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*>"""
)
_MARKDOWN_ATTRIBUTE = re.compile(r"""\s+markdown\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)


def _content_model(tag: str, value: str) -> str:
    """How kramdown reads an element's content by its markdown attribute: "block", "span" or
    "raw" (as "0", any other value, and "1" on an element of neither kind)."""
    if value == "1":
        return "block" if tag in _BLOCK_CONTENT else "span" if tag in _SPAN_CONTENT else "raw"
    return value if value in ("block", "span") else "raw"


def _line(state: StateBlock, line: int) -> str:
    return state.src[state.bMarks[line] + state.tShift[line] : state.eMarks[line]]


def _outside(state: StateBlock, line: int) -> bool:
    """A line that belongs to no block of the current container (a list item, a quote)."""
    return state.sCount[line] < state.blkIndent and not state.isEmpty(line)


def _element_end(state: StateBlock, tag: str, start: int, end: int) -> tuple[int, bool]:
    """The line after line `start` that begins with the element's closing tag (elements of the
    same name between counted), and whether there is one; unclosed, the element ends where its
    container does, as kramdown closes it."""
    opening = re.compile(rf"<{tag}(?=[\s/>])", re.IGNORECASE)
    closing = re.compile(rf"</{tag}\s*>", re.IGNORECASE)
    depth = 0
    for line in range(start + 1, end):
        if _outside(state, line):
            return line, False
        text = _line(state, line)
        if depth == 0 and closing.match(text):
            return line, True
        depth = max(0, depth + len(opening.findall(text)) - len(closing.findall(text)))
    return end, False


def _span_end(state: StateBlock, closing: re.Pattern, start: int, end: int) -> tuple[int, bool]:
    """The first line from line `start` on with the closing tag, and whether there is one."""
    for line in range(start, end):
        if line > start and _outside(state, line):
            return line, False
        if closing.search(_line(state, line)):
            return line, True
    return end, False


def _push_html(state: StateBlock, content: str, nesting: int, lines: list[int]):
    token = state.push("html_block", "", nesting)
    token.content = content
    token.map = lines


def _markdown_html(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """An HTML element opening a line with markdown="1" (or "block", "span") has Markdown in it,
    as in kramdown: its tags are kept without that attribute around its content read as
    blocks or as inline text. Raw content stays CommonMark's HTML block."""
    if state.is_code_block(start) or not state.md.options.get("html"):
        return False
    line_end = state.eMarks[start]
    tag = _OPENING_TAG.match(state.src, state.bMarks[start] + state.tShift[start], line_end)
    attribute = tag and _MARKDOWN_ATTRIBUTE.search(tag[2])
    if not attribute:
        return False
    name = tag[1].lower()
    model = _content_model(name, attribute[1] if attribute[1] is not None else attribute[2])
    # kramdown reads blocks from the line after the opening tag.
    if model == "raw" or (model == "block" and state.src[tag.end() : line_end].strip()):
        return False
    if not silent:
        opening = f"<{tag[1]}{_MARKDOWN_ATTRIBUTE.sub('', tag[2], count=1)}>"
        read = _markdown_blocks if model == "block" else _markdown_span
        read(state, name, opening, start, end)
    return True


def _markdown_blocks(state: StateBlock, name: str, opening: str, start: int, end: int):
    """The element's tags around its lines read as Markdown blocks."""
    close, closed = _element_end(state, name, start, end)
    _push_html(state, opening + "\n", 1, [start, start + 1])
    line_max, state.lineMax = state.lineMax, close
    state.md.block.tokenize(state, start + 1, close)
    state.lineMax = line_max
    closing = _line(state, close) if closed else f"</{name}>"
    _push_html(state, closing + "\n", -1, [close, close + closed])
    state.line = close + closed


def _markdown_span(state: StateBlock, name: str, opening: str, start: int, end: int):
    """The element's tags around its content, to the first closing tag, read as inline text."""
    closing = re.compile(rf"</{name}\s*>", re.IGNORECASE)
    close, closed = _span_end(state, closing, start, end)
    last = close + closed
    lines = state.getLines(start, last, state.blkIndent, False).lstrip()
    inner = lines[_OPENING_TAG.match(lines).end() :]
    found = closing.search(inner)
    content, rest = (inner[: found.start()], inner[found.start() :]) if found else (inner, "")
    _push_html(state, opening, 1, [start, start + 1])
    token = state.push("inline", "", 0)
    token.content = content.strip()
    token.map = [start, last]
    token.children = []
    _push_html(state, (rest or f"</{name}>") + "\n", -1, [close, last])
    state.line = last


# The HTML blocks CommonMark ends only at a blank line: those opened by a block-level tag, and
# a line of one complete tag (the others end at their own end markers: </script>, -->…).
_BLANK_ENDED_HTML = [opening for opening, closing, _ in HTML_SEQUENCES if closing.pattern == "^$"]
_VOID_TAG = re.compile(
    r"<(?:area|br|col|embed|hr|img|input|source|track|wbr)\b[^<>]*/?>\s*", re.IGNORECASE
)


_CLOSING_TAG = re.compile(r"</[A-Za-z][A-Za-z0-9-]*\s*>\s*")
_CLOSING_NAME = re.compile(r"</([A-Za-z][A-Za-z0-9-]*)")


@functools.lru_cache(maxsize=4)
def _last_closing(source: str) -> dict[str, int]:
    """Where each element's last closing tag is in the source, read once per text: an element
    opened after its last closing tag is never closed, and no line need be searched for one."""
    return {match[1].lower(): match.start() for match in _CLOSING_NAME.finditer(source)}


def _kramdown_html_block(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """An HTML block ends where its element does, as in kramdown: the Markdown on the lines
    after `<div>…</div>` or `<br/>` is read as Markdown, where CommonMark would keep every line
    up to the next blank one as HTML (a heading after a one-line div shows as "###")."""
    if state.is_code_block(start) or not state.md.options.get("html"):
        return False
    text = _line(state, start)
    tag = _OPENING_TAG.match(text)
    if not any(opening.search(text) for opening in _BLANK_ENDED_HTML):
        return False
    alone = _VOID_TAG.fullmatch(text) or _CLOSING_TAG.fullmatch(text)
    if tag is None and not alone:
        return False
    last = start
    if not alone:
        name = tag[1].lower()
        if not re.search(rf"</{name}\s*>\s*$", text, re.IGNORECASE):
            if _last_closing(state.src).get(name, -1) < state.eMarks[start]:
                return False
            last, closed = _element_end(state, name, start, end)
            if not closed or not re.fullmatch(rf"</{name}\s*>\s*", _line(state, last), re.I):
                return False
    following = last + 1
    if following >= end or state.isEmpty(following) or _outside(state, following):
        return False  # CommonMark's block ends here too
    if _line(state, following).startswith("<"):
        return False  # more HTML, kept in one block (indented, it would read as code)
    if not silent:
        content = state.getLines(start, following, state.blkIndent, True)
        _push_html(state, content, 0, [start, following])
    state.line = following
    return True


_md = (
    MarkdownIt("commonmark", {"html": True})
    .enable(["table", "strikethrough"])
    .use(footnote_plugin)
    .use(anchors_plugin, min_level=1, max_level=6)
)
_plugin_backlink = _md.renderer.rules["footnote_anchor"]


def _footnote_number(self, tokens: list, index: int, options, env) -> str:
    """A footnote reference reads as its bare number, as in kramdown, each time it recurs."""
    return str(tokens[index].meta["id"] + 1)


def _footnote_backlink(self, tokens: list, index: int, options, env) -> str:
    """kramdown's back link: a no-break space and ↩ (without the variation selector
    markdown-it adds), numbered from a note's second reference on."""
    repeat = tokens[index].meta["subId"]
    mark = "↩" + (f"<sup>{repeat + 1}</sup>" if repeat else "")
    link = _plugin_backlink(tokens, index, options, env).replace("↩\ufe0e", mark)
    return "\u00a0" + link.removeprefix(" ")


_md.add_render_rule("footnote_caption", _footnote_number)
_md.add_render_rule("footnote_anchor", _footnote_backlink)
_md.core.ruler.at("normalize", _normalize)
_md.core.ruler.before("text_join", "kramdown_typography", _kramdown_typography)
_md.inline.ruler.at("emphasis", _cjk_emphasis)
_md.block.ruler.at("list", _list, {"alt": ["paragraph", "reference", "blockquote"]})
_md.block.ruler.before("list", "lone_list_marker", _lone_marker_ends_list, {"alt": ["list"]})
_md.block.ruler.before(
    "html_block", "markdown_html", _markdown_html, {"alt": ["paragraph", "reference", "blockquote"]}
)
_md.block.ruler.before(
    "html_block",
    "kramdown_html_block",
    _kramdown_html_block,
    {"alt": ["paragraph", "reference", "blockquote"]},
)

_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_TAGS = _HEADINGS | {
    "p", "br", "hr", "strong", "em", "b", "i", "u", "s", "del", "ins", "mark", "sub", "sup",
    "small", "blockquote", "q", "cite", "abbr", "code", "pre", "kbd", "samp", "var",
    "ul", "ol", "li", "dl", "dt", "dd", "a", "img", "figure", "figcaption", "iframe",
    "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "section", "span", "div",
}  # fmt: skip
_ATTRIBUTES = {
    **{h: {"id"} for h in _HEADINGS},
    "a": {"href", "title", "id", "class"},
    "img": {"src", "alt", "title", "width", "height"},
    "iframe": {"src", "title"},
    "abbr": {"title"},
    "ol": {"start", "class"},
    "li": {"id", "class"},
    "th": {"style"},
    "td": {"style"},
    "code": {"class"},
    "sup": {"class"},
    "section": {"class"},
    "hr": {"class"},
    "figure": {"class"},
}
# The class names markdown-it-footnote emits, and a video embed's, per element.
_CLASSES = {
    "a": {"footnote-backref"},
    "hr": {"footnotes-sep"},
    "li": {"footnote-item"},
    "ol": {"footnotes-list"},
    "section": {"footnotes"},
    "sup": {"footnote-ref"},
    "figure": {"video"},
}
_LANGUAGE_CLASS = re.compile(r"language-[a-z0-9_+-]+", re.IGNORECASE)
_HEADING_ID = re.compile(r"[\w-]+")
_FOOTNOTE_ID = re.compile(r"fn(ref)?\d+(:\d+)?")
# The players' privacy-enhanced forms: no cookies until a reader plays, no tracking (dnt).
_VIDEO_PLAYER = re.compile(
    r"https://www\.youtube-nocookie\.com/embed/[A-Za-z0-9_-]{6,20}(?:\?start=\d+)?"
    r"|https://player\.vimeo\.com/video/\d+\?dnt=1"
)
# As markdown-it counts lines; str.splitlines() also breaks on \f, \x1c, U+2028...
_LINE_END = re.compile(r"\r\n|\r|\n")
_TABLE_ALIGN = {"text-align:left", "text-align:right", "text-align:center"}


def _attribute_filter(tag: str, attr: str, value: str) -> str | None:
    """Keep only the class, id and style values the renderer itself produces, and a frame's
    src only where it is a video player's."""
    if attr == "class":
        if tag == "code":
            allowed = [c for c in value.split() if _LANGUAGE_CLASS.fullmatch(c)]
        else:
            allowed = [c for c in value.split() if c in _CLASSES.get(tag, ())]
        return " ".join(allowed) or None
    if attr == "id":
        pattern = _HEADING_ID if tag in _HEADINGS else _FOOTNOTE_ID
        return value if pattern.fullmatch(value) else None
    if attr == "style":
        return value if value in _TABLE_ALIGN else None
    if tag == "iframe" and attr == "src":
        return value if _VIDEO_PLAYER.fullmatch(value) else None
    return value


_cleaner = nh3.Cleaner(
    tags=_TAGS,
    attributes=_ATTRIBUTES,
    attribute_filter=_attribute_filter,
    # Relative URLs and #fragments pass; data: is refused everywhere because it can carry HTML/SVG.
    url_schemes={"http", "https", "mailto"},
    link_rel="noopener noreferrer",
    strip_comments=True,
    # These lose their content too, since their text is code or markup rather than prose.
    clean_content_tags={
        "script", "style", "noscript", "noembed", "noframes", "template", "textarea", "xmp",
        "object", "embed", "svg", "math", "title",
    },
    tag_attribute_values={"iframe": {"loading": {"lazy"}, "allowfullscreen": {""}}},
)  # fmt: skip
# A frame as the cleaner writes it: its attributes double-quoted, its content raw text up to
# its end tag.
_FRAME = re.compile(r'<iframe((?: [^\s="]+="[^"]*")*)>.*?</iframe>', re.DOTALL)
# Whatever the source says, a player may run its own scripts but not navigate the page, and
# learns only which site it is on. (The cleaner's set_tag_attribute_values would write these in
# an order that changes from run to run.)
_FRAME_POLICY = (
    ' sandbox="allow-scripts allow-same-origin allow-presentation allow-popups"'
    ' referrerpolicy="strict-origin-when-cross-origin"'
)


def _frame(found: re.Match) -> str:
    """A frame left with a player's src, under the policy and emptied: its content is shown by
    no browser, and is raw text that would otherwise read as markup."""
    return f"<iframe{found[1]}{_FRAME_POLICY}></iframe>" if ' src="' in found[1] else ""


def _clean(fragment: str) -> str:
    """HTML through the allowlist; a frame the filter left without a src goes altogether."""
    cleaned = _cleaner.clean(fragment)
    return _FRAME.sub(_frame, cleaned) if "<iframe" in cleaned else cleaned


def _html(source: str, env: dict) -> str:
    return _clean(_md.render(source, env))


def render(source: str) -> str:
    """Markdown -> sanitised HTML. The admin live preview and every stored *_html field use this."""
    return _html(source, {})


def render_html(source: str) -> str:
    """HTML (a post written in it, as Jekyll's .html posts are) -> sanitised HTML, read as
    Jekyll reads it: as it stands, with no typography."""
    return _clean(source)


def split_excerpt(body: str, separator: str = DEFAULT_EXCERPT_SEPARATOR) -> tuple[str | None, str]:
    """Cut at the first exact occurrence of the separator; no cut without one. A marker is
    removed, its line breaks kept so that no two blocks join; a separator of whitespace alone
    (Jekyll's blank line) is the text's own and stays."""
    if not separator or separator not in body:
        return None, body
    head, _, tail = body.partition(separator)
    if not separator.strip():
        return head, body
    return head, head + "".join(_LINE_END.findall(separator)) + tail


def first_paragraph(source: str) -> str:
    """The first run of non-blank lines: what Jekyll's default separator, a blank line, cuts."""
    lines: list[str] = []
    for line in _LINE_END.split(source):
        if line.strip(" \t"):
            lines.append(line)
        elif lines:
            break
    return "\n".join(lines)


def excerpt_source(body: str, excerpt: str = "", separator: str = DEFAULT_EXCERPT_SEPARATOR) -> str:
    """The Markdown (or HTML) an excerpt is rendered from: an explicit excerpt wins, then the
    text before the separator, then the first paragraph."""
    if excerpt.strip():
        return excerpt
    cut, _ = split_excerpt(body, separator)
    return first_paragraph(body) if cut is None else cut


WORDS_PER_MINUTE = 230
_TAG = re.compile(r"<[^>]*>")
# Tags that start or end a block, or break a line, are a space ("<li>one</li><li>two" is two
# words); any other tag is nothing ("un<em>seen</em>" is one).
_BLOCK_TAG = re.compile(
    r"</?(?:address|article|aside|blockquote|br|caption|dd|div|dl|dt|figcaption|figure|footer"
    r"|h[1-6]|header|hr|li|ol|p|pre|section|table|tbody|td|tfoot|th|thead|tr|ul)\b[^>]*>",
    re.IGNORECASE,
)
# A word: letters or digits, with inner hyphens and apostrophes ("don't", "well-known").
_WORD = re.compile(r"\w+(?:[-'’]\w+)*")
# Search engines show about this many characters of a description.
DESCRIPTION_LENGTH = 160


def plain_text(fragment: str) -> str:
    """HTML as the text a reader reads, on one line: blocks apart, inline markup joined, entities
    decoded, attributes (alt text, URLs) left out, words one space apart."""
    return " ".join(_plain_pieces(fragment))


def _plain_pieces(fragment: str) -> list[str]:
    """The whitespace-separated pieces of plain_text()."""
    return html.unescape(_TAG.sub("", _BLOCK_TAG.sub(" ", fragment))).split()


def word_count(fragment: str) -> int:
    """The words of plain_text(): what the reading time and the content checks count."""
    pieces = _plain_pieces(fragment)
    # A piece of letters and digits alone is one word; only the others need the pattern, which
    # never matches across the spaces that join them.
    others = list(filterfalse(str.isalnum, pieces))
    return len(pieces) - len(others) + len(_WORD.findall(" ".join(others)))


def description(fragment: str, length: int = DESCRIPTION_LENGTH) -> str:
    """HTML (or plain text) as a meta description: its plain text, cut at a word."""
    text = plain_text(fragment)
    if len(text) <= length:
        return text
    return text[:length].rsplit(" ", 1)[0].rstrip(",;:.") + "…"


def reading_minutes(words: int) -> int:
    """Words / 230, rounded to the nearest minute (halves up), and never less than one."""
    return max(1, (2 * words + WORDS_PER_MINUTE) // (2 * WORDS_PER_MINUTE))


# A table of contents is worth printing from this many <h2>/<h3> headings.
TOC_MIN_HEADINGS = 3
_VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


# In sanitised HTML every "<" opens a tag (text and attribute values escape it) and every
# attribute value is double-quoted: a tag, or the text up to the next one.
_MARKUP = re.compile(r"<(/?)([a-zA-Z][^\t\n\r\f />\x00]*)([^>]*)>|[^<]+|<")
_ATTRIBUTE = re.compile(r'([^\s="]+)="([^"]*)"')
# Where a heading's reading can begin: nothing else between headings changes what is read.
_HEADING_OR_REFERENCE = re.compile(r"<(?:h[23]|sup)[\s>]")


class _HeadingReader:
    """Body HTML's <h2>/<h3> headings that carry an id, as text."""

    def __init__(self):
        self.headings: list[dict] = []
        self._heading: dict | None = None
        self._skip_depth = 0  # inside a footnote reference: its number is not heading text

    def read(self, body_html: str):
        """Read from each heading or footnote reference until it is over: the paragraphs
        between, most of a body, are skipped unread."""
        position = 0
        while found := _HEADING_OR_REFERENCE.search(body_html, position):
            position = len(body_html)
            for token in _MARKUP.finditer(body_html, found.start()):
                closing, tag, attributes = token.groups()
                if tag is None:
                    self.handle_data(html.unescape(token[0]))
                elif closing:
                    self.handle_endtag(tag.lower())
                else:
                    pairs = _ATTRIBUTE.findall(attributes)
                    self.handle_starttag(tag.lower(), [(n, html.unescape(v)) for n, v in pairs])
                if self._heading is None and not self._skip_depth:
                    position = token.end()
                    break

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self._skip_depth:
            self._skip_depth += tag not in _VOID
        elif tag == "sup" and "footnote-ref" in (attrs.get("class") or "").split():
            self._skip_depth = 1
        elif tag in ("h2", "h3") and attrs.get("id"):
            self._heading = {"id": attrs["id"], "text": "", "level": int(tag[1])}

    def handle_endtag(self, tag):
        if self._skip_depth:
            self._skip_depth -= 1
        elif self._heading is not None and tag == f"h{self._heading['level']}":
            self._heading["text"] = " ".join(self._heading["text"].split())
            if self._heading["text"]:
                self.headings.append(self._heading)
            self._heading = None

    def handle_data(self, data):
        if self._heading is not None and not self._skip_depth:
            self._heading["text"] += data


def table_of_contents(body_html: str) -> list[dict]:
    """The body's headings as a tree, each <h3> under the <h2> before it ({"id", "text",
    "children"}), or [] for a short piece. Stored with the post: pages only print it."""
    reader = _HeadingReader()
    reader.read(body_html)
    if len(reader.headings) < TOC_MIN_HEADINGS:
        return []
    top = min(heading["level"] for heading in reader.headings)
    tree: list[dict] = []
    for heading in reader.headings:
        entry = {"id": heading["id"], "text": heading["text"], "children": []}
        if heading["level"] > top and tree:
            tree[-1]["children"].append(entry)
        else:
            tree.append(entry)
    return tree


def counted(number: int, noun: str, plural: str | None = None) -> str:
    """A number and its noun: "1 image", "2 images"; `plural` for a noun that takes more than an s
    ("3 people")."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


def render_post(
    body: str,
    excerpt: str = "",
    separator: str = DEFAULT_EXCERPT_SEPARATOR,
    body_format: str = MARKDOWN,
) -> tuple[str, str]:
    """A post's body and excerpt as HTML. An explicit excerpt wins, then the text before the
    separator, then the first paragraph; a body in HTML is only sanitised."""
    ahead = _rendered_ahead.get()
    source = (body, excerpt, separator, body_format)
    if ahead and source in ahead:
        return ahead[source]
    if body_format == HTML:
        return _html_post(body, excerpt, separator)
    if body_format != MARKDOWN:
        raise ValueError(f"A post's body is {MARKDOWN} or {HTML}, not {body_format!r}.")
    return _markdown_post(body, excerpt, separator)


def _markdown_post(body: str, excerpt: str, separator: str) -> tuple[str, str]:
    _, body_source = split_excerpt(body, separator)
    env: dict = {}
    body_html = _html(body_source, env)
    # Reference-style links in the excerpt resolve against the body's definitions, as in Jekyll.
    references = {"references": env.get("references", {})}
    excerpt_html = _html(excerpt_source(body, excerpt, separator), references)
    return body_html, excerpt_html


def _html_post(body: str, excerpt: str, separator: str) -> tuple[str, str]:
    """Where no excerpt is given or marked, an HTML post's is the first block of its first
    paragraph: HTML often has no blank line between its paragraphs."""
    cut, body_source = split_excerpt(body, separator)
    excerpt_html = render_html(excerpt_source(body, excerpt, separator))
    if cut is None and not excerpt.strip():
        excerpt_html = _first_block(excerpt_html)
    return render_html(body_source), excerpt_html


def _first_block(fragment: str) -> str:
    """Sanitised HTML up to the end of its first top-level block element, or, where text comes
    first, up to the block after it."""
    depth, text_first = 0, False
    for token in _MARKUP.finditer(fragment):
        closing, tag, _ = token.groups()
        block = tag is not None and tag.lower() != "br" and _BLOCK_TAG.fullmatch(token[0])
        if not block:
            text_first = text_first or (depth == 0 and not token[0].isspace())
        elif depth == 0 and text_first:
            return fragment[: token.start()]
        elif closing:
            depth -= 1
            if depth == 0:
                return fragment[: token.end()]
        elif tag.lower() not in _VOID:
            depth += 1
    return fragment


Source = tuple[str, str, str] | tuple[str, str, str, str]


def _with_format(source: Source) -> tuple[str, str, str, str]:
    """(body, excerpt, separator, body_format), a source of three being in Markdown."""
    return source if len(source) == 4 else (*source, MARKDOWN)


def render_posts(sources: list[Source]) -> list[tuple[str, str]]:
    """render_post() of each (body, excerpt, separator[, body_format]): a batch's worth, for
    another process."""
    return [render_post(*source) for source in sources]


_rendered_ahead: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "rendered_ahead", default=None
)


@contextlib.contextmanager
def rendered_ahead(renderings: dict[Source, tuple[str, str]]):
    """Within, render_post() of one of these (body, excerpt, separator[, body_format]) sources
    gives the rendering render_posts() made of it elsewhere (in another process) instead of
    rendering it again."""
    token = _rendered_ahead.set({_with_format(s): html for s, html in renderings.items()})
    try:
        yield
    finally:
        _rendered_ahead.reset(token)
