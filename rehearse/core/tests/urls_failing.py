"""A URLconf with views that fail, to test what clients see when the server breaks."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response


@api_view(["GET"])
@permission_classes([AllowAny])
def failing_api_view(request: Request) -> Response:
    raise RuntimeError("boom")


def failing_page(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("boom")


urlpatterns = [
    path("api/v1/failing/", failing_api_view),
    path("failing-page/", failing_page),
    path("", include("config.urls")),
]

handler404 = "config.urls.handler404"
handler500 = "config.urls.handler500"
