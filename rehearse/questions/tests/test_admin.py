"""The admin moves questions only through the workflow, and its history is read-only."""

from __future__ import annotations

import pytest
from django.test import Client

from rehearse.accounts.roles import Role
from rehearse.questions.models import QuestionStatus, QuestionTransition
from rehearse.questions.tests.conftest import Bank, Personas, make_user

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/questions/question/"


@pytest.fixture
def staff_moderator(personas: Personas) -> Client:
    client = Client()
    client.force_login(make_user("staff-mod@example.org", Role.MODERATOR, is_staff=True))
    return client


def test_publish_action_goes_through_the_service(staff_moderator: Client, bank: Bank) -> None:
    response = staff_moderator.post(
        CHANGELIST,
        {"action": "publish", "_selected_action": [bank.in_review.pk, bank.draft.pk]},
        follow=True,
    )
    assert response.status_code == 200
    bank.in_review.refresh_from_db()
    bank.draft.refresh_from_db()
    assert bank.in_review.status == QuestionStatus.PUBLISHED
    assert bank.draft.status == QuestionStatus.DRAFT  # refused, with a message
    texts = [str(message) for message in response.context["messages"]]
    assert any("only a question in review can be published" in text for text in texts)
    assert any("1 question(s) published" in text for text in texts)
    [step] = QuestionTransition.objects.all()
    assert (step.action, step.actor.email) == ("publish", "staff-mod@example.org")


def test_status_is_not_editable_in_the_form(staff_moderator: Client, bank: Bank) -> None:
    response = staff_moderator.get(f"{CHANGELIST}{bank.draft.pk}/change/")
    assert response.status_code == 200
    assert 'name="status"' not in response.content.decode()


def test_history_is_read_only(staff_moderator: Client, personas: Personas, bank: Bank) -> None:
    from rehearse.questions import services

    step = services.question_publish(question=bank.in_review, by=personas.moderator)
    transition = step.transitions.get()
    assert staff_moderator.get("/admin/questions/questiontransition/").status_code == 200
    assert staff_moderator.get("/admin/questions/questiontransition/add/").status_code == 403
    change = staff_moderator.post(
        f"/admin/questions/questiontransition/{transition.pk}/change/", {"reason": "forged"}
    )
    assert change.status_code == 403
    transition.refresh_from_db()
    assert transition.reason == ""
