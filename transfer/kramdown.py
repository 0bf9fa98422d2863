"""kramdown's own syntax removed from a post body, with code left exactly as written.

Jekyll hands the body to kramdown, whose attribute lists (`{: .class}`), definitions and
extensions (`{::comment}`, `{::nomarkdown}`) CommonMark would print as text. They are found in one
pass, with fenced code blocks and code spans kept out of reach, and each kind is noted once,
counted, at the file line of its first occurrence.
"""

import re
from bisect import bisect_left

from .conversion import REMOVED, Notes, Vault, newline_offsets, quote, without_emptied_lines

# Runs of backticks, which CommonMark pairs by length into code spans.
BACKTICKS = re.compile(r"`+")
_FENCE = re.compile(r"[ \t>]*+(`{3,}+(?!.*`)|~{3,}+)")
_BLANK_LINE = re.compile(r"(\n[ \t]*\n)")
_KRAMDOWN = re.compile(
    r"""
      (?P<extension>\{::\w+[^}\n]*/\})
    | (?P<wrapped>\{::(?P<wrapper>comment|nomarkdown)\b[^}\n]*\}
          (?P<content>(?:[^{]|\{(?!:[:/]))*+)
          \{:/(?P=wrapper)?\})
    | (?P<definition>^[ \t]*\{:[\w-]+:[^}\n]*\}[ \t]*$)
    | (?P<block>^[ \t]*\{:(?![:/])[^}\n]*\}[ \t]*$)
    | (?<!\\)(?P<inline>\{:(?![:/])[^}\n]*\})
    """,
    re.MULTILINE | re.VERBOSE,
)
_KRAMDOWN_NOTES = {
    "block": "kramdown block attribute list {} removed",
    "inline": "kramdown inline attribute list {} removed",
    "definition": "kramdown attribute list definition {} removed",
    "extension": "kramdown extension {} removed",
    "comment": "kramdown comment {{::comment}} … {{:/comment}} removed",
    "nomarkdown": "kramdown {{::nomarkdown}} … {{:/nomarkdown}} unwrapped, its HTML kept",
}


def strip_kramdown(text: str, origins: list[int], notes: Notes, vault: Vault) -> str:
    """Remove kramdown's attribute lists and extensions, leaving code as it is.

    `origins` holds the file line of each line of `text`. Matches are found in one pass over the
    text, so their offsets, and the lines counted from them, are those of `text`.
    """
    if "{:" not in text:
        return text
    masked = _hide_code(text, vault)
    newlines = newline_offsets(masked)

    def replace(match: re.Match) -> str:
        kind = match["wrapper"] or match.lastgroup
        line = origins[bisect_left(newlines, match.start())]
        notes.tally(kind, line, _KRAMDOWN_NOTES[kind].format(quote(match[0])))
        if kind == "nomarkdown":
            return REMOVED + match["content"] + REMOVED
        return REMOVED

    return without_emptied_lines(_KRAMDOWN.sub(replace, masked))[0]


def _hide_code(text: str, vault: Vault) -> str:
    """The text with its fenced code blocks and code spans in the vault."""
    pieces: list[str] = []
    prose: list[str] = []
    fence: list[str] = []
    closing = ""  # the fence's character and length, while inside one
    for line in text.split("\n"):
        if closing:
            fence.append(line)
            marker = line.lstrip(" \t>").rstrip()
            if len(marker) >= len(closing) and marker == closing[0] * len(marker):
                pieces.append(vault.hide("\n".join(fence)))
                fence, closing = [], ""
        elif opening := _FENCE.match(line):
            if prose:
                pieces.append(_hide_code_spans("\n".join(prose), vault))
            prose, fence, closing = [], [line], opening[1]
        else:
            prose.append(line)
    if fence:  # a fence left open runs to the end, as in CommonMark
        pieces.append(vault.hide("\n".join(fence)))
    if prose:
        pieces.append(_hide_code_spans("\n".join(prose), vault))
    return "\n".join(pieces)


def _hide_code_spans(prose: str, vault: Vault) -> str:
    """Pair backtick runs of equal length, as CommonMark does; no span crosses a blank line."""
    if "`" not in prose:
        return prose
    paragraphs = _BLANK_LINE.split(prose)  # the blank lines are kept, at odd indices
    return "".join(
        _hide_spans_in(paragraph, vault) if index % 2 == 0 else paragraph
        for index, paragraph in enumerate(paragraphs)
    )


def _hide_spans_in(paragraph: str, vault: Vault) -> str:
    runs = list(BACKTICKS.finditer(paragraph))
    # The next run of the same length after each run, found backwards in one pass.
    partner: list[int | None] = [None] * len(runs)
    latest: dict[int, int] = {}
    for index in range(len(runs) - 1, -1, -1):
        length = len(runs[index][0])
        partner[index] = latest.get(length)
        latest[length] = index
    pieces, position, index = [], 0, 0
    while index < len(runs):
        closer = partner[index]
        if closer is None:  # an unmatched run is literal backticks
            index += 1
            continue
        start, end = runs[index].start(), runs[closer].end()
        pieces += [paragraph[position:start], vault.hide(paragraph[start:end])]
        position, index = end, closer + 1
    pieces.append(paragraph[position:])
    return "".join(pieces)
