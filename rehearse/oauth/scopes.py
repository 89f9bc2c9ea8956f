"""What an OAuth2 access token may do: the scopes, and the one table that maps every API
endpoint to the scope it needs.

Only OAuth2 tokens are held to this table. JWTs and sessions belong to rehearse's own
apps, which have full first-party access (still subject to the user's roles).

A rule names the scope for safe methods (GET, HEAD, OPTIONS) and the scope for the
others. ``None`` means no scope will do: the endpoint is for rehearse's own apps only
(signing in, account administration, client registration). An endpoint missing from
the table is refused too, so a new view is closed to third parties until someone
decides what it needs; ``rehearse/oauth/tests/test_scope_table.py`` walks the URLconf
and fails while any ``/api/v1/`` endpoint is missing.

| area                                   | safe methods     | other methods     |
|----------------------------------------|------------------|-------------------|
| topics, questions, kata catalog        | questions:read   | questions:write   |
| practice, kata submissions             | practice:read    | practice:write    |
| your profile (/me/)                    | profile          | first-party only  |
| sign-in, users, OAuth2 client admin    | first-party only | first-party only  |

Tokens issued with the client-credentials grant act for an application, never for a
user: they may hold ``questions:read`` and nothing else.

This module is plain data (settings import ``SCOPES``): no models, no DRF.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

SCOPES: dict[str, str] = {
    "openid": "Sign you in to the app with your rehearse account (OpenID Connect).",
    "profile": "See your profile: display name, time zone, target role, interview date.",
    "email": "See your email address.",
    "questions:read": "Read the question bank and the kata catalog.",
    "questions:write": "Propose and edit questions, as far as your role allows.",
    "practice:read": "See your cards, reviews, mock interviews, progress and submissions.",
    "practice:write": "Review cards, take mock interviews and submit katas for you.",
}

# A client that asks for nothing gets this, if its registration allows it.
DEFAULT_SCOPES = ["questions:read"]

# Without a user there is no practice data or profile to act on, and no author.
CLIENT_CREDENTIALS_SCOPES = frozenset({"questions:read"})

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Rule:
    read: str | None
    write: str | None

    def scope_for(self, method: str) -> str | None:
        return self.read if method.upper() in SAFE_METHODS else self.write


BANK = Rule("questions:read", "questions:write")
PRACTICE = Rule("practice:read", "practice:write")
PROFILE = Rule("profile", None)
FIRST_PARTY = Rule(None, None)
# Running a kata's reference implementation is a POST that writes nothing: reading.
BANK_COMPUTATION = Rule("questions:read", "questions:read")

# URL name (Django's view_name, namespace included) -> rule.
RULES: dict[str, Rule] = {
    # The question bank.
    "api-root": BANK,
    "topic-list": BANK,
    "topic-detail": BANK,
    "question-list": BANK,
    "question-detail": BANK,
    "question-history": BANK,
    "question-submit": BANK,
    "question-publish": BANK,
    "question-reject": BANK,
    "question-unpublish": BANK,
    "kata-list": BANK,
    "kata-detail": BANK,
    "kata-run": BANK_COMPUTATION,
    # A learner's own practice data.
    "practice-due": PRACTICE,
    "practice-progress-topics": PRACTICE,
    "practice-progress-activity": PRACTICE,
    "practice-progress-streak": PRACTICE,
    "practice-progress-forecast": PRACTICE,
    "practice-export": PRACTICE,
    "practice-export-apkg": PRACTICE,
    "practice-export-csv": PRACTICE,
    "practice-enrolment-list": PRACTICE,
    "practice-enrolment-detail": PRACTICE,
    "practice-card-list": PRACTICE,
    "practice-card-detail": PRACTICE,
    "practice-card-bury": PRACTICE,
    "practice-card-reset": PRACTICE,
    "practice-card-suspend": PRACTICE,
    "practice-card-unsuspend": PRACTICE,
    "practice-review-list": PRACTICE,
    "practice-review-detail": PRACTICE,
    "practice-interview-list": PRACTICE,
    "practice-interview-detail": PRACTICE,
    "practice-interview-answer": PRACTICE,
    "practice-interview-finish": PRACTICE,
    "kata-submission-list": PRACTICE,
    "kata-submission-detail": PRACTICE,
    # The profile: readable with consent, changed only in rehearse itself.
    "me": PROFILE,
    # Credentials and administration: a third party must never reach these.
    "register": FIRST_PARTY,
    "token": FIRST_PARTY,
    "token-refresh": FIRST_PARTY,
    "logout": FIRST_PARTY,
    "password-change": FIRST_PARTY,
    "user-list": FIRST_PARTY,
    "user-detail": FIRST_PARTY,
    "user-roles": FIRST_PARTY,
    "oauth-application-list": FIRST_PARTY,
    "oauth-application-detail": FIRST_PARTY,
}


def rule_for(view_name: str | None) -> Rule:
    """The rule of an endpoint; an endpoint the table does not know is first-party only."""
    if view_name is None:
        return FIRST_PARTY
    return RULES.get(view_name, FIRST_PARTY)


def effective_scopes(granted: Iterable[str], *, for_user: bool) -> frozenset[str]:
    """What a token may use: its scopes, less what an application alone may never have.

    Issuance already keeps client-credentials tokens to ``questions:read``; this makes
    that hold even for a token written some other way (the admin, a fixture).
    """
    scopes = frozenset(granted) & SCOPES.keys()
    return scopes if for_user else scopes & CLIENT_CREDENTIALS_SCOPES
