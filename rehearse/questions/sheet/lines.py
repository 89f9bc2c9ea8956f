"""The line-level view of a Markdown document that both layouts are parsed from.

Splitting the text into numbered lines and marking fenced code blocks first means that no
later step can mistake a `# comment` or a `- **Title:**` inside a code block for structure,
and that every error can name the line a person sees in their editor.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rehearse.questions.sheet.parsed import SheetSyntaxError

TAB_WIDTH = 4

_FENCE = re.compile(r"[ \t]*(`{3,}|~{3,})(.*)")
_HEADING = re.compile(r" {0,3}(#{1,6})(?:[ \t]+(.*))?")
_CLOSING_HASHES = re.compile(r"(?:^|[ \t]+)#+$")
_LIST_MARKER = re.compile(r"([-*+]|\d{1,9}[.)])(?=[ \t]|$)")
_THEMATIC_BREAK = re.compile(r" {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*")
_METADATA = re.compile(r"[ \t]*<!--(.*?)-->[ \t]*")


class Fence(enum.Enum):
    """Where a line stands relative to a fenced code block."""

    NONE = "none"  # ordinary Markdown
    OPEN = "open"  # the ``` line that opens a block
    BODY = "body"  # code
    CLOSE = "close"  # the ``` line that closes a block


@dataclass(frozen=True)
class Line:
    number: int  # 1-based, as an editor shows it
    text: str
    indent: int  # width of the leading whitespace, tabs counted to the next tab stop
    fence: Fence

    @property
    def blank(self) -> bool:
        return not self.text.strip()

    @property
    def is_code(self) -> bool:
        """Inside a fenced block (the closing fence included), so never structure."""
        return self.fence in (Fence.BODY, Fence.CLOSE)


@dataclass(frozen=True)
class Heading:
    level: int
    text: str  # without the opening and closing `#` runs


@dataclass(frozen=True)
class ListItem:
    marker_indent: int
    content_col: int  # lines indented this far belong to the item (CommonMark's rule)
    content: str  # the text after the marker on the item's own line


def _indent_width(text: str) -> int:
    width = 0
    for char in text:
        if char == " ":
            width += 1
        elif char == "\t":
            width += TAB_WIDTH - width % TAB_WIDTH
        else:
            break
    return width


def split_lines(text: str) -> list[Line]:
    """Number the lines of a document and mark its fenced code blocks.

    Raises SheetSyntaxError on the opening line of a fence that is never closed: CommonMark
    would let it run to the end of the document, swallowing every question after it.
    """
    # Only \n, \r\n and \r end a line, as in an editor; str.splitlines() would also split
    # on form feeds and Unicode separators and so give line numbers nobody can find.
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    raw = text.split("\n")
    if raw and raw[-1] == "":
        raw.pop()
    lines: list[Line] = []
    open_fence: tuple[str, int, int] | None = None  # (character, run length, line number)
    for number, line_text in enumerate(raw, start=1):
        role = Fence.NONE
        match = _FENCE.fullmatch(line_text)
        if open_fence is not None:
            role = Fence.BODY
            char, length, _ = open_fence
            if (
                match
                and match.group(1)[0] == char
                and len(match.group(1)) >= length
                and not match.group(2).strip()
            ):
                role = Fence.CLOSE
                open_fence = None
        # A backtick run followed by more backticks is inline code, not a fence.
        elif match and not (match.group(1)[0] == "`" and "`" in match.group(2)):
            role = Fence.OPEN
            open_fence = (match.group(1)[0], len(match.group(1)), number)
        lines.append(Line(number, line_text, _indent_width(line_text), role))
    if open_fence is not None:
        raise SheetSyntaxError(open_fence[2], "this code fence is never closed")
    return lines


def heading_of(line: Line) -> Heading | None:
    """The ATX heading on this line, if it is one (setext underlines are not structure)."""
    if line.fence is not Fence.NONE:
        return None
    match = _HEADING.fullmatch(line.text)
    if match is None:
        return None
    content = (match.group(2) or "").strip()
    content = _CLOSING_HASHES.sub("", content).strip()
    return Heading(len(match.group(1)), content)


def is_thematic_break(line: Line) -> bool:
    return line.fence is Fence.NONE and _THEMATIC_BREAK.fullmatch(line.text) is not None


def list_item_of(line: Line) -> ListItem | None:
    """The list item this line opens, if it opens one."""
    if line.fence is not Fence.NONE or is_thematic_break(line):
        return None
    stripped = line.text.lstrip(" \t")
    match = _LIST_MARKER.match(stripped)
    if match is None:
        return None
    marker_end = line.indent + len(match.group(1))
    after = stripped[match.end() :]
    gap = _indent_width(after) if after.strip() else 0
    # CommonMark: one to four spaces after the marker are part of it; with more, the content
    # is an indented code block that starts one column after the marker.
    content_col = marker_end + (gap if 1 <= gap <= 4 else 1)
    return ListItem(line.indent, content_col, after.strip())


def metadata_of(line: Line) -> str | None:
    """The inside of an HTML comment that fills the whole line, if it does."""
    if line.fence is not Fence.NONE:
        return None
    match = _METADATA.fullmatch(line.text)
    return None if match is None else match.group(1)


def opens_block(line: Line) -> bool:
    """True if the line starts something other than paragraph text (so it is never lazy)."""
    return (
        line.fence is not Fence.NONE
        or heading_of(line) is not None
        or list_item_of(line) is not None
        or is_thematic_break(line)
    )


def remove_indent(text: str, width: int) -> str:
    """Remove up to `width` columns of leading whitespace, splitting a tab if it must."""
    removed = 0
    for index, char in enumerate(text):
        if removed >= width or char not in " \t":
            return text[index:]
        step = 1 if char == " " else TAB_WIDTH - removed % TAB_WIDTH
        if removed + step > width:
            # The tab reaches past the cut: keep its remainder as spaces.
            return " " * (removed + step - width) + text[index + 1 :]
        removed += step
    return ""


def dedent(lines: Sequence[Line], limit: int | None = None) -> list[str]:
    """The lines without their common indentation, at most `limit` columns of it.

    Code lines do not count towards the common indentation (a code line may legitimately
    start further left than its fence) but lose the same amount, so code keeps its shape.
    """
    widths = [line.indent for line in lines if not line.blank and not line.is_code]
    width = min(widths, default=0)
    if limit is not None:
        width = min(width, limit)
    return [remove_indent(line.text, width) for line in lines]


def join_text(texts: Iterable[str]) -> str:
    """Lines as one string, without blank lines around it; blank lines are emptied."""
    out = [text if text.strip() else "" for text in texts]
    while out and not out[0]:
        out.pop(0)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)
