"""Markdown to safe HTML, the only module that imports markdown-it or nh3, and the text read
back out of it: plain text, word counts, reading time, meta descriptions, counted nouns.

Every stored ``*_html`` field and the admin live preview come from ``render()``,
so what an editor previews is byte for byte what readers get.
"""

import contextlib
import contextvars
import html
import re
from itertools import filterfalse

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.rules_core.normalize import normalize
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.footnote import footnote_plugin

DEFAULT_EXCERPT_SEPARATOR = "<excerpt/>"


def _normalize(state: StateCore):
    """markdown-it's own first rule, run only where it changes something: it rewrites every
    line ending by pattern, a twentieth of the parse of a long text that has no CR or NUL."""
    if "\r" in state.src or "\0" in state.src:
        normalize(state)


_md = (
    MarkdownIt("commonmark", {"typographer": True, "html": True})
    .enable(["table", "strikethrough", "replacements", "smartquotes"])
    .use(footnote_plugin)
    .use(anchors_plugin, min_level=1, max_level=6)
)
_md.core.ruler.at("normalize", _normalize)

_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_TAGS = _HEADINGS | {
    "p", "br", "hr", "strong", "em", "b", "i", "u", "s", "del", "ins", "mark", "sub", "sup",
    "small", "blockquote", "q", "cite", "abbr", "code", "pre", "kbd", "samp", "var",
    "ul", "ol", "li", "dl", "dt", "dd", "a", "img", "figure", "figcaption",
    "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "section", "span", "div",
}  # fmt: skip
_ATTRIBUTES = {
    **{h: {"id"} for h in _HEADINGS},
    "a": {"href", "title", "id", "class"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "ol": {"start", "class"},
    "li": {"id", "class"},
    "th": {"style"},
    "td": {"style"},
    "code": {"class"},
    "sup": {"class"},
    "section": {"class"},
    "hr": {"class"},
}
# The class names markdown-it-footnote emits, per element.
_FOOTNOTE_CLASSES = {
    "a": {"footnote-backref"},
    "hr": {"footnotes-sep"},
    "li": {"footnote-item"},
    "ol": {"footnotes-list"},
    "section": {"footnotes"},
    "sup": {"footnote-ref"},
}
_LANGUAGE_CLASS = re.compile(r"language-[a-z0-9_+-]+", re.IGNORECASE)
_HEADING_ID = re.compile(r"[\w-]+")
_FOOTNOTE_ID = re.compile(r"fn(ref)?\d+(:\d+)?")
# As markdown-it counts lines; str.splitlines() also breaks on \f, \x1c, U+2028...
_LINE_END = re.compile(r"\r\n|\r|\n")
_TABLE_ALIGN = {"text-align:left", "text-align:right", "text-align:center"}


def _attribute_filter(tag: str, attr: str, value: str) -> str | None:
    """Keep only the class, id and style values the renderer itself produces."""
    if attr == "class":
        if tag == "code":
            allowed = [c for c in value.split() if _LANGUAGE_CLASS.fullmatch(c)]
        else:
            allowed = [c for c in value.split() if c in _FOOTNOTE_CLASSES.get(tag, ())]
        return " ".join(allowed) or None
    if attr == "id":
        pattern = _HEADING_ID if tag in _HEADINGS else _FOOTNOTE_ID
        return value if pattern.fullmatch(value) else None
    if attr == "style":
        return value if value in _TABLE_ALIGN else None
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
        "iframe", "object", "embed", "svg", "math", "title",
    },
)  # fmt: skip


def _html(source: str, env: dict) -> str:
    return _cleaner.clean(_md.render(source, env))


def render(source: str) -> str:
    """Markdown -> sanitised HTML. The admin live preview and every stored *_html field use this."""
    return _html(source, {})


def split_excerpt(body: str, separator: str = DEFAULT_EXCERPT_SEPARATOR) -> tuple[str | None, str]:
    """Cut at the first exact occurrence of the separator, which is removed; no cut without one."""
    if not separator or separator not in body:
        return None, body
    head, _, tail = body.partition(separator)
    return head, head + tail


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
    """The Markdown an excerpt is rendered from: an explicit excerpt wins, then the text before
    the separator, then the first paragraph."""
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
        self._skip_depth = 0  # inside a footnote reference: "[1]" is no part of a heading's text

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
    body: str, excerpt: str = "", separator: str = DEFAULT_EXCERPT_SEPARATOR
) -> tuple[str, str]:
    """An explicit excerpt wins, then the text before the separator, then the first paragraph."""
    ahead = _rendered_ahead.get()
    if ahead and (body, excerpt, separator) in ahead:
        return ahead[body, excerpt, separator]
    _, body_source = split_excerpt(body, separator)
    env: dict = {}
    body_html = _html(body_source, env)
    # Reference-style links in the excerpt resolve against the body's definitions, as in Jekyll.
    references = {"references": env.get("references", {})}
    excerpt_html = _html(excerpt_source(body, excerpt, separator), references)
    return body_html, excerpt_html


def render_posts(sources: list[tuple[str, str, str]]) -> list[tuple[str, str]]:
    """render_post() of each (body, excerpt, separator): a batch's worth, for another process."""
    return [render_post(*source) for source in sources]


_rendered_ahead: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "rendered_ahead", default=None
)


@contextlib.contextmanager
def rendered_ahead(renderings: dict[tuple[str, str, str], tuple[str, str]]):
    """Within, render_post() of one of these (body, excerpt, separator) sources gives the
    rendering render_posts() made of it elsewhere (in another process) instead of rendering it
    again."""
    token = _rendered_ahead.set(renderings)
    try:
        yield
    finally:
        _rendered_ahead.reset(token)
