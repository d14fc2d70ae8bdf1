"""Business calendars in the desk (admins): list, create, edit; each shows whether it is open now."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from awn.calendars import services
from awn.calendars.business_hours import WEEKDAYS, CalendarError, is_open_at, next_open
from awn.calendars.forms import CalendarForm
from awn.calendars.models import BusinessCalendar
from awn.core import clock
from awn.core.errors import DomainError
from awn.desk.views.access import admin_required


def _status(calendar: BusinessCalendar) -> tuple[bool | None, object]:
    try:
        schedule = calendar.schedule()
        now = clock.now()
        return is_open_at(schedule, now), next_open(schedule, now)
    except CalendarError:
        return None, None


@admin_required
def calendars_list(request):
    calendars = list(BusinessCalendar.objects.prefetch_related("holidays"))
    rows = [(calendar, *_status(calendar)) for calendar in calendars]
    return render(request, "calendars/calendars.html", {"rows": rows, "section": "calendars"})


@admin_required
def calendar_edit(request, pk: int | None = None):
    calendar = get_object_or_404(BusinessCalendar, pk=pk) if pk else None
    initial: dict = {"timezone": "UTC"}
    if calendar is not None:
        initial = {
            "name": calendar.name,
            "timezone": calendar.timezone,
            "is_default": calendar.is_default,
            "holidays": "\n".join(f"{h.date.isoformat()} {h.name}".strip() for h in calendar.holidays.all()),
        }
        for day in WEEKDAYS:
            initial[f"hours_{day}"] = ", ".join(f"{a}-{b}" for a, b in (calendar.hours or {}).get(day, []))
    else:
        initial.update({f"hours_{day}": "09:00-17:00" for day in WEEKDAYS[:5]})
    form = CalendarForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.save_calendar(
                    by=request.user,
                    calendar=calendar,
                    name=data["name"],
                    timezone=data["timezone"],
                    hours=form.hours(),
                    holidays=data["holidays"],
                    is_default=data["is_default"],
                )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                status = exc.status
            else:
                messages.success(request, _("Calendar saved."))
                return redirect("calendars:list")
    return render(
        request,
        "calendars/calendar_form.html",
        {"form": form, "calendar": calendar, "section": "calendars"},
        status=status,
    )


@admin_required
@require_POST
def calendar_delete(request, pk: int):
    calendar = get_object_or_404(BusinessCalendar, pk=pk)
    services.delete_calendar(by=request.user, calendar=calendar)
    messages.success(request, _("Calendar deleted."))
    return redirect("calendars:list")
