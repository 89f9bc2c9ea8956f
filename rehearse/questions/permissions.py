"""Who may do what with questions, as one table the question API declares.

Two questions are asked of every request, in this order:

1. May this user call this action at all? A Django permission from their roles
   (``rehearse.accounts.roles``). No: 401 without credentials, 403 with.
2. May they do it to this question? Asked only of a question they can *see*: the
   viewset's ``get_queryset`` applies ``Question.objects.visible_to`` first, so another
   author's draft is a 404 before this is ever asked. No: 403.

The state rules (an author's question must still be a draft; only a question in review
can be published) are the services' business and answer 409.

| action                     | needs (from the roles)            | on a question they see |
|----------------------------|-----------------------------------|------------------------|
| list, retrieve             | nothing                           | any                    |
| create                     | questions.add_question            | -                      |
| update, partial_update     | questions.change_question         | their own, or moderator|
| destroy                    | questions.delete_question         | their own, or moderator|
| submit                     | questions.change_question         | their own, or moderator|
| publish, reject, unpublish | questions.moderate_question       | any                    |
| history                    | questions.view_questiontransition | any                    |
|                            | or is_staff (admins)              |                        |
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from rehearse.questions.models import Question
from rehearse.questions.services import MODERATE_PERMISSION

UserCheck = Callable[[Any], bool]
ObjectCheck = Callable[[Any, Question], bool]


def anyone(user: Any) -> bool:
    return True


def holds(permission: str) -> UserCheck:
    def check(user: Any) -> bool:
        return bool(user.is_authenticated and user.has_perm(permission))

    return check


def staff_or(other: UserCheck) -> UserCheck:
    def check(user: Any) -> bool:
        return bool(user.is_authenticated and user.is_staff) or other(user)

    return check


def any_question(user: Any, question: Question) -> bool:
    return True


def own_or_moderator(user: Any, question: Question) -> bool:
    return question.author_id == user.pk or user.has_perm(MODERATE_PERMISSION)


@dataclass(frozen=True)
class Rule:
    may_call: UserCheck
    may_touch: ObjectCheck = any_question


READ = Rule(anyone)
MODERATE = Rule(holds(MODERATE_PERMISSION))

QUESTION_RULES: dict[str, Rule] = {
    "list": READ,
    "retrieve": READ,
    "metadata": READ,  # OPTIONS
    "create": Rule(holds("questions.add_question")),
    "update": Rule(holds("questions.change_question"), own_or_moderator),
    "partial_update": Rule(holds("questions.change_question"), own_or_moderator),
    "destroy": Rule(holds("questions.delete_question"), own_or_moderator),
    "submit": Rule(holds("questions.change_question"), own_or_moderator),
    "publish": MODERATE,
    "reject": MODERATE,
    "unpublish": MODERATE,
    "history": Rule(staff_or(holds("questions.view_questiontransition"))),
}


class RuleTablePermission(BasePermission):
    """Look the view's action up in ``rules``; an action missing from it is refused."""

    rules: dict[str, Rule] = {}

    def has_permission(self, request: Request, view: Any) -> bool:
        if view.action is None:
            # A method the route does not have (POST on an item): nothing to guard,
            # DRF answers 405 next.
            return True
        rule = self.rules.get(view.action)
        return rule is not None and rule.may_call(request.user)

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        rule = self.rules.get(view.action or "")
        return rule is not None and rule.may_touch(request.user, obj)


class QuestionAccess(RuleTablePermission):
    rules = QUESTION_RULES
