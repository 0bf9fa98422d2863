"""Jekyll's post dates: the date as written, and the instant it names.

The date is `date:` as YAML read it (a date, or a datetime in its offset), text read as Ruby's
Time.parse reads it (which Jekyll uses for a date YAML left as text), or the file name's date.
The instant is kept in UTC with the offset, in minutes, it was written with.
"""

import re
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo

from .documents import FrontMatter, describe

# What Ruby's Time.parse, which Jekyll uses for a date YAML left as text, reads.
_DATE_TEXT = re.compile(
    r"(?P<date>\d{4}-\d{1,2}-\d{1,2})"
    r"(?:[Tt ]+(?P<time>\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?"
    r"\s*(?P<zone>[Zz]|[+-]\d{2}:?\d{2}|[A-Za-z]{3})?"
)
_ZONE_ABBREVIATIONS = {
    "UTC": 0, "GMT": 0, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5,
    "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
}  # fmt: skip
_EARLIEST = datetime.min.replace(tzinfo=UTC) + timedelta(days=1)
_LATEST = datetime.max.replace(tzinfo=UTC) - timedelta(days=1)


def written_date(front_matter: FrontMatter, file_date: date | None) -> date | None:
    """`date:` (else the file name's date) as written: a date, or a datetime (aware when an
    offset was given). YAML leaves some dates as text; they are read as Ruby's Time.parse does."""
    value = front_matter.values.get("date")
    # A null date falls back to the file name's, as in Jekyll.
    if value is None:
        return file_date
    if isinstance(value, str):
        return _date_from_text(front_matter, value)
    if not isinstance(value, date):
        raise front_matter.error("date", f"date must be a date and time, not {describe(value)}")
    return value


def _date_from_text(front_matter: FrontMatter, value: str) -> date:
    match = _DATE_TEXT.fullmatch(value.strip())
    try:
        if match is None:
            raise ValueError
        day = date.fromisoformat("-".join(part.zfill(2) for part in match["date"].split("-")))
        if match["time"] is None:
            return day
        written = datetime.combine(day, time.fromisoformat(match["time"].zfill(5)))
        zone = match["zone"]
        if zone is None:
            return written
        if zone.upper() in _ZONE_ABBREVIATIONS:
            offset = timedelta(hours=_ZONE_ABBREVIATIONS[zone.upper()])
        elif zone in "Zz":
            offset = timedelta(0)
        else:
            sign = -1 if zone[0] == "-" else 1
            digits = zone[1:].replace(":", "")
            offset = sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        return written.replace(tzinfo=timezone(offset))
    except ValueError:
        raise front_matter.error(
            "date", f"date {value!r} is not a valid date such as 2025-05-22 12:00:00 +08:00"
        ) from None


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
