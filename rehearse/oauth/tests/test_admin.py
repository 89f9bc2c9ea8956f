"""Registering OAuth2 clients in the admin site: same rules as the API, secret shown once."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.hashers import check_password
from django.test import Client
from oauth2_provider.models import get_application_model

from rehearse.accounts.models import User
from rehearse.oauth import services

pytestmark = pytest.mark.django_db

Application = get_application_model()
ADD = "/admin/oauth2_provider/application/add/"


@pytest.fixture
def admin_site() -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("root@example.org", "a long passphrase!"))
    return client


def shown_secret(client: Client) -> str:
    page = client.get(ADD).content.decode()
    match = re.search(r'name="client_secret" value="([^"]+)"', page)
    assert match, "the add form shows the secret to copy"
    return match.group(1)


def add(client: Client, **fields: object) -> object:
    data = {
        "name": "Study Planner",
        "client_type": services.CONFIDENTIAL,
        "authorization_grant_type": services.AUTHORIZATION_CODE,
        "redirect_uris": "https://planner.example/callback",
        "allowed_scopes": ["openid", "practice:read"],
        **fields,
    }
    return client.post(ADD, data)


def test_a_confidential_client_keeps_only_the_hash_of_the_secret_shown(
    admin_site: Client,
) -> None:
    secret = shown_secret(admin_site)
    response = add(admin_site, client_secret=secret)
    assert response.status_code == 302, response.content.decode()[:2000]
    application = Application.objects.get()
    assert application.client_secret != secret
    assert check_password(secret, application.client_secret)
    assert application.policy.scopes == ["openid", "practice:read"]
    assert application.algorithm == "RS256"

    change = admin_site.get(f"/admin/oauth2_provider/application/{application.pk}/change/")
    html = change.content.decode()
    assert "Stored hashed" in html
    assert secret not in html


def test_a_public_client_gets_no_secret(admin_site: Client) -> None:
    response = add(admin_site, client_type=services.PUBLIC, client_secret=shown_secret(admin_site))
    assert response.status_code == 302
    assert Application.objects.get().client_secret == ""


def test_the_admin_refuses_what_the_api_refuses(admin_site: Client) -> None:
    response = add(
        admin_site,
        authorization_grant_type=services.CLIENT_CREDENTIALS,
        redirect_uris="",
        allowed_scopes=["questions:read", "practice:read"],
    )
    assert response.status_code == 200
    assert "may only have questions:read" in response.content.decode()
    implicit = add(admin_site, authorization_grant_type="implicit")
    assert implicit.status_code == 200
    assert not Application.objects.exists()


def test_changing_scopes_goes_through_the_service(admin_site: Client) -> None:
    add(admin_site, client_secret=shown_secret(admin_site))
    application = Application.objects.get()
    response = admin_site.post(
        f"/admin/oauth2_provider/application/{application.pk}/change/",
        {
            "name": "Renamed",
            "redirect_uris": "https://planner.example/callback\nhttps://planner.example/cb2",
            "allowed_scopes": ["openid"],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    application.refresh_from_db()
    assert application.name == "Renamed"
    assert application.redirect_uris.split() == [
        "https://planner.example/callback",
        "https://planner.example/cb2",
    ]
    assert application.policy.scopes == ["openid"]
