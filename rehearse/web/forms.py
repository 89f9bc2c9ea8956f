"""The pages' forms. They shape input for the same services the API calls; every rule
they enforce beyond "this field is required" lives in the model or the service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from rest_framework import serializers

from rehearse.accounts.models import User
from rehearse.accounts.services import sign_in_attempt, sign_in_succeeded
from rehearse.core.exceptions import DomainError
from rehearse.katas.api.serializers import SubmissionCreateSerializer
from rehearse.katas.catalog import Kata
from rehearse.questions.api.serializers import TAGS_MAX, QuestionWriteSerializer
from rehearse.questions.models import Question, Topic
from rehearse.questions.services import REASON_MAX_LENGTH


def add_domain_error(form: forms.BaseForm, error: DomainError) -> None:
    """Show a service's refusal on the form: per field where it names fields."""
    errors = error.extensions.get("errors")
    if isinstance(errors, dict) and errors:
        for field, messages in errors.items():
            target = field if field in form.fields else None
            for message in messages if isinstance(messages, list) else [messages]:
                form.add_error(target, str(message))
    else:
        form.add_error(None, error.detail)


class LimitedAuthenticationForm(AuthenticationForm):
    """Django's sign-in form, with the per-account failure limit of the API sign-in.

    The counter is the one ``POST /api/v1/auth/token/`` uses, so guesses spread over
    both doors still hit one limit.
    """

    retry_after: int | None = None

    def clean(self) -> dict[str, Any]:
        email = self.cleaned_data.get("username")
        if not email or not self.cleaned_data.get("password"):
            return super().clean()
        wait = sign_in_attempt(email)
        if wait is not None:
            self.retry_after = wait
            raise forms.ValidationError(
                f"Too many failed sign-ins for this account. Try again in "
                f"{self.retry_after} seconds.",
                code="throttled",
            )
        cleaned = super().clean()
        sign_in_succeeded(email)
        return cleaned


class SignUpForm(forms.Form):
    email = forms.EmailField(
        max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 10 characters; not a common password, not all digits.",
    )
    display_name = forms.CharField(max_length=80, required=False, label="Display name")


class ProfileForm(forms.ModelForm[User]):
    class Meta:
        model = User
        fields = [
            "display_name",
            "time_zone",
            "target_role",
            "interview_date",
            "daily_review_limit",
        ]
        labels = {
            "time_zone": "Time zone",
            "target_role": "Role you are preparing for",
            "interview_date": "Interview date",
            "daily_review_limit": "Reviews per day",
        }
        help_texts = {
            "time_zone": "An IANA name such as Europe/Paris: your day starts at midnight there.",
            "interview_date": "Reviews are scheduled to fall before it.",
            "daily_review_limit": "From 1 to 1000.",
        }
        widgets = {
            "interview_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "time_zone": forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        }


class PasswordChangeForm(forms.Form):
    current_password = forms.CharField(
        strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    new_password = forms.CharField(
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 10 characters. Every other signed-in device is signed out.",
    )


# -- Authoring and moderation ----------------------------------------------------------


def flat_messages(detail: Any) -> list[str]:
    """A serializer field's errors as flat text (list fields nest theirs by index)."""
    if isinstance(detail, dict):
        return [message for value in detail.values() for message in flat_messages(value)]
    if isinstance(detail, list):
        return [message for value in detail for message in flat_messages(value)]
    return [str(detail)]


class QuestionDraftForm(forms.ModelForm[Question]):
    """The fields of the API's ``QuestionWriteSerializer``, with the model's limits.

    It only shapes input for ``question_create`` / ``question_update``: it is never
    saved, and the slug, the status and the author are the services' business.
    """

    topic = forms.ModelChoiceField(
        queryset=Topic.objects.order_by("title"), to_field_name="slug", empty_label="Choose a topic"
    )
    tags = forms.CharField(
        required=False,
        help_text=f"Up to {TAGS_MAX} tag slugs separated by commas, e.g. auth, tokens.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    class Meta:
        model = Question
        fields = ["topic", "title", "prompt", "answer", "difficulty"]
        help_texts = {
            "prompt": "Markdown: the question as a learner reads it.",
            "answer": "Markdown. A worked answer; it may stay empty while you write.",
        }
        widgets = {
            "prompt": forms.Textarea(attrs={"rows": 8}),
            "answer": forms.Textarea(attrs={"rows": 14}),
        }

    @staticmethod
    def initial_from(question: Question) -> dict[str, Any]:
        """A stored question as the form's initial values (the topic by slug)."""
        return {
            "topic": question.topic.slug,
            "title": question.title,
            "prompt": question.prompt,
            "answer": question.answer,
            "difficulty": question.difficulty,
            "tags": ", ".join(tag.slug for tag in question.tags.all()),
        }

    def clean_tags(self) -> list[str]:
        """``"auth, tokens"`` as ``["auth", "tokens"]``, checked by the API's own tags field
        (how many, how long, slug characters)."""
        text: str = self.cleaned_data.get("tags") or ""
        slugs = list(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
        field = QuestionWriteSerializer().fields["tags"]
        try:
            return list(field.run_validation(slugs))
        except serializers.ValidationError as error:
            raise forms.ValidationError(flat_messages(error.detail)) from None


class RejectForm(forms.Form):
    reason = forms.CharField(
        max_length=REASON_MAX_LENGTH,
        label="Reason for rejecting",
        help_text="The author reads it next to their draft.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class UnpublishForm(forms.Form):
    reason = forms.CharField(
        max_length=REASON_MAX_LENGTH,
        required=False,
        label="Reason for unpublishing",
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PublishForm(forms.Form):
    """Publishing takes nothing but the question."""


class SubmissionForm(forms.Form):
    """The code editor. Its one rule, the size limit, is the API's: the serializer checks it."""

    code = forms.CharField(
        label="Python code",
        strip=False,
        widget=forms.Textarea(
            attrs={
                "class": "code",
                "rows": 18,
                "spellcheck": "false",
                "autocapitalize": "off",
                "autocomplete": "off",
                "data-editor": True,
            }
        ),
    )

    def __init__(self, *args: Any, kata: Kata, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kata = kata
        self.fields["code"].help_text = (
            f"At most {kata.limits.code_bytes:,} bytes. Tab indents and Shift+Tab dedents; "
            "Esc then Tab to leave the editor."
        )

    def clean_code(self) -> str:
        # Browsers send a textarea's line breaks as CRLF; source is stored with LF, as the
        # API receives it.
        code = str(self.cleaned_data["code"]).replace("\r\n", "\n")
        serializer = SubmissionCreateSerializer(data={"code": code}, context={"kata": self.kata})
        if not serializer.is_valid():
            raise forms.ValidationError([str(message) for message in serializer.errors["code"]])
        return str(serializer.validated_data["code"])
