"""The authorization server's endpoints, under /o/.

Listed here rather than by including ``oauth2_provider.urls``, which would also mount
the toolkit's self-service client registration (any signed-in user could register
clients; here only admins do), the device flow and dynamic client registration.
The namespace stays ``oauth2_provider``: the toolkit reverses its URLs by it.
"""

from django.urls import path
from oauth2_provider import views as toolkit

from rehearse.oauth import views

app_name = "oauth2_provider"

urlpatterns = [
    path("authorize/", views.ConsentView.as_view(), name="authorize"),
    path("token/", toolkit.TokenView.as_view(), name="token"),
    path("revoke_token/", toolkit.RevokeTokenView.as_view(), name="revoke-token"),
    path("introspect/", views.IntrospectView.as_view(), name="introspect"),
    path("userinfo/", toolkit.UserInfoView.as_view(), name="user-info"),
    path(
        ".well-known/openid-configuration",
        toolkit.ConnectDiscoveryInfoView.as_view(),
        name="oidc-connect-discovery-info",
    ),
    path(".well-known/jwks.json", toolkit.JwksInfoView.as_view(), name="jwks-info"),
    path(
        ".well-known/oauth-authorization-server",
        toolkit.OAuthServerMetadataView.as_view(),
        name="oauth-server-metadata",
    ),
]
