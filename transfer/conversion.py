"""What the Liquid and the kramdown passes over one post body share.

Notes are kept by file line, and a kind that recurs is counted rather than repeated. Text a later
pass must not touch (raw blocks, code) waits in a `Vault`, standing in the text as a placeholder
with the same line breaks. Whatever a pass removes leaves a `REMOVED` mark, so a line left with
nothing else can be dropped whole.
"""

import re

_QUOTED_LENGTH = 60
# Stands where something was removed, so a line left with nothing else can be dropped whole.
REMOVED = "\x01"
_NEWLINE = re.compile(r"\n")
_EMPTIED_LINE = re.compile(f"[ \t{REMOVED}]*{REMOVED}[ \t{REMOVED}]*")


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
        notes = sorted(self._notes + tallied, key=lambda note: note[0])
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
