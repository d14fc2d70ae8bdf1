from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from awn.connectors.email.models import Mailbox
from awn.connectors.email.services import MAILBOX_FIELDS


class MailboxForm(forms.ModelForm):
    imap_password = forms.CharField(
        label=_("IMAP password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Stored encrypted. Leave empty to keep the current one."),
    )
    smtp_password = forms.CharField(
        label=_("SMTP password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Stored encrypted. Leave empty to keep the current one."),
    )

    class Meta:
        model = Mailbox
        fields = list(MAILBOX_FIELDS)
        widgets = {"signature": forms.Textarea(attrs={"rows": 3})}

    field_order = [*MAILBOX_FIELDS[:14], "imap_password", *MAILBOX_FIELDS[14:], "smtp_password"]

    def validate_unique(self) -> None:
        return None  # the service checks, with its own message

    def mailbox_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in MAILBOX_FIELDS}
