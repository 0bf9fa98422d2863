"""Jekyll's post dates: the date as written, and the instant it names.

The date is `date:` as YAML read it (a date, or a datetime in its offset), text read as Ruby's
Time.parse reads it (which Jekyll uses for a date YAML left as text), or the file name's date,
which Jekyll reads only when the front matter gives none. Ruby's Time takes any day up to 31 and
rolls the days past the month's end into the next month, so Jekyll builds `2016-06-31` as July 1:
so does Quire, with a note. The instant is kept in UTC with the offset, in minutes, it was
written with.
"""

import re
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from pathlib import Path

from dateutil import parser as date_words

from .documents import FrontMatter, FrontMatterError, describe

# What Ruby's Time.parse, which Jekyll uses for a date YAML left as text, reads.
_DATE_TEXT = re.compile(
    r"(?P<date>\d{4}-\d{1,2}-\d{1,2})"
    r"(?:[Tt ]+(?P<time>\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?"
    r"\s*(?P<zone>[Zz]|[+-]\d{2}:?\d{2}|[A-Za-z]{3}(?![A-Za-z]))?"
)
_ZONE_ABBREVIATIONS = {
    "UTC": 0, "GMT": 0, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5,
    "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
}  # fmt: skip
_ZONE_SECONDS = {name: hours * 3600 for name, hours in _ZONE_ABBREVIATIONS.items()}
# A year, month, day and hour apart: a part a date in words does not give differs between them.
_DEFAULTS = (datetime(2001, 2, 3, 4), datetime(2002, 3, 4, 5))
_EARLIEST = datetime.min.replace(tzinfo=UTC) + timedelta(days=1)
_LATEST = datetime.max.replace(tzinfo=UTC) - timedelta(days=1)
# Ruby's Date._parse completes a two-digit year: 69 to 99 in the 1900s, the rest in the 2000s.
_CENTURY_TURN = 69


def written_date(front_matter: FrontMatter, file_date: str | None) -> tuple[date | None, str, bool]:
    """`date:` (else the date of the file name, as written there) as written: a date, or a
    datetime (aware when an offset was given); a note on how it was read, and whether Ruby
    rolled it over (a day past the month's end). YAML leaves some dates as text; they are read
    as Ruby's Time.parse does."""
    value = front_matter.values.get("date")
    # A null date falls back to the file name's, as in Jekyll.
    if value is None:
        return _from_file_name(front_matter.path, file_date) if file_date else (None, "", False)
    if isinstance(value, str):
        return _date_from_text(front_matter, value)
    if not isinstance(value, date):
        raise front_matter.error("date", f"date must be a date and time, not {describe(value)}")
    return value, "", False


def is_placeholder(file_date: str) -> bool:
    """`0000-00-00`, which themes' template posts carry in place of a date: no day at all."""
    return not any(int(part) for part in file_date.split("-"))


def _from_file_name(path: Path, written: str) -> tuple[date | None, str, bool]:
    """The file name's date as Jekyll reads it; none for a placeholder (the post stays a draft)."""
    if is_placeholder(written):
        return None, "", False
    year, month, day = written.split("-")
    number = int(year)
    if len(year) == 2:
        number += 1900 if number >= _CENTURY_TURN else 2000
    try:
        found = ruby_day(number, int(month), int(day))
    except ValueError:
        raise FrontMatterError(
            path,
            None,
            f"the file name starts with {written}, which is not a real date: give the post a "
            "date: in its front matter, or rename the file",
        ) from None
    note = _rolled_over(f"the file name's date {written}", int(day), found)
    return found, note, bool(note)


def ruby_day(year: int, month: int, day: int) -> date:
    """The day Ruby's Time.local gives: months 1 to 12 and days 1 to 31, a day past the month's
    end rolling into the next month (June 31 is July 1); anything else is a ValueError."""
    if not (1 <= month <= 12 and 1 <= day <= 31):
        raise ValueError(f"{year}-{month}-{day} is not a date")
    return date(year, month, 1) + timedelta(days=day - 1)


def _rolled_over(what: str, day: int, found: date) -> str:
    """A note when the day found is not the day written."""
    if found.day == day:
        return ""
    return f"{what} does not exist; Jekyll reads it as {found.isoformat()}"


def _date_from_text(front_matter: FrontMatter, value: str) -> tuple[date | None, str, bool]:
    text = value.strip()
    match = _DATE_TEXT.match(text)
    try:
        # Ruby's Time.parse reads the date at the start and passes over words after it.
        if match is None or text[match.end() : match.end() + 1].isdigit():
            note = f"date {value!r} read as Ruby's Time.parse reads it"
            return _date_in_words(value), note, False
        if is_placeholder(match["date"]):
            note = (
                f"date {value!r} is a template's placeholder (Jekyll reads it as the year 0, "
                "which Quire cannot store): the post stays a draft"
            )
            return None, note, False
        year, month, day = match["date"].split("-")
        day_found = ruby_day(int(year), int(month), int(day))
        note = _rolled_over(f"date {match['date']}", int(day), day_found)
        rolled = bool(note)
        if rest := text[match.end() :].strip():
            note = f"date {value!r} read as Ruby's Time.parse reads it, passing over {rest!r}"
        if match["time"] is None:
            return day_found, note, rolled
        written = datetime.combine(day_found, time.fromisoformat(match["time"].zfill(5)))
        zone = match["zone"]
        if zone is None:
            return written, note, rolled
        if zone.upper() in _ZONE_ABBREVIATIONS:
            offset = timedelta(hours=_ZONE_ABBREVIATIONS[zone.upper()])
        elif zone in "Zz":
            offset = timedelta(0)
        else:
            sign = -1 if zone[0] == "-" else 1
            digits = zone[1:].replace(":", "")
            offset = sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        return written.replace(tzinfo=timezone(offset)), note, rolled
    except (ValueError, OverflowError):
        raise front_matter.error(
            "date", f"date {value!r} is not a valid date such as 2025-05-22 12:00:00 +08:00"
        ) from None


def _date_in_words(value: str) -> date:
    """A date such as "March 4, 2021" or "4 Mar 2021 10:00 EST", which Ruby's Time.parse reads
    too; a day, month and year must all be given (Ruby would take today's for a missing one)."""
    first, second = (
        date_words.parse(value, default=default, tzinfos=_ZONE_SECONDS) for default in _DEFAULTS
    )
    if first.date() != second.date():
        raise ValueError(f"{value!r} does not give a day, month and year")
    if first.hour != second.hour:
        return first.date()
    return first


def instant(
    front_matter: FrontMatter, written: date | None, zone: tzinfo | None
) -> tuple[datetime | None, int | None]:
    """The written date as an aware UTC datetime, and the offset (minutes) it was written with.

    A date without an offset is put in `zone`, and without a zone in UTC with no offset kept.
    """
    if written is None:
        return None, None
    if not isinstance(written, datetime):
        written = datetime.combine(written, time())
    offset = None
    if written.tzinfo is None and zone is None:
        written = written.replace(tzinfo=UTC)
    else:
        written = written if written.tzinfo else written.replace(tzinfo=zone)
        offset = int(written.utcoffset().total_seconds()) // 60
    # A day's margin at either end keeps the instant showable in every time zone.
    try:
        in_utc = written.astimezone(UTC)
        in_range = _EARLIEST <= in_utc <= _LATEST
    except OverflowError:
        in_range = False
    if not in_range:
        raise front_matter.error(
            "date",
            f"date {written.isoformat(' ')} is out of range: give one between years 1 and 9999",
        )
    return in_utc, offset
