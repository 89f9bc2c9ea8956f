"""The one Markdown renderer: untrusted text in, safe HTML out."""

from __future__ import annotations

import pytest

from rehearse.core.markdown import render_markdown


def test_raw_html_is_shown_as_text() -> None:
    html = render_markdown("Hi <script>alert(1)</script> <b onclick=x>bold</b>")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html
    assert "<b" not in html


@pytest.mark.parametrize(
    "link", ["[x](javascript:alert(1))", "[x](data:text/html,hi)", "[x](vbscript:msgbox)"]
)
def test_script_links_are_dropped(link: str) -> None:
    assert "href" not in render_markdown(link)


def test_links_open_safely() -> None:
    html = render_markdown("[docs](https://example.org/x)")
    assert 'href="https://example.org/x"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_fenced_code_is_highlighted_with_classes_not_styles() -> None:
    html = render_markdown("```python\ndef f(n):\n    return n\n```")
    assert '<code class="language-python">' in html
    assert '<span class="k">def</span>' in html
    assert "style=" not in html


def test_unknown_languages_and_plain_fences_are_escaped_text() -> None:
    html = render_markdown("```nosuchlang\n<b>x</b>\n```\n\n```\na < b\n```")
    assert "&lt;b&gt;x&lt;/b&gt;" in html
    assert "a &lt; b" in html


def test_tables_render_without_inline_alignment() -> None:
    html = render_markdown("| a | b |\n|:--|--:|\n| 1 | 2 |")
    assert "<table>" in html
    assert "<td>1</td>" in html
    assert "style" not in html


def test_images_are_not_embedded() -> None:
    assert "<img" not in render_markdown("![x](https://tracker.example/pixel.png)")
