"""The OpenAPI schema and the Swagger UI that renders it, served by rehearse itself."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_schema_describes_every_endpoint_and_its_problems(client: Client) -> None:
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    assert {"/api/v1/questions/", "/api/v1/questions/{id}/", "/api/v1/topics/"} <= paths.keys()
    listing = paths["/api/v1/questions/"]["get"]
    assert listing["description"] or listing.get("summary")
    parameters = {parameter["name"] for parameter in listing["parameters"]}
    assert {"topic", "difficulty", "tag", "status", "search", "ordering", "cursor"} <= parameters
    for code in ("400", "429"):
        assert "application/problem+json" in listing["responses"][code]["content"]
    detail = paths["/api/v1/questions/{id}/"]["get"]
    assert "application/problem+json" in detail["responses"]["404"]["content"]


def test_swagger_ui_renders_without_a_cdn(client: Client) -> None:
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "cdn.jsdelivr.net" not in html
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
