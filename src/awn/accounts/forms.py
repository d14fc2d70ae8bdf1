"""Forms of the accounts pages: sign-up, sign-in link, profile."""

from __future__ import annotations

import functools
import zoneinfo

from django import forms
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from awn.accounts.models import Role, User


class SignUpForm(forms.Form):
    name = forms.CharField(
        label=_("Your name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name", "autofocus": True}),
    )
    email = forms.EmailField(
        label=_("Email"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters, not a common password."),
    )

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        if password:
            candidate = User(email=cleaned.get("email", ""), name=cleaned.get("name", ""))
            try:
                validate_password(password, user=candidate)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned

    def create_customer(self, *, language: str) -> User | None:
        """The new customer account, or None when the address was taken meanwhile (a concurrent sign-up)."""
        data = self.cleaned_data
        try:
            with transaction.atomic():
                return User.objects.create_user(
                    email=data["email"],
                    password=data["password"],
                    name=data["name"],
                    role=Role.CUSTOMER,
                    language=language,
                )
        except IntegrityError:
            return None


class SignInLinkForm(forms.Form):
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()


@functools.cache
def timezone_choices() -> list[tuple[str, str]]:
    names = {
        name
        for name in zoneinfo.available_timezones()
        if name not in {"localtime", "Factory"} and not name.startswith(("posix/", "right/"))
    }
    return [(name, name.replace("_", " ")) for name in sorted(names)]


class ProfileForm(forms.ModelForm):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    timezone = forms.ChoiceField(
        label=_("Time zone"),
        choices=timezone_choices,
        help_text=_("Dates and times are shown in this time zone."),
    )

    class Meta:
        model = User
        fields = ["name", "language", "timezone"]
        widgets = {"name": forms.TextInput(attrs={"autocomplete": "name"})}

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Please enter your name."))
        return name

    def clean_timezone(self) -> str:
        value = self.cleaned_data["timezone"]
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise forms.ValidationError(_("Unknown time zone.")) from exc
        return value
