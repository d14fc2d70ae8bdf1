import hashlib

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from awn.accounts import throttle
from awn.accounts.forms import ProfileForm, SignInLinkForm, SignUpForm
from awn.accounts.selectors import find_user_by_email
from awn.accounts.tasks import send_sign_in_link
from awn.accounts.tokens import InvalidSignInLink, user_for_sign_in_token
from awn.core import ratelimit


class LoginForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Email"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    password = forms.CharField(
        label=gettext_lazy("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def home_for(user) -> str:
    return reverse("desk:inbox") if user.is_staff_member else reverse("portal:tickets")


def login_view(request):
    """Password sign-in for staff and customers, throttled per address and per IP."""
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        email, ip = form.cleaned_data["email"], throttle.client_ip(request)
        if throttle.is_locked(email, ip):
            form.add_error(None, _("Too many failed sign-ins. Please wait a few minutes and try again."))
            status = 429
        else:
            user = authenticate(request, email=email, password=form.cleaned_data["password"])
            if user is None:
                throttle.record_failure(email, ip)
                form.add_error(None, _("That email and password do not match an account."))
                status = 400
            else:
                throttle.clear_failures(email, ip)
                login(request, user)
                if user.language:
                    request.session["awn_language"] = user.language
                return redirect(_safe_next(request, home_for(user)))
    return render(
        request, "accounts/login.html", {"form": form, "next": _safe_next(request, "")}, status=status
    )


@require_POST
def logout_view(request):
    logout(request)
    return redirect("accounts:login")


@require_POST
def set_language(request):
    """Pick the interface language; stored on the account when signed in, else in the session."""
    language = request.POST.get("language", "")
    target = _safe_next(request, "/")
    if check_for_language(language):
        request.session["awn_language"] = language
        if request.user.is_authenticated and request.user.language != language:
            request.user.language = language
            request.user.save(update_fields=["language"])
    return HttpResponseRedirect(target)


def _start_session(request, user) -> None:
    login(request, user)
    if user.language:
        request.session["awn_language"] = user.language


SIGNUP_WINDOW = 3600
# Per address, on top of the per-IP limit: nobody can flood one inbox with sign-in links.
LINKS_PER_ADDRESS = 3


def signup_view(request):
    """Create a customer account and sign in; an address already known gets a sign-in link instead."""
    if request.user.is_authenticated:
        return redirect(home_for(request.user))
    form = SignUpForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        ip = throttle.client_ip(request)
        if ratelimit.is_limited("signup", ip, limit=settings.AWN_SIGNUP_RATE_LIMIT):
            form.add_error(None, _("Too many sign-ups from your network. Please try again in an hour."))
            status = 429
        else:
            ratelimit.hit("signup", ip, window=SIGNUP_WINDOW)
            email = form.cleaned_data["email"]
            user = None
            if find_user_by_email(email) is None:
                user = form.create_customer(language=translation.get_language() or settings.LANGUAGE_CODE)
            if user is None:
                # The address belongs to someone (maybe a customer created from an earlier email, with no
                # password yet). Signing in here would take that history over: mail its owner a link instead.
                _mail_sign_in_link(email, reason="sign_up")
                return render(request, "accounts/check_email.html", {"email": email})
            _start_session(request, user)
            messages.success(request, _("Welcome! Your account is ready."))
            return redirect(_safe_next(request, home_for(user)))
    elif request.method == "POST":
        status = 400
    return render(
        request, "accounts/signup.html", {"form": form, "next": _safe_next(request, "")}, status=status
    )


def _mail_sign_in_link(email: str, *, reason: str) -> None:
    """Queue a sign-in link for the account behind `email`, if there is one; silent either way."""
    digest = hashlib.sha256(email.encode()).hexdigest()[:32]
    sent = ratelimit.hit("sign-in-link-address", digest, window=settings.AWN_MAGIC_LINK_MAX_AGE)
    if sent > LINKS_PER_ADDRESS:
        return
    user = find_user_by_email(email)
    if user is not None and user.is_active:
        send_sign_in_link(user.pk, language=translation.get_language() or "", reason=reason)


def link_request_view(request):
    """Ask for a one-time sign-in link. The answer never says whether the address has an account."""
    form = SignInLinkForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        ip = throttle.client_ip(request)
        if ratelimit.is_limited("sign-in-link", ip, limit=settings.AWN_SIGNUP_RATE_LIMIT):
            form.add_error(None, _("Too many requests from your network. Please try again later."))
            status = 429
        else:
            ratelimit.hit("sign-in-link", ip, window=SIGNUP_WINDOW)
            _mail_sign_in_link(form.cleaned_data["email"], reason="sign_in")
            return render(request, "accounts/check_email.html", {"email": form.cleaned_data["email"]})
    elif request.method == "POST":
        status = 400
    return render(request, "accounts/link_request.html", {"form": form}, status=status)


def link_sign_in_view(request, token: str):
    """Follow a sign-in link: sign in (which also spends the link) and go home."""
    try:
        user = user_for_sign_in_token(token)
    except InvalidSignInLink as error:
        return render(request, "accounts/link_invalid.html", {"reason": error.reason}, status=400)
    _start_session(request, user)
    return redirect(home_for(user))


@login_required
def profile_view(request):
    """Name, language, time zone and password of the signed-in person."""
    user = request.user
    password_form_class = PasswordChangeForm if user.has_usable_password() else SetPasswordForm
    profile_form = ProfileForm(
        instance=user, initial={"language": user.language or translation.get_language()}
    )
    password_form = password_form_class(user)
    status = 200
    if request.method == "POST" and request.POST.get("action") == "password":
        password_form = password_form_class(user, request.POST)
        if password_form.is_valid():
            password_form.save()
            update_session_auth_hash(request, user)
            messages.success(request, _("Your password was changed."))
            return redirect("accounts:profile")
        status = 400
    elif request.method == "POST":
        profile_form = ProfileForm(request.POST, instance=user)
        if profile_form.is_valid():
            profile_form.save()
            request.session["awn_language"] = user.language
            translation.activate(user.language)
            messages.success(request, _("Your profile was saved."))
            return redirect("accounts:profile")
        status = 400
    return render(
        request,
        "accounts/profile.html",
        {
            "profile_form": profile_form,
            "password_form": password_form,
            "has_password": user.has_usable_password(),
        },
        status=status,
    )
