from __future__ import annotations

from urllib.parse import urlsplit

from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from awn.accounts.models import STAFF_ROLES, Team, User
from awn.connectors.chat.models import ChatWidget, ProactiveTrigger
from awn.connectors.chat.services.agents import MAX_CAPACITY
from awn.routing.models import Availability


class AvailabilityForm(forms.Form):
    availability = forms.ChoiceField(label=_("Availability"), choices=Availability.choices)
    capacity = forms.IntegerField(label=_("Chats at once"), min_value=0, max_value=MAX_CAPACITY)


class TransferForm(forms.Form):
    agent = forms.ModelChoiceField(label=_("To an agent"), required=False, queryset=User.objects.none())
    team = forms.ModelChoiceField(label=_("Or to a team"), required=False, queryset=Team.objects.all())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = User.objects.filter(role__in=list(STAFF_ROLES), is_active=True)

    def clean(self):
        data = super().clean()
        if bool(data.get("agent")) == bool(data.get("team")):
            raise forms.ValidationError(_("Choose an agent or a team."))
        return data


class ChatReplyForm(forms.Form):
    text = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


def _origin(value: str) -> str:
    value = value.strip().rstrip("/")
    if value == "*":
        return value
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path or parts.query:
        raise forms.ValidationError(
            _("“%(value)s” is not an origin like https://www.example.com."), params={"value": value[:100]}
        )
    return f"{parts.scheme}://{parts.netloc.lower()}"


class OriginsField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        return list(
            dict.fromkeys(_origin(line) for line in text.replace(",", "\n").splitlines() if line.strip())
        )


class WidgetForm(forms.ModelForm):
    allowed_origins = OriginsField(
        label=_("Allowed origins"),
        required=False,
        help_text=_(
            "One per line, e.g. https://www.example.com. Only pages on these sites can open the chat; "
            "* allows every site."
        ),
    )

    class Meta:
        model = ChatWidget
        fields = [
            "name",
            "team",
            "title",
            "greeting",
            "brand_colour",
            "position",
            "language",
            "prechat",
            "business_hours",
            "reply_time",
            "offline_mode",
            "allowed_origins",
            "active",
        ]
        widgets = {
            "greeting": forms.Textarea(attrs={"rows": 2}),
            "brand_colour": forms.TextInput(attrs={"type": "color"}),
        }


TriggerFormSet = inlineformset_factory(
    ChatWidget,
    ProactiveTrigger,
    fields=["path_pattern", "delay_seconds", "message", "active"],
    extra=1,
    can_delete=True,
    max_num=20,
)
