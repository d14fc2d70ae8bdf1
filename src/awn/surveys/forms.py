from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from awn.surveys.links import RATING_SLUGS
from awn.surveys.models import Rating, SurveySettings
from awn.surveys.services import COMMENT_MAX_LENGTH


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Your rating"),
        choices=[(RATING_SLUGS[value], label) for value, label in sorted(Rating.choices, reverse=True)],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose good, okay or bad."),
            "invalid_choice": _("Choose good, okay or bad."),
        },
    )
    comment = forms.CharField(
        label=_("Anything you would like to add? (optional)"),
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
    )


class NpsForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("How likely are you to recommend us to a friend or colleague?"),
        choices=[(str(n), str(n)) for n in range(11)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a score from 0 to 10."),
            "invalid_choice": _("Choose a score from 0 to 10."),
        },
    )
    comment = forms.CharField(
        label=_("What is the main reason for your score? (optional)"),
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
    )


class PortalRatingForm(forms.Form):
    rating = forms.TypedChoiceField(choices=[(str(v), label) for v, label in Rating.choices], coerce=int)
    message = forms.IntegerField(required=False, min_value=1)
    comment = forms.CharField(required=False, max_length=COMMENT_MAX_LENGTH)


class SurveySettingsForm(forms.ModelForm):
    class Meta:
        model = SurveySettings
        fields = ["csat_on_replies", "csat_on_solve", "nps_enabled", "nps_delay_days", "nps_period_days"]
        widgets = {
            "nps_delay_days": forms.NumberInput(attrs={"min": 0, "max": 365}),
            "nps_period_days": forms.NumberInput(attrs={"min": 1, "max": 3650}),
        }

    def clean_nps_period_days(self):
        value = self.cleaned_data["nps_period_days"]
        if value < 1:
            raise forms.ValidationError(_("The period must be at least one day."))
        return value
