"""What listing pages print besides the posts themselves: reading times, page links and metadata.

Nothing here queries the database: it reads posts a listing fetched with `for_listing()`.
"""

import html
import re
import unicodedata
from dataclasses import dataclass

from .article import count_words, reading_minutes
from .models import META_DESCRIPTION_LENGTH

# A start or end tag, a comment or a doctype.
_TAG = re.compile(r"<[^>]*>")


def word_count(body_html: str) -> int:
    """The words a reader reads in sanitised HTML: each tag a space (so "<li>one</li><li>two"
    is two words), entities decoded."""
    return count_words(html.unescape(_TAG.sub(" ", body_html)))


def reading_time(post) -> int:
    """Minutes to read the post, the same figure its own page gives."""
    return reading_minutes(word_count(post.body_html))


# Where one block of text ends and the next begins: a space, so "<p>a</p><p>b</p>" reads "a b".
_BLOCK_END = re.compile(r"</(?:p|li|h[1-6]|blockquote|div|dd|dt|td|th|pre|figcaption)>|<br\s*/?>")


def plain_text(text: str, length: int = META_DESCRIPTION_LENGTH) -> str:
    """HTML (or plain text) as one line of plain text for a meta description, cut at a word."""
    text = " ".join(html.unescape(_TAG.sub("", _BLOCK_END.sub(" ", text))).split())
    if len(text) <= length:
        return text
    return text[:length].rsplit(" ", 1)[0].rstrip(",;:.") + "…"


def with_page(description: str, number: int, count: int) -> str:
    """A later page's description says which page it is, so no two pages share one."""
    if description and not description.endswith((".", "!", "?", "…")):
        description += "."
    return f"{description} Page {number} of {count}.".strip()


def alphabetical(name: str) -> tuple[str, str]:
    """A sort key that files "Émile" under E, with "emile" and "Emile", whatever the case."""
    letters = "".join(
        c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c)
    )
    return letters.casefold(), name


@dataclass(frozen=True)
class PageLink:
    """One entry of a listing's page numbers: a page (its number and link) or a gap."""

    number: int | None
    href: str = ""
    current: bool = False

    @property
    def is_gap(self) -> bool:
        return self.number is None


def page_href(path: str, number: int) -> str:
    """A link to a listing's page from any of its pages: the listing's own path for page 1 (never
    "?page=1": one page, one URL), else "?page=N"."""
    return path if number == 1 else f"?page={number}"


def page_links(page, path: str, on_each_side: int = 2, on_ends: int = 1) -> list[PageLink]:
    """The page numbers to show around the current one, with gaps when there are many:
    1 … 4 5 [6] 7 8 … 20. `path` is the listing's, URL-encoded."""
    paginator = page.paginator
    links = []
    for number in paginator.get_elided_page_range(
        page.number, on_each_side=on_each_side, on_ends=on_ends
    ):
        if number == paginator.ELLIPSIS:
            links.append(PageLink(None))
        else:
            links.append(PageLink(number, page_href(path, number), number == page.number))
    return links
