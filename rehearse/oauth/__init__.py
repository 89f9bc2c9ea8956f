"""OAuth2 and OpenID Connect: rehearse as authorization server for third-party apps, and
the scope rules the API enforces on their tokens (see docs/oauth.md)."""
