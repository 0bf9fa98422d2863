"""The URL a post had on its Jekyll site, computed the way Jekyll 4 computes it.

Quire answers an imported site's old links with a 301, so the old URL has to be
reproduced exactly: a near miss is a broken link. This mirrors Jekyll 4.3's
``Utils.slugify``, ``Drops::UrlDrop`` and ``URL`` (generation, then ``sanitize_url``).
The importer reads the site and passes the document's data in; nothing here does I/O.
"""

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from itertools import groupby
from urllib.parse import quote, unquote

from posts.listings import MONTHS

# Jekyll's built-in permalink styles (Configuration::STYLE_TO_PERMALINK). Jekyll resolves
# them only in _config.yml: a front-matter ``permalink: pretty`` is the literal URL /pretty.
STYLES: dict[str, str] = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}
POSTS_DEFAULT = "date"
# Collection#url_template under the default style. Jekyll takes the ending from the site's
# style (Utils.add_permalink_suffix): ":output_ext" for date, ordinal and none, "/" for pretty;
# a custom style lends its own "/" or ":output_ext" ending; weekdate, oddly, lends none.
COLLECTION_DEFAULT = "/:collection/:path:output_ext"

_SLUGIFY_MODES = frozenset({"raw", "default", "pretty", "ascii", "latin"})
_RAW_SEPARATORS = re.compile(r"\s+", re.ASCII)  # Ruby's \s is ASCII whitespace only
_NOT_ASCII_ALNUM = re.compile(r"[^A-Za-z0-9]+")
_PRETTY_KEPT = frozenset("._~!$&'()+,;=@")
# In ASCII text, the runs the pretty mode replaces (the default mode's: _NOT_ASCII_ALNUM); a
# regex finds them far faster than asking Unicode of each character.
_NOT_ASCII_PRETTY = re.compile(r"[^A-Za-z0-9._~!$&'()+,;=@]+")

# What I18n.transliterate (used by the latin mode) makes of non-ASCII characters: its
# table covers U+00C0-U+017F, mostly as the letter without its accents, which NFD gives;
# these are the entries NFD cannot derive. Anything outside the table becomes "?".
_LATIN_NOT_DECOMPOSABLE = {
    "×": "x", "Æ": "AE", "æ": "ae", "Ð": "D", "ð": "d", "Ø": "O", "ø": "o",
    "Þ": "Th", "þ": "th", "ß": "ss", "ẞ": "SS", "Đ": "D", "đ": "d", "Ħ": "H",
    "ħ": "h", "ı": "i", "Ĳ": "IJ", "ĳ": "ij", "ĸ": "k", "Ŀ": "L", "ŀ": "l",
    "Ł": "L", "ł": "l", "ŉ": "'n", "Ŋ": "NG", "ŋ": "ng", "Œ": "OE", "œ": "oe",
    "Ŧ": "T", "ŧ": "t",
}  # fmt: skip
_LATIN_APPROXIMATIONS = {
    char: decomposed[0]
    for char in map(chr, range(0xC0, 0x180))
    if len(decomposed := unicodedata.normalize("NFD", char)) > 1 and decomposed[0].isascii()
} | _LATIN_NOT_DECOMPOSABLE

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_DATE_PLACEHOLDERS = frozenset({
    "year", "month", "i_month", "day", "i_day", "y_day", "short_year", "hour", "minute",
    "second", "short_month", "long_month", "short_day", "long_day", "week", "w_year", "w_day",
})  # fmt: skip

# URL#generate_url_from_drop: a name is the longest run of [a-z_] after a colon.
_PLACEHOLDER = re.compile(r":([a-z_]+)")
# URL.escape_path leaves RFC 3986 path characters alone and %-escapes the rest.
_PATH_SAFE = "/!$&'()*+,;=:@"


def slugify(text: str, mode: str = "default", cased: bool = False) -> str:
    """Jekyll::Utils.slugify (modes: raw, default, pretty, ascii, latin).

    default and pretty keep Unicode letters, marks and decimal digits; latin first
    transliterates to ASCII as I18n does, then slugifies as default. An unknown mode
    returns the text as is (lowercased unless ``cased``), as Jekyll does.
    """
    if mode not in _SLUGIFY_MODES:
        return text if cased else _downcase(text)
    if mode == "raw":
        slug = _RAW_SEPARATORS.sub("-", text)
    elif mode == "ascii":
        slug = _NOT_ASCII_ALNUM.sub("-", text)
    elif mode == "pretty":
        slug = _hyphenate(
            text, lambda char: _is_word_char(char) or char in _PRETTY_KEPT, _NOT_ASCII_PRETTY
        )
    else:
        if mode == "latin":
            text = "".join(_transliterate(char) for char in text)
        slug = _hyphenate(text, _is_word_char, _NOT_ASCII_ALNUM)
    # Jekyll strips one hyphen at each end (gsub(/^-|-$/)), not every one.
    slug = slug.removeprefix("-").removesuffix("-")
    return slug if cased else _downcase(slug)


def jekyll_url(
    template: str,
    *,
    date: dt.datetime | dt.date | None,
    slug: str,
    basename: str,
    categories: list[str],
    collection: str = "posts",
    path: str = "",
    output_ext: str = ".html",
) -> str:
    """The URL Jekyll generates for a document, decoded (not %-escaped).

    ``template`` is a style name from STYLES, a template, or a front-matter permalink
    (which Jekyll 4 also fills in). ``date`` must be as Jekyll holds it: Jekyll converts
    front-matter dates to the site's time zone (``timezone:`` in _config.yml, else the
    build machine's), so convert an aware datetime to that zone first; its wall time is
    used as given. ``slug`` is the front-matter ``slug:`` or, failing that, the file
    name's slug (Jekyll always sets one, so UrlDrop's basename fallback never applies);
    ``basename`` is the file name without extension, for ``:name``; ``path`` is the
    document's path inside the collection folder without extension, for ``:path``.

    Raises ValueError for a placeholder Jekyll does not know (Jekyll refuses to build
    such a site) and for a date placeholder when there is no date (Jekyll would have
    used the build time, so the URL cannot be reproduced).
    """
    template = STYLES.get(template, template)
    values = {
        "title": slugify(slug, "pretty", cased=True),
        "slug": slugify(slug),
        "name": slugify(basename),
        "categories": "/".join(dict.fromkeys(_downcase(c) for c in categories)),
        "slugified_categories": "/".join(dict.fromkeys(slugify(c) for c in categories)),
        "collection": collection,
        # Document#cleaned_relative_path drops trailing dots ("notes..md" -> "notes").
        "path": path.rstrip("."),
        "output_ext": output_ext,
    }
    if date is not None:
        values |= _date_values(date)

    def fill(match: re.Match) -> str:
        name = match[1]
        # "/:month_:day" is :month, "_", :day: Jekyll retries a name without its final "_".
        key = name
        if key not in values and key.endswith("_"):
            key = key[:-1]
        if key not in values:
            if key in _DATE_PLACEHOLDERS:
                raise ValueError(
                    f"Permalink {template!r} uses :{key} but the document has no date; "
                    "Jekyll used the build time, so the old URL cannot be reproduced."
                )
            raise ValueError(f"Permalink {template!r} uses :{name}, which Jekyll does not know.")
        # Escaped as Jekyll escapes them, so that only the template's own %-escapes
        # are decoded below, as they are when Jekyll writes the file.
        return quote(values[key], safe=_PATH_SAFE) + name[len(key) :]

    url = sanitize("/" + _PLACEHOLDER.sub(fill, template))
    # Jekyll writes the page at the unescaped URL, which is what request.path holds.
    return unquote(url)


def _date_values(date: dt.datetime | dt.date) -> dict[str, str]:
    """UrlDrop's date placeholders, with Ruby's strftime results (English names).

    A date without a time is midnight, as Jekyll parses "2025-05-22".
    """
    time = date if isinstance(date, dt.datetime) else dt.datetime.combine(date, dt.time())
    week_year, week, weekday = date.isocalendar()
    month_name, day_name = MONTHS[date.month - 1], _WEEKDAYS[weekday - 1]
    return {
        "year": f"{date.year:04d}",
        "short_year": f"{date.year % 100:02d}",
        "month": f"{date.month:02d}",
        "i_month": str(date.month),
        "short_month": month_name[:3],
        "long_month": month_name,
        "day": f"{date.day:02d}",
        "i_day": str(date.day),
        "y_day": f"{date.timetuple().tm_yday:03d}",
        "short_day": day_name[:3],
        "long_day": day_name,
        "w_year": f"{week_year:04d}",
        "week": f"{week:02d}",
        "w_day": str(weekday),
        "hour": f"{time.hour:02d}",
        "minute": f"{time.minute:02d}",
        "second": f"{time.second:02d}",
    }


def sanitize(url: str) -> str:
    """URL#sanitize_url: no "..", no "./", no repeated "/" (so empty values leave no "//")."""
    return re.sub("/{2,}", "/", url.replace("..", "/").replace("./", ""))


def _hyphenate(text: str, keep: Callable[[str], bool], ascii_rejected: re.Pattern) -> str:
    """Replace each run of characters that ``keep`` rejects with a single hyphen;
    ``ascii_rejected`` matches the same runs in ASCII text."""
    if text.isascii():
        return ascii_rejected.sub("-", text)
    return "".join("".join(run) if kept else "-" for kept, run in groupby(text, key=keep))


def _is_word_char(char: str) -> bool:
    """Ruby's [\\p{M}\\p{L}\\p{Nd}]: a mark, a letter or a decimal digit."""
    category = unicodedata.category(char)
    return category[0] in "LM" or category == "Nd"


def _transliterate(char: str) -> str:
    """I18n.transliterate of one character with its default (English) rules."""
    return char if char.isascii() else _LATIN_APPROXIMATIONS.get(char, "?")


def _downcase(text: str) -> str:
    """Ruby's String#downcase: str.lower() one character at a time, because Ruby has
    no final-sigma rule ("ΟΔΟΣ" -> "οδοσ", where str.lower() gives "οδος")."""
    if text.isascii():
        return text.lower()
    return "".join(char.lower() for char in text)
