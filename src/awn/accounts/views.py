from django import forms
from django.contrib.auth import authenticate, login, logout
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from awn.accounts import throttle


class LoginForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Email"), widget=forms.EmailInput(attrs={"autocomplete": "email",
                                                                                           "autofocus": True}))
    password = forms.CharField(label=gettext_lazy("Password"),
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
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
    return render(request, "accounts/login.html", {"form": form, "next": _safe_next(request, "")}, status=status)


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
