"""Account pages: sign up, log in and out, password, profile (session + CSRF)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from rehearse.accounts import services
from rehearse.accounts.models import User
from rehearse.core.exceptions import DomainError
from rehearse.core.throttling import page_throttled
from rehearse.web.forms import (
    LimitedAuthenticationForm,
    PasswordChangeForm,
    ProfileForm,
    SignUpForm,
    add_domain_error,
)


class LoginView(auth_views.LoginView):
    """Session sign-in for the pages and for the OAuth consent page (``LOGIN_URL``)."""

    template_name = "web/accounts/login.html"
    form_class = LimitedAuthenticationForm
    next_page = "web:home"

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_invalid(form)
        retry_after = getattr(form, "retry_after", None)
        if retry_after is not None:
            response.status_code = 429
            response["Retry-After"] = str(retry_after)
        return response


class LogoutView(auth_views.LogoutView):
    """Session sign-out (POST, with CSRF)."""

    next_page = "web:login"


def _throttled(
    request: HttpRequest, template: str, form: forms.Form, message: str, wait: int
) -> HttpResponse:
    """The form again, refused with 429 and Retry-After, as the API twin answers."""
    form.add_error(None, message)
    response = render(request, template, {"form": form}, status=429)
    response["Retry-After"] = str(wait)
    return response


@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("web:home")
    form = SignUpForm(request.POST or None)
    status = 200
    if request.method == "POST":
        wait = page_throttled(request, scope="register")
        if wait is not None:
            message = f"Too many sign-ups from your address. Try again in {wait} seconds."
            return _throttled(request, "web/accounts/signup.html", form, message, wait)
        if form.is_valid():
            data = form.cleaned_data
            try:
                user = services.user_register(
                    email=data["email"],
                    password=data["password"],
                    display_name=data["display_name"],
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(
                    request, "Welcome to rehearse. Set your interview date and time zone."
                )
                return redirect("web:profile")
        status = 400
    return render(request, "web/accounts/signup.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    # The form edits a copy: a rejected change must not leak into the page's header.
    form = ProfileForm(request.POST or None, instance=User.objects.get(pk=user.pk))
    if request.method == "POST":
        if form.is_valid():
            try:
                services.user_update_profile(
                    user=user, **{name: form.cleaned_data[name] for name in form.changed_data}
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, "Profile saved.")
                return redirect("web:profile")
        return render(request, "web/accounts/profile.html", {"form": form}, status=400)
    return render(request, "web/accounts/profile.html", {"form": form})


@sensitive_post_parameters("current_password", "new_password")
@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST":
        wait = page_throttled(request, scope="password")
        if wait is not None:
            message = f"Too many attempts. Try again in {wait} seconds."
            return _throttled(request, "web/accounts/password.html", form, message, wait)
        if form.is_valid():
            try:
                services.user_change_password(user=user, **form.cleaned_data)
            except DomainError as error:
                add_domain_error(form, error)
            else:
                # Every token is revoked; this session stays signed in with the new hash.
                update_session_auth_hash(request, user)
                messages.success(request, "Password changed. Other devices are signed out.")
                return redirect("web:profile")
        return render(request, "web/accounts/password.html", {"form": form}, status=400)
    return render(request, "web/accounts/password.html", {"form": form})
