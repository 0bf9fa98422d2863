"""What listing pages print besides the posts themselves: page links, metadata and month names.

Nothing here queries the database: it reads posts a listing fetched with `for_listing()`.
"""

import unicodedata
from dataclasses import dataclass

# In English whatever the server's locale, as Jekyll's permalinks and the citation styles name them.
MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def month_title(day) -> str:
    """The month of a date as archives and the editorial calendar head it: "May 2025"."""
    return f"{MONTHS[day.month - 1]} {day.year}"


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
