"""Markdown to safe HTML: the one renderer for question text, kata statements and exports.

Question text is written by authors, not by rehearse, so it is treated as untrusted
twice over: raw HTML in the source is escaped and shown as text (a ``<script>`` in a
prompt reads as ``<script>``), and the generated HTML then goes through nh3's allow
list, so nothing but the tags and attributes below can reach a page. Fenced code is
highlighted by Pygments into ``<span class="…">`` tokens that the site's style sheet
colours (no inline styles: the pages' Content-Security-Policy forbids them).
"""

from __future__ import annotations

import html
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

ALLOWED_TAGS = {
    "p", "br", "hr", "em", "strong", "code", "pre", "span", "blockquote",
    "ul", "ol", "li", "a", "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
# Images are left out on purpose: a remote image would leak the reader's address to
# its host and break the pages' img-src 'self' policy.
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "code": {"class"},
    "pre": {"class", "tabindex"},
    "span": {"class"},
    "ol": {"start"},
}
# No style attributes at all (markdown-it writes one to align table columns): the pages'
# Content-Security-Policy has no 'unsafe-inline', so a browser would refuse and report it.
URL_SCHEMES = {"http", "https", "mailto"}

_FORMATTER = HtmlFormatter(nowrap=True)


def _highlight(code: str, language: str, _attrs: str) -> str:
    try:
        lexer = get_lexer_by_name(language.strip()) if language.strip() else None
    except ClassNotFound:
        lexer = None
    if lexer is None:
        return html.escape(code)
    return highlight(code, lexer, _FORMATTER)


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # CommonMark with raw HTML off (escaped as text) plus GitHub-style tables.
    return MarkdownIt("commonmark", {"html": False, "highlight": _highlight}).enable("table")


def render_markdown(text: str) -> str:
    """Render Markdown source as sanitised HTML, safe to insert into a page."""
    return nh3.clean(
        _parser().render(text),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        # A code block wider than a phone scrolls sideways: keyboard users must be able
        # to focus it to scroll it (WCAG 2.1.1).
        set_tag_attribute_values={"pre": {"tabindex": "0"}},
    )
