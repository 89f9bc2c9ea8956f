"""What rehearse keeps about OAuth2 clients beyond django-oauth-toolkit's own tables.

The toolkit's ``Application`` has no notion of which scopes a client may ask for, and
forgets an authorization code as soon as it is exchanged, so a replayed code cannot be
traced to the tokens it produced. These two tables fill those gaps; the toolkit's
models stay unswapped.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from oauth2_provider.settings import APPLICATION_MODEL


class ClientPolicy(models.Model):
    """The scopes an application may be granted (space-separated, like OAuth2's scope)."""

    application = models.OneToOneField(
        APPLICATION_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="policy"
    )
    allowed_scopes = models.CharField(max_length=255)

    class Meta:
        verbose_name_plural = "client policies"

    def __str__(self) -> str:
        return self.allowed_scopes

    @property
    def scopes(self) -> list[str]:
        return self.allowed_scopes.split()


class RedeemedCode(models.Model):
    """An authorization code already exchanged for tokens.

    Presenting it again means it leaked (RFC 6749 section 4.1.2): the exchange is
    refused and every token descended from the first exchange (its refresh token family)
    is revoked. Only a SHA-256 digest of the code is kept. The unique digest is also
    what lets exactly one of two concurrent exchanges of a code win.
    """

    code_digest = models.CharField(max_length=64, unique=True)
    application = models.ForeignKey(APPLICATION_MODEL, on_delete=models.CASCADE, related_name="+")
    token_family = models.UUIDField(null=True, blank=True)
    redeemed_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"code redeemed at {self.redeemed_at:%Y-%m-%d %H:%M:%S}"
