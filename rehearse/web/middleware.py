"""Page-wide concerns: the Content-Security-Policy, and the learner's time zone.

Every page of rehearse loads its scripts and styles from rehearse itself, as files: no
inline ``<script>``, no ``style=""``, no CDN. The policy says exactly that, so an
injected script (say, in a question's Markdown, if the renderer ever let one through)
would not run. The API (JSON, never rendered as a document) and the admin and Swagger
UI (third-party templates with inline code) are left to their own headers.
"""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = "; ".join(
            f"{directive} {' '.join(sources)}".strip()
            for directive, sources in settings.CONTENT_SECURITY_POLICY.items()
        )
        self.exempt = tuple(settings.CONTENT_SECURITY_POLICY_EXEMPT_PATHS)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            "Content-Security-Policy" not in response
            and response.get("Content-Type", "").startswith("text/html")
            and not request.path.startswith(self.exempt)
        ):
            response["Content-Security-Policy"] = self.policy
        return response


class UserTimeZoneMiddleware:
    """Pages show times in the signed-in learner's time zone (their profile's).

    The API is left in UTC: its clients format times themselves.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith("/api/"):
            try:
                timezone.activate(ZoneInfo(user.time_zone))
            except (ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
