from django.apps import AppConfig


class OAuthConfig(AppConfig):
    name = "rehearse.oauth"
    label = "oauth"
    verbose_name = "OAuth2 clients"
