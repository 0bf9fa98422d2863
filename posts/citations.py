"""How to cite a post: Chicago and APA references for the article page, and a BibTeX entry for
download, with the names in its byline read into given and family names for each style."""

import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.utils.html import format_html
from django.utils.safestring import SafeString

from .listings import MONTHS
from .models import Post

# Names ---------------------------------------------------------------------------------------

# Lower-case particles that belong to the family name ("Ludwig van Beethoven", "Charles de Gaulle").
_PARTICLES = {
    "al", "bin", "binti", "da", "das", "de", "degli", "dei", "del", "della", "der", "di", "do",
    "dos", "du", "el", "la", "le", "ten", "ter", "van", "vande", "vanden", "vander", "von", "zu",
}  # fmt: skip
_SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv", "v"}


@dataclass(frozen=True)
class Name:
    given: str  # "Martin Luther"; "" for a single name ("Plato") or an organisation
    family: str  # "King", "van der Berg"
    suffix: str = ""  # "Jr."

    @classmethod
    def parse(cls, full: str) -> "Name":
        """A name written "First Last", "First von Last, Jr." or "Last, First"."""
        full = " ".join(full.split())
        suffix = ""
        if "," in full:
            head, _, tail = full.rpartition(",")
            if tail.strip().lower() in _SUFFIXES:
                full, suffix = head.strip(), tail.strip()
        if "," in full:
            family, _, given = full.partition(",")
            return cls(given.strip(), family.strip(), suffix)
        words = full.split(" ")
        if not suffix and len(words) > 2 and words[-1].lower() in _SUFFIXES:
            suffix = words.pop()
        if len(words) == 1:
            return cls("", words[0], suffix)
        start = len(words) - 1
        while start > 1 and words[start - 1] in _PARTICLES:
            start -= 1
        return cls(" ".join(words[:start]), " ".join(words[start:]), suffix)

    @property
    def inverted(self) -> str:
        """Chicago's first name in a list: "King, Martin Luther, Jr."."""
        parts = [self.family, self.given, self.suffix]
        return ", ".join(part for part in parts if part)

    @property
    def natural(self) -> str:
        """Chicago's later names: "Martin Luther King Jr."."""
        return " ".join(part for part in (self.given, self.family, self.suffix) if part)

    @property
    def initials(self) -> str:
        """APA's given names: "Martin Luther" -> "M. L.", "Jean-Paul" -> "J.-P."."""
        return " ".join(
            "-".join(f"{part[0]}." for part in word.split("-") if part)
            for word in self.given.split(" ")
            if word.strip(".")
        )

    @property
    def apa(self) -> str:
        """APA's form: "King, M. L., Jr."; a single name as it is."""
        return ", ".join(part for part in (self.family, self.initials, self.suffix) if part)

    @property
    def bibtex(self) -> str:
        """BibTeX's "von Last, Jr, First"; a single name is braced so that it stays whole."""
        if not self.given:
            return "{" + bibtex_escape(self.family) + "}"
        parts = [self.family, self.suffix, self.given]
        return ", ".join(bibtex_escape(part) for part in parts if part)


def chicago_authors(names: list[Name]) -> str:
    """Chicago's list: "Last, First", "Last, First, and First Last", "Last, First, First Last, and
    First Last"; past ten names, the first seven and "et al." (CMOS 14.76)."""
    if not names:
        return ""
    if len(names) > 10:
        listed = [names[0].inverted] + [name.natural for name in names[1:7]]
        return ", ".join(listed) + ", et al."
    first, rest = names[0].inverted, [name.natural for name in names[1:]]
    if not rest:
        return first
    return ", ".join([first, *rest[:-1]]) + f", and {rest[-1]}"


def apa_authors(names: list[Name]) -> str:
    """APA's list: "Last, F.", "Last, F., & Last, F.", "Last, F., Last, F., & Last, F."; past
    twenty names, the first nineteen, an ellipsis and the last (APA 7, 9.8)."""
    listed = [name.apa for name in names]
    if len(listed) <= 1:
        return "".join(listed)
    if len(listed) > 20:
        return ", ".join(listed[:19]) + ", . . . " + listed[-1]
    return ", ".join(listed[:-1]) + ", & " + listed[-1]


# Citations -----------------------------------------------------------------------------------


def _closed(text: str, mark: str = ".") -> str:
    """Text ending in a full stop, unless it already ends in punctuation that closes it."""
    return text if text.endswith((".", "?", "!")) else text + mark


@dataclass(frozen=True)
class Citation:
    title: str
    names: list[Name]
    site: str
    date: object  # a datetime, in the post's own offset
    url: str

    @classmethod
    def of(cls, post: Post, url: str) -> "Citation":
        names = [Name.parse(author.credited_name) for author in post.authors.all()]
        title = " ".join(post.title.split())
        return cls(title, names, settings.QUIRE_SITE_NAME, post.published_local, url)

    @property
    def chicago(self) -> SafeString:
        """Chicago (17th), bibliography style: Last, First, and First Last. “Title.” <i>Site</i>,
        Month D, YYYY. URL."""
        # Quotation marks inside the quoted title become single ones.
        title = _closed(self.title.translate({ord('"'): "’", ord("“"): "‘", ord("”"): "’"}))
        date = f"{MONTHS[self.date.month - 1]} {self.date.day}, {self.date.year}"
        if not self.names:
            return format_html("“{}” <i>{}</i>, {}. {}.", title, self.site, date, self.url)
        return format_html(
            "{} “{}” <i>{}</i>, {}. {}.",
            _closed(chicago_authors(self.names)),
            title,
            self.site,
            date,
            self.url,
        )

    @property
    def apa(self) -> SafeString:
        """APA (7th), an article on a news or magazine site: Last, F., & Last, F. (YYYY, Month D).
        Title. <i>Site</i>. URL"""
        date = f"({self.date.year}, {MONTHS[self.date.month - 1]} {self.date.day})."
        title = _closed(self.title)
        if not self.names:  # the title takes the author's place
            return format_html("{} {} <i>{}</i>. {}", title, date, self.site, self.url)
        return format_html(
            "{} {} {} <i>{}</i>. {}",
            _closed(apa_authors(self.names)),
            date,
            title,
            self.site,
            self.url,
        )

    def bibtex(self, key: str) -> str:
        """A biblatex @online entry."""
        fields = []
        if self.names:
            fields.append(("author", " and ".join(name.bibtex for name in self.names)))
        fields += [
            # Double braces keep the title's capitals as written.
            ("title", "{" + bibtex_escape(self.title) + "}"),
            ("organization", bibtex_escape(self.site)),
            ("date", self.date.date().isoformat()),
            # A verbatim field in biblatex: escaping would corrupt it.
            ("url", self.url.replace("{", "%7B").replace("}", "%7D")),
        ]
        lines = [f"  {name} = {{{value}}}," for name, value in fields]
        return f"@online{{{key},\n" + "\n".join(lines) + "\n}\n"


_BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "&": r"\&",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "^": r"\^{}",
    "~": r"\~{}",
}
_BIBTEX_SPECIAL_RE = re.compile("|".join(re.escape(char) for char in _BIBTEX_SPECIAL))


def bibtex_escape(text: str) -> str:
    """LaTeX's special characters made literal; other Unicode is left to biber (UTF-8)."""
    text = " ".join(text.split())
    return _BIBTEX_SPECIAL_RE.sub(lambda match: _BIBTEX_SPECIAL[match.group()], text)


def bibtex_key(post: Post) -> str:
    """The slug, folded to the ASCII letters, digits, "-" and "_" every BibTeX reads in a key."""
    folded = unicodedata.normalize("NFKD", post.slug).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9_-]+", "-", folded).strip("-") or f"post-{post.pk}"
