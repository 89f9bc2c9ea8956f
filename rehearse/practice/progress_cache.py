"""Per-topic mastery, cached until the learner's cards change or their day ends.

Mastery is the only progress figure that reads every card of a learner: one GROUP BY
over all of them (``selectors.topic_mastery``), about 150 ms for 100,000 cards. Its
inputs change only when a card is reviewed, created or reset, and its clock (whole
days since each card's last review) moves slowly. So the result is kept in the
shared cache together with the learner's *cards token*, a random value that
``cards_changed`` replaces after every transaction that changes their cards commits.
An entry is served only if its token is still the current one and it was computed
on the learner's today: a review is reflected at once, a new day starts fresh, and
within a day a card's retrievability may lag by the day boundary it crossed since
(a fraction of a percent).

If the cache cannot be reached, mastery is computed every time; a token that could
not be replaced leaves at worst an entry that expires at the learner's midnight.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.db import transaction

from rehearse.practice import scheduling, selectors

if TYPE_CHECKING:
    from rehearse.accounts.models import User

logger = logging.getLogger(__name__)


def _token_key(user_id: int) -> str:
    return f"practice:cards-token:{user_id}"


def _mastery_key(user: User) -> str:
    # With the time the account was created: a database rebuilt from scratch (a test
    # run) hands out the same ids again, and must not meet the old entries.
    return f"practice:mastery:{user.pk}:{user.date_joined.timestamp()}"


def cards_changed(user_id: int) -> None:
    """Invalidate the learner's cached mastery once the current transaction commits."""
    transaction.on_commit(lambda: _replace_token(user_id))


def _replace_token(user_id: int) -> None:
    try:
        cache.set(_token_key(user_id), secrets.token_hex(8), timeout=None)
    except Exception:
        logger.warning("could not invalidate the mastery of user %s", user_id, exc_info=True)


def topic_mastery(*, user: User, at: dt.datetime) -> list[dict[str, Any]]:
    """``selectors.topic_mastery`` as a list, from the cache when it is still right."""
    tz = selectors.user_zone(user)
    today = scheduling.local_day(at, tz).isoformat()
    try:
        stored = cache.get_many([_token_key(user.pk), _mastery_key(user)])
    except Exception:
        logger.warning("cache unavailable; computing mastery", exc_info=True)
        return list(selectors.topic_mastery(user=user, at=at))
    token = stored.get(_token_key(user.pk), "")
    entry = stored.get(_mastery_key(user))
    if entry is not None and entry["token"] == token and entry["day"] == today:
        rows: list[dict[str, Any]] = entry["rows"]
        return rows
    rows = list(selectors.topic_mastery(user=user, at=at))
    until_midnight = scheduling.start_of_tomorrow(at, tz) - at
    try:
        cache.set(
            _mastery_key(user),
            {"token": token, "day": today, "rows": rows},
            timeout=max(1, int(until_midnight.total_seconds())),
        )
    except Exception:
        logger.warning("could not cache the mastery of user %s", user.pk, exc_info=True)
    return rows
