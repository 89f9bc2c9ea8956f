"""Registering OAuth2 clients in the admin site (``APPLICATION_ADMIN_CLASS`` names this).

The toolkit's own admin lets a staff user pick any grant (implicit, password...), edit
the secret and skip consent. This one offers what rehearse supports and saves through
``rehearse.oauth.services``, so the admin site and the API follow the same rules.

The add form shows a freshly generated secret, which is what a confidential client
will use: copy it before saving, because only its hash is stored. A public client's
secret is discarded.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import get_application_model

from rehearse.accounts.models import User
from rehearse.oauth import services
from rehearse.oauth.scopes import SCOPES

Application = get_application_model()

_FIELD_OF = {"grant_type": "authorization_grant_type"}


class ApplicationForm(forms.ModelForm):
    redirect_uris = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line. Matched exactly; https (http only on 127.0.0.1 where allowed).",
    )
    allowed_scopes = forms.MultipleChoiceField(
        choices=[(scope, f"{scope}: {description}") for scope, description in SCOPES.items()],
        widget=forms.CheckboxSelectMultiple,
        help_text="What the client may ask for. Client credentials: questions:read only.",
    )
    client_secret = forms.CharField(
        required=False,
        widget=forms.TextInput(attrs={"readonly": True, "size": 80, "autocomplete": "off"}),
        help_text=(
            "Copy it now: it is stored hashed and cannot be shown again. Confidential "
            "clients only; a public client gets none."
        ),
    )

    class Meta:
        model = Application
        fields = ("name", "client_type", "authorization_grant_type")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        grant_field = self.fields["authorization_grant_type"]
        grant_field.choices = [  # type: ignore[attr-defined]
            (value, label)
            for value, label in Application.GRANT_TYPES
            if value in services.GRANT_TYPES
        ]
        if self.instance.pk is None:
            self.fields["client_secret"].initial = generate_client_secret()
        else:
            del self.fields["client_secret"]
            for name in ("client_type", "authorization_grant_type"):
                self.fields[name].disabled = True
            self.fields["redirect_uris"].initial = "\n".join(self.instance.redirect_uris.split())
            policy = getattr(self.instance, "policy", None)
            self.fields["allowed_scopes"].initial = policy.scopes if policy is not None else []

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        # One per line here, space-separated in the model (whose own clean() runs next).
        uris = (cleaned.get("redirect_uris") or "").split()
        cleaned["redirect_uris"] = " ".join(uris)
        try:
            services.application_check(
                client_type=cleaned.get("client_type", ""),
                grant_type=cleaned.get("authorization_grant_type", ""),
                redirect_uris=uris,
                allowed_scopes=cleaned.get("allowed_scopes", []),
            )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                self.add_error(_FIELD_OF.get(field, field), messages)
        return cleaned

    def save_through_services(self, *, by: User) -> Any:
        data = self.cleaned_data
        if self.instance.pk is None:
            return services.application_create(
                name=data["name"],
                client_type=data["client_type"],
                grant_type=data["authorization_grant_type"],
                redirect_uris=data["redirect_uris"].split(),
                allowed_scopes=data["allowed_scopes"],
                client_secret=data.get("client_secret") or None,
                by=by,
            ).application
        return services.application_update(
            application=self.instance,
            name=data["name"],
            redirect_uris=data["redirect_uris"].split(),
            allowed_scopes=data["allowed_scopes"],
            by=by,
        )


class ApplicationAdmin(admin.ModelAdmin):
    form = ApplicationForm
    list_display = (
        "name",
        "client_id",
        "client_type",
        "authorization_grant_type",
        "scopes",
        "created",
    )
    list_filter = ("client_type", "authorization_grant_type")
    search_fields = ("name", "client_id")
    readonly_fields = ("client_id", "secret", "created", "updated")
    radio_fields = {"client_type": admin.HORIZONTAL, "authorization_grant_type": admin.VERTICAL}

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("policy")

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        fields = ["name", "client_type", "authorization_grant_type", "redirect_uris"]
        fields += ["allowed_scopes"]
        if obj is None:
            return [*fields, "client_secret"]
        return ["client_id", *fields, "secret", "created", "updated"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return self.readonly_fields if obj is not None else ()

    @admin.display(description="allowed scopes")
    def scopes(self, application: Any) -> str:
        policy = getattr(application, "policy", None)
        return policy.allowed_scopes if policy is not None else "none"

    @admin.display(description="client secret")
    def secret(self, application: Any) -> str:
        if application.client_type == services.PUBLIC:
            return "None: a public client has no secret."
        return "Stored hashed; it cannot be shown. Register a new client to get a new secret."

    # The form's service call does the saving (in one transaction, with the rules); the
    # admin's own save steps would only write the same row again.
    def save_form(self, request: HttpRequest, form: Any, change: bool) -> Any:
        return form.save_through_services(by=request.user)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        pass

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        pass
