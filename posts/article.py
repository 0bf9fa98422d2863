"""What the article page shows besides the post itself: a table of contents, the reading time,
citations (Chicago, APA, BibTeX), the previous and next posts, and related posts.

Everything here reads a post that post_detail fetched with Post.objects.published().for_listing()
(its authors and tags prefetched), so building an Article costs two queries at most, however many
authors, tags or related posts there are: one for previous/next, one for related posts (none for
a post without tags).
"""

import html
import json
import re
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.conf import settings
from django.db.models import Count, Q, Subquery
from django.urls import reverse
from django.utils.html import format_html, strip_tags
from django.utils.safestring import SafeString

from .models import Post

TOC_MIN_HEADINGS = 3
RELATED_COUNT = 3
MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

# Table of contents --------------------------------------------------------


@dataclass
class TocEntry:
    id: str
    text: str
    level: int
    children: list["TocEntry"] = field(default_factory=list)


class _BodyReader(HTMLParser):
    """One pass over body_html: its <h2>/<h3> headings that carry an id."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.headings: list[TocEntry] = []
        self._heading: TocEntry | None = None
        self._skip_depth = 0  # inside a footnote reference: "[1]" is no part of a heading's text

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self._skip_depth:
            self._skip_depth += tag not in _VOID
        elif tag == "sup" and "footnote-ref" in (attrs.get("class") or "").split():
            self._skip_depth = 1
        elif tag in ("h2", "h3") and attrs.get("id"):
            self._heading = TocEntry(attrs["id"], "", int(tag[1]))

    def handle_endtag(self, tag):
        if self._skip_depth:
            self._skip_depth -= 1
        elif self._heading is not None and tag == f"h{self._heading.level}":
            self._heading.text = " ".join(self._heading.text.split())
            if self._heading.text:
                self.headings.append(self._heading)
            self._heading = None

    def handle_data(self, data):
        if self._heading is not None and not self._skip_depth:
            self._heading.text += data


_VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


def read_headings(body_html: str) -> list[TocEntry]:
    reader = _BodyReader()
    reader.feed(body_html)
    reader.close()
    return reader.headings


def table_of_contents(headings: list[TocEntry]) -> list[TocEntry]:
    """The headings as a tree (each <h3> under the <h2> before it), or [] for a short piece."""
    if len(headings) < TOC_MIN_HEADINGS:
        return []
    top = min(heading.level for heading in headings)
    tree: list[TocEntry] = []
    for heading in headings:
        entry = TocEntry(heading.id, heading.text, heading.level)
        if heading.level > top and tree:
            tree[-1].children.append(entry)
        else:
            tree.append(entry)
    return tree


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


def _plain(markup: str) -> str:
    return html.unescape(strip_tags(markup))


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
        names = [Name.parse(author.name) for author in post.authors.all()]
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

    @property
    def chicago_text(self) -> str:
        return _plain(self.chicago)

    @property
    def apa_text(self) -> str:
        return _plain(self.apa)

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


# Neighbours and related posts ----------------------------------------------------------------


def neighbours(post: Post) -> tuple[Post | None, Post | None]:
    """The published posts just before and just after this one by publication date (ties broken
    by id, as listings order them), in one query."""
    published = Post.objects.published()
    earlier = published.filter(
        Q(published_at__lt=post.published_at) | Q(published_at=post.published_at, pk__lt=post.pk)
    ).order_by("-published_at", "-pk")
    later = published.filter(
        Q(published_at__gt=post.published_at) | Q(published_at=post.published_at, pk__gt=post.pk)
    ).order_by("published_at", "pk")
    both = Post.objects.filter(
        Q(pk=Subquery(earlier.values("pk")[:1])) | Q(pk=Subquery(later.values("pk")[:1]))
    ).only("title", "slug", "published_at", "published_offset")
    previous = following = None
    for other in both:
        if (other.published_at, other.pk) < (post.published_at, post.pk):
            previous = other
        else:
            following = other
    return previous, following


def related(post: Post, limit: int = RELATED_COUNT) -> list[Post]:
    """Up to `limit` published posts sharing the most tags with this one, newest first among
    equals; never the post itself. One query; none for a post without tags."""
    tag_ids = [tag.pk for tag in post.tags.all()]  # prefetched
    if not tag_ids:
        return []
    return list(
        Post.objects.published()
        .exclude(pk=post.pk)
        # The filter comes first, so the count is of the shared tags only.
        .filter(tags__in=tag_ids)
        .annotate(shared_tags=Count("tags", distinct=True))
        .order_by("-shared_tags", "-published_at", "-pk")
        .only("title", "slug", "published_at", "published_offset")[:limit]
    )


# The page ------------------------------------------------------------------------------------


@dataclass
class Article:
    toc: list[TocEntry]
    citation: Citation | None = None
    bibtex_url: str = ""
    previous: Post | None = None
    next: Post | None = None
    related: list[Post] = field(default_factory=list)
    json_ld: str = ""  # structured data, ready for a <script type="application/ld+json">


def build(request, post: Post, *, public: bool = True) -> Article:
    """The article page's extras. `public=False` (a preview: the post may have no public URL yet)
    leaves out the citations and the links to other posts, and costs no query."""
    article = Article(table_of_contents(read_headings(post.body_html)))
    article.json_ld = json_ld(structured_data(request, post))
    if public:
        url = request.build_absolute_uri(post.get_absolute_url())
        article.citation = Citation.of(post, url)
        article.bibtex_url = cite_url(post)
        article.previous, article.next = neighbours(post)
        article.related = related(post)
    return article


def structured_data(request, post: Post) -> dict:
    """schema.org Article: what search engines show of the piece, from what is already loaded."""
    own_url = request.build_absolute_uri(post.get_absolute_url())
    data = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": post.title,
        "description": post.meta_description,
        "url": post.canonical_url or own_url,
        "mainEntityOfPage": own_url,
        "author": [
            {
                "@type": "Person",
                "name": author.name,
                "url": request.build_absolute_uri(author.get_absolute_url()),
            }
            for author in post.authors.all()
        ],
        "publisher": {"@type": "Organization", "name": settings.QUIRE_SITE_NAME},
        "dateModified": post.updated_at.isoformat() if post.updated_at else None,
        "keywords": [tag.name for tag in post.tag_list],
    }
    if post.published_local:
        data["datePublished"] = post.published_local.isoformat()
    if post.image_url:
        image = request.build_absolute_uri(post.image_url)
        data["image"] = {"@type": "ImageObject", "url": image, "caption": post.featured_alt}
    return {key: value for key, value in data.items() if value not in (None, "", [])}


def json_ld(data: dict) -> SafeString:
    """`data` as JSON for a <script type="application/ld+json"> element.

    "<", ">" and "&" are written as \\u escapes (as Django's json_script does), so no text in
    the data (a title, a tag) can close the element or open a comment, however hostile.
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for character, escape in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e")):
        text = text.replace(character, escape)
    return SafeString(text)


def cite_url(post: Post) -> str:
    return reverse("posts:cite", kwargs={"slug": post.slug})
