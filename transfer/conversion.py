"""What the Liquid and the kramdown passes over one post body share.

Notes are kept by file line, and a kind that recurs is counted rather than repeated. Text a later
pass must not touch (raw blocks, code) waits in a `Vault`, standing in the text as a placeholder
with the same line breaks. Whatever a pass removes leaves a `REMOVED` mark, so a line left with
nothing else can be dropped whole; what it cannot convert it keeps, exactly, in an HTML `comment`.
Video players, whether an include or an iframe made them, become one privacy-enhanced `Video`.
"""

import html
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

_QUOTED_LENGTH = 60
# Stands where something was removed, so a line left with nothing else can be dropped whole.
REMOVED = "\x01"
_NEWLINE = re.compile(r"\n")
_EMPTIED_LINE = re.compile(f"[ \t{REMOVED}]*{REMOVED}[ \t{REMOVED}]*")
_BLANK_LINE = re.compile(r"^[ \t]*$", re.MULTILINE)
# A no-break space is not blank to CommonMark, so a comment holding one stays one HTML block.
_NO_BREAK_SPACE = "\u00a0"

IFRAME = re.compile(
    r"(?P<figure><figure class=\"video\">)?"
    # An iframe left open ends its search at the next one, so that many cost one pass.
    r"<iframe\b(?P<attributes>[^>]*+)>[^<]*+(?:<(?!/?iframe\b)[^<]*+)*+</iframe\s*>"
    r"(?(figure)</figure>)",
    re.IGNORECASE,
)
_ATTRIBUTE = re.compile(r"""([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?""")
_MARKUP = re.compile(r"<!--(?:[^-]|-(?!->))*+-->|<[^>]*+>")
_YOUTUBE_ID = re.compile(r"[\w-]+")
_VIMEO_ID = re.compile(r"\d+")
_SECONDS = re.compile(r"(\d+)s?")


def newline_offsets(text: str) -> list[int]:
    """Where each line break of the text is, for finding the line of an offset by bisection."""
    return [match.start() for match in _NEWLINE.finditer(text)]


class Notes:
    """Notes in file-line order. A kind that can recur dozens of times is noted once, counted."""

    def __init__(self):
        self._notes: list[tuple[int, str]] = []
        self._tallies: dict[str, list] = {}  # kind -> [first line, message, count]

    def add(self, line: int, message: str):
        self._notes.append((line, message))

    def tally(self, kind: str, line: int, message: str):
        if kind in self._tallies:
            self._tallies[kind][2] += 1
        else:
            self._tallies[kind] = [line, message, 1]

    def sorted(self) -> list[str]:
        tallied = [
            (line, message if count == 1 else f"{message} ({count} in all)")
            for line, message, count in self._tallies.values()
        ]
        # A loop can say the same of its text each time round: once is enough.
        notes = sorted(dict.fromkeys(self._notes + tallied), key=lambda note: note[0])
        return [f"line {line}: {message}" for line, message in notes]


class Vault:
    """Text that later passes must not touch, standing in the text as a placeholder.

    A placeholder keeps the line breaks of the text it stands for, so line numbers counted in the
    text with placeholders are still true.
    """

    _PLACEHOLDER = re.compile(r"\x00(\d+)\n*\x00")

    def __init__(self):
        self._kept: list[str] = []

    def hide(self, text: str) -> str:
        self._kept.append(text)
        return f"\x00{len(self._kept) - 1}" + "\n" * text.count("\n") + "\x00"

    def hide_lines(self, text: str) -> str:
        """Hide each line on its own, so the lines of the text stay lines of the text."""
        return "\n".join(self.hide(line) if line else "" for line in text.split("\n"))

    def reveal(self, text: str) -> str:
        # Kept text can itself hold placeholders, such as a {% raw %} inside a code span.
        return self._PLACEHOLDER.sub(lambda match: self.reveal(self._kept[int(match[1])]), text)


def without_emptied_lines(text: str) -> tuple[str, list[int]]:
    """The text less the lines removals left blank, and the indices of the lines kept."""
    if REMOVED not in text:
        return text, list(range(text.count("\n") + 1))
    lines = text.split("\n")
    kept = [index for index, line in enumerate(lines) if not _EMPTIED_LINE.fullmatch(line)]
    return "\n".join(lines[index] for index in kept).replace(REMOVED, ""), kept


def quote(tag: str) -> str:
    """A tag as a note quotes it: on one line, and shortened if long."""
    tag = " ".join(tag.split())
    return tag if len(tag) <= _QUOTED_LENGTH else tag[: _QUOTED_LENGTH - 1] + "…"


def comment(text: str) -> str:
    """Text kept as an HTML comment over as many lines: with no `--` in it to end the comment
    early, and no blank line to end the Markdown HTML block it stands in."""
    text = _BLANK_LINE.sub(_NO_BREAK_SPACE, text.replace("--", "-&#45;"))
    return f"<!-- {text} -->"


@dataclass(frozen=True)
class Video:
    """A YouTube or Vimeo video, embedded the privacy-enhanced way Quire's pages allow."""

    provider: str  # "youtube" or "vimeo"
    id: str
    start: str = ""  # seconds into the video, for YouTube

    @classmethod
    def of(cls, provider: str, video_id: str, start: str = "") -> "Video | None":
        """The video with this id, if the id is one the provider could have given."""
        pattern = {"youtube": _YOUTUBE_ID, "vimeo": _VIMEO_ID}.get(provider.lower())
        if pattern is None or not pattern.fullmatch(video_id.strip()):
            return None
        return cls(provider.lower(), video_id.strip(), start)

    @classmethod
    def at(cls, url: str) -> "Video | None":
        """The video an embed, watch or share URL of YouTube or Vimeo plays."""
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").removeprefix("www.").removeprefix("m.")
        path = parts.path.strip("/").split("/")
        query = parse_qs(parts.query)
        seconds = _SECONDS.fullmatch((query.get("start") or query.get("t") or [""])[0])
        start = seconds[1] if seconds else ""
        if host in ("youtube.com", "youtube-nocookie.com"):
            if path[0] in ("embed", "v", "shorts") and len(path) > 1:
                return cls.of("youtube", path[1], start)
            if path == ["watch"]:
                return cls.of("youtube", (query.get("v") or [""])[0], start)
        if host == "youtu.be":
            return cls.of("youtube", path[0], start)
        if host == "player.vimeo.com" and path[0] == "video" and len(path) > 1:
            return cls.of("vimeo", path[1])
        if host == "vimeo.com":
            return cls.of("vimeo", path[-1])
        return None

    @property
    def src(self) -> str:
        if self.provider == "vimeo":
            return f"https://player.vimeo.com/video/{self.id}?dnt=1"
        start = f"?start={self.start}" if self.start else ""
        return f"https://www.youtube-nocookie.com/embed/{self.id}{start}"

    def html(self, title: str = "") -> str:
        title = html.escape(title.strip() or "Video")
        return (
            f'<figure class="video"><iframe src="{self.src}" title="{title}" loading="lazy"'
            " allowfullscreen></iframe></figure>"
        )


def iframe_attributes(iframe: re.Match) -> dict[str, str]:
    """The attributes of an `IFRAME` match, their character references decoded."""
    return {
        name.lower(): html.unescape(double or single or bare)
        for name, double, single, bare in _ATTRIBUTE.findall(iframe["attributes"])
    }


def sole_video(text: str) -> tuple[Video, str] | None:
    """The video and its title, when an iframe of one is all that the HTML text shows."""
    iframes = list(IFRAME.finditer(text))
    if len(iframes) != 1:
        return None
    iframe = iframes[0]
    rest = _MARKUP.sub("", text[: iframe.start()] + text[iframe.end() :])
    attributes = iframe_attributes(iframe)
    video = Video.at(attributes.get("src", ""))
    if video is None or rest.strip(f" \t\n{REMOVED}"):
        return None
    return video, attributes.get("title", "")
