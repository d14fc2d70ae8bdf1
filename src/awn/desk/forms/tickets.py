"""Forms of the desk's ticket screens: they parse input; the ticket services decide what is allowed."""

from __future__ import annotations

import html
from typing import Any

from django import forms
from django.db import transaction
from django.utils.formats import localize
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from awn.accounts.models import Team
from awn.accounts.selectors import staff_users
from awn.core.shared import ProcessCopy
from awn.tickets.models import Channel, Priority, Status
from awn.tickets.selectors import SORTS


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input; the services check their number and size."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


Choices = list[tuple[str, Any]]


class DeskForm(forms.Form):
    """Desk forms: labels without a trailing colon, the same in every language and direction."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def set_choices(form: forms.Form, name: str, choices: Choices) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


# The teams and the staff are read on every desk list page (the filter and bulk-action selects) and change
# rarely: each process keeps them until a user or a team is saved or deleted anywhere (`choices_changed`, from
# the signal handlers in desk/apps.py), which replaces a token in the shared cache.
CHOICES_VERSION_KEY = "awn:desk:choices:version"
# Each kind of rows ("teams", "staff") is loaded on first use within a generation.
_choices: ProcessCopy[dict[str, list[tuple[str, str]]]] = ProcessCopy(CHOICES_VERSION_KEY, dict)


def choices_changed() -> None:
    """Every process reloads the teams and the staff on its next use."""
    _choices.changed()


def _cached_rows(kind: str, load) -> list[tuple[str, str]]:
    kept = _choices.get()
    if kind not in kept:
        rows = load()
        if transaction.get_connection().in_atomic_block:
            return rows  # uncommitted rows of this transaction (or a rolled-back test's): never shared
        kept[kind] = rows
    return kept[kind]


def _team_rows() -> list[tuple[str, str]]:
    return [(str(pk), name) for pk, name in Team.objects.values_list("pk", "name")]


def _staff_rows() -> list[tuple[str, str]]:
    return [(str(user.pk), user.display_name) for user in staff_users().only("pk", "name", "email")]


def team_choices(empty: str | Promise, none_label: str | Promise | None = None) -> Choices:
    choices: Choices = [("", empty)]
    if none_label:
        choices.append(("0", none_label))
    return choices + _cached_rows("teams", _team_rows)


def staff_choices() -> Choices:
    """(id, name) of everyone a ticket can be assigned to; shared by a page's forms, cached per process."""
    return list(_cached_rows("staff", _staff_rows))


def assignee_choices(
    empty: str | Promise, none_label: str | Promise | None = None, staff: Choices | None = None
) -> Choices:
    choices: Choices = [("", empty)]
    if none_label:
        choices.append(("0", none_label))
    return choices + (staff if staff is not None else staff_choices())


def _text(value: Any) -> str:
    """A value as `{{ value }}` prints it: localized when not text, escaped unless marked safe (Django's
    conditional_escape, without its lazy-string wrapper: a page escapes ~300 of these)."""
    if hasattr(value, "__html__"):
        return value.__html__()
    if not isinstance(value, str):
        value = str(localize(value))
    return html.escape(value)


def _attributes(attrs: dict[str, Any]) -> str:
    """django/forms/widgets/attrs.html in Python."""
    return "".join(
        f" {_text(name)}" if value is True else f' {_text(name)}="{_text(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


class PlainSelect(forms.Select):
    """A <select> rendered in Python to the very HTML of Django's select.html and select_option.html.

    The template renderer costs two sub-templates per option; a desk list page holds ~150 options (the staff
    in the filter and bulk-action forms), which made the forms a fifth of the page's CPU. This follows
    `ChoiceWidget.optgroups` (one option selected, groups by a list of choices) without building its dicts.
    """

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        values = self.format_value(value)
        select_attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            select_attrs["multiple"] = True
        parts = [f'<select name="{_text(name)}"{_attributes(select_attrs)}>']
        chosen = False
        for option_value, option_label in self.choices:
            if isinstance(option_label, list | tuple):
                group, options = option_value, option_label
            else:
                group, options = None, [("" if option_value is None else option_value, option_label)]
            if group:
                parts.append(f'\n  <optgroup label="{_text(group)}">')
            for subvalue, sublabel in options:
                selected = (not chosen or self.allow_multiple_selected) and str(subvalue) in values
                chosen |= selected
                parts.append(
                    f'\n  <option value="{_text(str(subvalue))}"{" selected" if selected else ""}>'
                    f"{_text(sublabel)}</option>\n"
                )
            if group:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


class TicketNumbersField(forms.Field):
    """Ticket numbers from checkboxes; the view checks each against the visibility scope."""

    widget = forms.MultipleHiddenInput
    MAX = 100

    def to_python(self, value):
        if not value:
            return []
        try:
            numbers = sorted({int(item) for item in value})
        except (TypeError, ValueError) as exc:
            raise forms.ValidationError(_("The selection is not valid."), code="invalid") from exc
        if len(numbers) > self.MAX:
            raise forms.ValidationError(
                _("Select at most %(max)d tickets at once.") % {"max": self.MAX}, code="too_many"
            )
        return numbers


class QueueFilterForm(DeskForm):
    """The inbox's filters; the requester is typed as an email address and looked up by the view."""

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        widget=PlainSelect,
        choices=[("", _("Any status")), *Status.choices],
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        required=False,
        coerce=int,
        empty_value=None,
        widget=PlainSelect,
        choices=[("", _("Any priority")), *Priority.choices],
    )
    team = forms.TypedChoiceField(
        label=_("Team"), required=False, coerce=int, empty_value=None, widget=PlainSelect
    )
    assignee = forms.TypedChoiceField(
        label=_("Assignee"), required=False, coerce=int, empty_value=None, widget=PlainSelect
    )
    tag = forms.CharField(label=_("Tag"), required=False, max_length=64)
    channel = forms.ChoiceField(
        label=_("Channel"),
        required=False,
        widget=PlainSelect,
        choices=[("", _("Any channel")), *Channel.choices],
    )
    requester = forms.CharField(label=_("Requester email"), required=False, max_length=254)
    sort = forms.ChoiceField(required=False, choices=[(name, name) for name in SORTS])

    def __init__(self, *args, staff: Choices | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        set_choices(self, "team", team_choices(_("Any team"), _("No team")))
        set_choices(self, "assignee", assignee_choices(_("Anyone"), _("Nobody"), staff))


class BulkActionForm(DeskForm):
    ACTIONS = [("assign", _("Assign to")), ("status", _("Set status")), ("tag", _("Add tag"))]

    tickets = TicketNumbersField(error_messages={"required": _("Select at least one ticket.")})
    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS, widget=PlainSelect)
    assignee = forms.TypedChoiceField(
        label=_("Assignee"), required=False, coerce=int, empty_value=None, widget=PlainSelect
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, widget=PlainSelect, choices=[("", "—"), *Status.choices]
    )
    tag = forms.CharField(label=_("Tag"), required=False, max_length=64)

    def __init__(self, *args, staff: Choices | None = None, **kwargs):
        # The inbox shows this form beside the filter form, which has fields of the same names:
        # its own prefix keeps every element id on the page unique (labels point at the right field).
        kwargs.setdefault("auto_id", "id_bulk_%s")
        super().__init__(*args, **kwargs)
        set_choices(self, "assignee", assignee_choices("—", _("Nobody (unassign)"), staff))

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action == "assign" and data.get("assignee") is None:
            self.add_error("assignee", _("Choose whom to assign the tickets to."))
        if action == "status" and not data.get("status"):
            self.add_error("status", _("Choose a status."))
        if action == "tag" and not (data.get("tag") or "").strip():
            self.add_error("tag", _("Enter a tag."))
        return data


class ReplyForm(DeskForm):
    KINDS = [("reply", _("Public reply")), ("note", _("Internal note"))]

    kind = forms.ChoiceField(label=_("Type"), choices=KINDS, initial="reply", widget=forms.RadioSelect)
    body = forms.CharField(
        label=_("Message"), widget=forms.Textarea(attrs={"rows": 6, "dir": "auto"}), max_length=100_000
    )
    attachments = MultipleFileField(label=_("Attachments"), required=False)
    status = forms.ChoiceField(
        label=_("And set status"), required=False, choices=[("", _("Keep status")), *Status.choices]
    )


class StatusForm(DeskForm):
    status = forms.CharField(label=_("Status"), max_length=16)  # the state machine checks the value


class PriorityForm(DeskForm):
    priority = forms.TypedChoiceField(label=_("Priority"), coerce=int, choices=Priority.choices)


class AssigneeForm(DeskForm):
    assignee = forms.TypedChoiceField(label=_("Assignee"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        set_choices(self, "assignee", assignee_choices(_("Nobody")))


class TeamForm(DeskForm):
    team = forms.TypedChoiceField(label=_("Team"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        set_choices(self, "team", team_choices(_("No team")))


class TagsForm(DeskForm):
    tags = forms.CharField(
        label=_("Tags"), required=False, max_length=2000, help_text=_("Separated by commas or spaces.")
    )

    def tag_list(self) -> list[str]:
        raw = self.cleaned_data.get("tags") or ""
        return [part for part in raw.replace(",", " ").split() if part]


class MergeForm(DeskForm):
    target = forms.IntegerField(label=_("Merge into ticket number"), min_value=1)
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)


class CallerFields(DeskForm):
    email = forms.EmailField(label=_("Email"))
    name = forms.CharField(label=_("Name"), required=False, max_length=200)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40)


class PhoneCallForm(CallerFields):
    subject = forms.CharField(label=_("Subject"), required=False, max_length=255)
    summary = forms.CharField(
        label=_("Summary of the call"), widget=forms.Textarea(attrs={"rows": 6}), max_length=100_000
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"), coerce=int, choices=Priority.choices, initial=Priority.NORMAL
    )
    ticket = forms.IntegerField(label=_("Existing ticket number (optional)"), required=False, min_value=1)

    field_order = ["email", "name", "phone", "ticket", "subject", "summary", "priority"]

    def clean(self):
        data = super().clean()
        if not data.get("ticket") and not (data.get("subject") or "").strip():
            self.add_error("subject", _("A subject is required for a new ticket."))
        return data


class NewTicketForm(CallerFields):
    subject = forms.CharField(label=_("Subject"), max_length=255)
    body = forms.CharField(
        label=_("Message from the customer"), widget=forms.Textarea(attrs={"rows": 6}), max_length=100_000
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.EMAIL)
    priority = forms.TypedChoiceField(
        label=_("Priority"), coerce=int, choices=Priority.choices, initial=Priority.NORMAL
    )
    team = forms.TypedChoiceField(label=_("Team"), coerce=int, required=False, empty_value=None)
    attachments = MultipleFileField(label=_("Attachments"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        set_choices(self, "team", team_choices(_("No team")))
