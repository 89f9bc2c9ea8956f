"""Template helpers shared by every page."""

from __future__ import annotations

from django import template
from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe

from rehearse.core.markdown import render_markdown

register = template.Library()

CURRENT = mark_safe(' aria-current="page"')


@register.simple_tag
def nav_current(request: HttpRequest, *view_names: str) -> SafeString:
    """``aria-current="page"`` on the navigation link of the section being shown."""
    match = getattr(request, "resolver_match", None)
    if match is not None and match.view_name in view_names:
        return CURRENT
    return mark_safe("")


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    """Author-written Markdown as sanitised HTML (rehearse.core.markdown)."""
    return mark_safe(render_markdown(text or ""))  # noqa: S308 - sanitised by nh3
