from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalendarsConfig(AppConfig):
    name = "awn.calendars"
    label = "calendars"
    verbose_name = _("Business calendars")
