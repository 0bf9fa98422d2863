"""The text search reads and shows: a reader's query made safe, CJK made searchable, snippets
made safe HTML.

Snippets come back from the database with private-use characters around the matched words; the
text is escaped and only then are those characters turned into `<mark>`, so a snippet is safe HTML.

CJK: FTS5's unicode61 tokenizer reads a run of Han or kana (or a Hangul word) as one token, so
on SQLite each such character is indexed, and searched, as a token of its own (a zero-width space
on either side, which the tokenizer treats as a separator and snippets drop): a search for
"中国" is the phrase "中 国" and finds it inside any longer run. PostgreSQL's parser also reads a
run as one word, and nothing is done about it there: a CJK word is found where it stands apart
(between spaces or punctuation, or as a whole tag), not inside a longer run.
"""

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# A query longer than this is cut: nobody types more, and a long one only costs time.
MAX_QUERY_LENGTH = 200
# Around the matched words in snippets, until they are escaped and become <mark>.
START, STOP = "\ue000", "\ue001"
# PostgreSQL's parser reads "<word>" as an HTML tag, which ts_headline leaves out: in the text
# it cuts snippets from, "<" and ">" are these until the snippet is escaped.
LT, GT = "\ue002", "\ue003"
ELLIPSIS = "…"

ZERO_WIDTH_SPACE = "\u200b"
# Scripts written without spaces between words (Han, kana) and Hangul syllables.
_CJK = re.compile(
    "[\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
    "\uff66-\uff9f\U00020000-\U0003134f]"
)
# Control characters (NUL among them) and our own delimiters never reach the database.
_UNWANTED = re.compile(f"[\x00-\x1f\x7f{START}{STOP}{LT}{GT}]")
_MARKED = re.compile(f"{START}(.*?){STOP}", re.DOTALL)


def single_spaced(text: str | None) -> str:
    """Text without control characters or our delimiters, its words one space apart."""
    text = text or ""
    if not text.isprintable():  # as is every unwanted character, and all whitespace but " "
        text = _UNWANTED.sub(" ", text)
    elif "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text  # already single-spaced, as a body's plain text is
    return " ".join(text.split())


def clean_query(raw: str) -> str:
    """What a reader typed, made safe to search for and to show: no control characters, single
    spaces, at most MAX_QUERY_LENGTH characters."""
    return single_spaced(raw)[:MAX_QUERY_LENGTH].strip()


def fts5_query(query: str) -> str:
    """Every word as an FTS5 string ("word", inner quotes doubled), all of them required.

    Nothing a reader types is FTS5 syntax: AND, NEAR, *, ^, :, ( ) and quotes are plain text, and
    a word of punctuation alone is an empty string, which FTS5 ignores.
    """
    words = (segment(word) for word in query.split())
    return " ".join('"' + word.replace('"', '""') + '"' for word in words)


def segment(text: str) -> str:
    """Each CJK character made a token of its own for FTS5 (see the module's docstring)."""
    if text.isascii():  # the usual case, checked far faster than the pattern scans
        return text
    return _CJK.sub(lambda match: f"{ZERO_WIDTH_SPACE}{match[0]}{ZERO_WIDTH_SPACE}", text)


def highlight(snippet: str | None) -> SafeString:
    """A snippet from the database as safe HTML: escaped, with the matched words in <mark>."""
    text = (snippet or "").replace(ZERO_WIDTH_SPACE, "").replace(LT, "<").replace(GT, ">")
    text = " ".join(text.split())
    marked = _MARKED.sub(r"<mark>\1</mark>", escape(text))
    return mark_safe(marked.replace(START, "").replace(STOP, ""))


def best_snippet(*snippets: str | None) -> SafeString:
    """The first snippet that shows a match, else the first that shows anything."""
    candidates = [snippet for snippet in snippets if snippet and snippet.strip()]
    chosen = next((s for s in candidates if START in s), candidates[0] if candidates else "")
    return highlight(chosen)
