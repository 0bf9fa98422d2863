"""A post body made CommonMark once Liquid is done with it: kramdown's own syntax removed and
video iframes made privacy-enhanced, with code left exactly as written.

Jekyll hands the body to kramdown, whose attribute lists (`{: .class}`), definitions and
extensions (`{::comment}`, `{::nomarkdown}`) CommonMark would print as text. They are found in one
pass, with fenced code blocks and code spans kept out of reach, and each kind is noted once,
counted, at the file line of its first occurrence. An iframe of a YouTube or Vimeo video becomes
the privacy-enhanced embed Quire's pages allow; any other iframe, which they do not, is kept in
an HTML comment, noted with its address.
"""

import re
from bisect import bisect_left

from .conversion import (
    IFRAME,
    REMOVED,
    Notes,
    Vault,
    Video,
    comment,
    iframe_attributes,
    newline_offsets,
    quote,
    without_emptied_lines,
)

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


def to_commonmark(text: str, origins: list[int], notes: Notes, vault: Vault) -> str:
    """Remove kramdown's attribute lists and extensions and make video iframes privacy-enhanced,
    leaving code as it is.

    `origins` holds the file line of each line of `text`. Each pass finds its matches in one go
    over the text, and keeps the text's line breaks, so the lines counted from their offsets
    are those of `text`.
    """
    iframes = "<iframe" in text or "<IFRAME" in text
    if "{:" not in text and not iframes:
        return text
    masked = _hide_code(text, vault)
    if iframes:
        masked = _embed_videos(masked, origins, notes, vault)
    if "{:" in masked:
        masked = _strip_kramdown(masked, origins, notes)
    return masked


def _strip_kramdown(text: str, origins: list[int], notes: Notes) -> str:
    newlines = newline_offsets(text)

    def replace(match: re.Match) -> str:
        kind = match["wrapper"] or match.lastgroup
        line = origins[bisect_left(newlines, match.start())]
        notes.tally(kind, line, _KRAMDOWN_NOTES[kind].format(quote(match[0])))
        if kind == "nomarkdown":
            return REMOVED + match["content"] + REMOVED
        return REMOVED

    return without_emptied_lines(_KRAMDOWN.sub(replace, text))[0]


def _embed_videos(text: str, origins: list[int], notes: Notes, vault: Vault) -> str:
    """Each iframe of a video as Quire's privacy-enhanced embed; any other kept in a comment."""
    newlines = newline_offsets(text)

    def replace(iframe: re.Match) -> str:
        line = origins[bisect_left(newlines, iframe.start())]
        attributes = iframe_attributes(iframe)
        src = attributes.get("src", "")
        video = Video.at(src)
        if video is None:
            notes.add(
                line,
                f"the iframe of {src or '(no address)'} could not be converted: only YouTube and"
                " Vimeo videos are embedded; kept in the source as a comment",
            )
            return vault.hide(comment(iframe[0]))
        embed = video.html(attributes.get("title", ""))
        if iframe[0] != embed:
            notes.add(line, f"the iframe of {src} became a privacy-enhanced video embed")
        # The embed takes the iframe's lines, so that the lines after it keep theirs.
        return vault.hide(embed + "\n" * iframe[0].count("\n"))

    return IFRAME.sub(replace, text)


def fence_after(line: str, closing: str) -> str:
    """The fence a line leaves open, given the one open before it ("" for none)."""
    if closing:
        marker = line.lstrip(" \t>").rstrip()
        closed = len(marker) >= len(closing) and marker == closing[0] * len(marker)
        return "" if closed else closing
    opening = _FENCE.match(line)
    return opening[1] if opening else ""


def _hide_code(text: str, vault: Vault) -> str:
    """The text with its fenced code blocks and code spans in the vault."""
    pieces: list[str] = []
    prose: list[str] = []
    fence: list[str] = []
    closing = ""  # the fence's character and length, while inside one
    for line in text.split("\n"):
        was_open, closing = closing, fence_after(line, closing)
        if was_open:
            fence.append(line)
            if not closing:
                pieces.append(vault.hide("\n".join(fence)))
                fence = []
        elif closing:
            if prose:
                pieces.append(_hide_code_spans("\n".join(prose), vault))
            prose, fence = [], [line]
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
