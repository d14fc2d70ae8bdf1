"""Forms of the automation screens; services validate the JSON and write."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from awn.automation.models import Rule, RuleSet
from awn.desk.forms.tickets import DeskForm
from awn.tickets.models import Channel, Priority, Status


class JSONField(forms.CharField):
    """A textarea holding JSON; parsed here, validated by the automation schema in the service."""

    widget = forms.Textarea(attrs={"rows": 8, "dir": "ltr", "spellcheck": "false", "class": "code"})

    def __init__(self, *args, empty: Any = None, **kwargs):
        self.empty = empty
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 100_000)
        super().__init__(*args, **kwargs)

    def prepare_value(self, value: Any) -> str:
        if isinstance(value, str):
            return value
        return json.dumps(value if value is not None else self.empty, ensure_ascii=False, indent=2)

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value) or ""
        if not text.strip():
            return self.empty
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                _("This is not valid JSON (line %(line)s, column %(column)s)."),
                params={"line": exc.lineno, "column": exc.colno},
            ) from exc


class RuleSetForm(DeskForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    mode = forms.ChoiceField(label=_("Mode"), choices=RuleSet.Mode.choices)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class RuleForm(DeskForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    rule_set = forms.ModelChoiceField(label=_("Rule set"), queryset=RuleSet.objects.all(), empty_label=None)
    event = forms.ChoiceField(label=_("Runs on"), choices=Rule.Event.choices)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    conditions = JSONField(
        label=_("Conditions"),
        empty={"all": [], "any": []},
        help_text=_('{"all": [...], "any": [...]}: every condition of "all", and one of "any".'),
    )
    actions = JSONField(
        label=_("Actions"), empty=[], help_text=_('A list: [{"type": "add_tags", "tags": ["vip"]}]')
    )


class DryRunForm(DeskForm):
    """Pick a ticket by number, or describe one (a pasted sample)."""

    event = forms.ChoiceField(label=_("Event"), choices=Rule.Event.choices, initial=Rule.Event.CREATED)
    number = forms.IntegerField(label=_("Ticket number"), required=False, min_value=1)
    subject = forms.CharField(label=_("Subject"), required=False, max_length=255)
    body = forms.CharField(
        label=_("Message"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.EMAIL)
    priority = forms.TypedChoiceField(
        label=_("Priority"), coerce=int, choices=Priority.choices, initial=Priority.NORMAL
    )
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices, initial=Status.NEW)
    requester = forms.EmailField(label=_("Requester email"), required=False)
    tags = forms.CharField(label=_("Tags"), required=False, max_length=500)
    language = forms.CharField(
        label=_("Language"), required=False, max_length=8, help_text=_("Empty: detected from the message.")
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("number") and not (data.get("subject") or data.get("body")):
            raise forms.ValidationError(_("Give a ticket number, or a subject or message to test."))
        return data


class SavedReplyForm(DeskForm):
    title = forms.CharField(label=_("Title"), max_length=120)
    shortcut = forms.CharField(
        label=_("Shortcut"),
        required=False,
        max_length=40,
        help_text=_("A word to find it fast from the reply box, e.g. refund."),
    )
    body = forms.CharField(
        label=_("Text"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 6, "dir": "auto"}),
        help_text=_("Placeholders: {{ ticket.number }}, {{ requester.first_name }}, {{ agent.name }}…"),
    )
    shared = forms.BooleanField(label=_("Shared with everyone"), required=False)
    set_status = forms.ChoiceField(
        label=_("And set status"), required=False, choices=[("", _("Keep status")), *Status.choices]
    )
    add_tags = forms.CharField(label=_("And add tags"), required=False, max_length=500)


class WebhookForm(DeskForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    secret = forms.CharField(
        label=_("Signing secret"),
        required=False,
        max_length=128,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("At least 16 characters. Leave empty to keep the current one."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
