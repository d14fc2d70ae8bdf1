"""Business calendars in the desk and through their service."""

from datetime import date

import pytest
from django.urls import reverse

from awn.calendars.models import BusinessCalendar
from awn.calendars.selectors import schedule_for
from awn.calendars.services import save_calendar
from awn.core.errors import NotPermitted, ValidationFailed


def form(**extra):
    data = {
        "name": "Tehran office",
        "timezone": "Asia/Tehran",
        "hours_sat": "08:00-16:00",
        "hours_sun": "08:00-12:00, 13:00-16:00",
        "holidays": "2025-03-21 Nowruz\n2025-03-22 Nowruz",
    }
    data.update(extra)
    return data


def test_an_admin_creates_a_calendar_with_a_friday_weekend_and_holidays(client, admin_user):
    client.force_login(admin_user)

    response = client.post(reverse("calendars:new"), form(is_default="on"))

    calendar = BusinessCalendar.objects.get()
    assert response.status_code == 302
    assert calendar.hours == {"sat": [["08:00", "16:00"]], "sun": [["08:00", "12:00"], ["13:00", "16:00"]]}
    assert [h.date for h in calendar.holidays.all()] == [date(2025, 3, 21), date(2025, 3, 22)]
    assert schedule_for(None).timezone == "Asia/Tehran"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("hours_mon", "9-5"),
        ("hours_mon", "17:00-09:00"),
        ("holidays", "Christmas 2025-12-25"),
        ("timezone", "Mars/Base"),
    ],
)
def test_bad_calendar_input_is_refused_and_nothing_saved(client, admin_user, field, value):
    client.force_login(admin_user)

    response = client.post(reverse("calendars:new"), form(**{field: value}))

    assert response.status_code == 422
    assert not BusinessCalendar.objects.exists()


def test_the_list_says_whether_each_calendar_is_open_now(client, admin_user):
    save_calendar(
        by=admin_user,
        name="Always",
        timezone="UTC",
        hours={day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
    )
    client.force_login(admin_user)

    page = client.get(reverse("calendars:list")).content.decode()

    assert "Always" in page and "Open" in page


def test_only_one_calendar_is_the_default(admin_user):
    first = save_calendar(
        by=admin_user, name="A", timezone="UTC", hours={"mon": [["09:00", "17:00"]]}, is_default=True
    )

    save_calendar(
        by=admin_user, name="B", timezone="UTC", hours={"mon": [["09:00", "17:00"]]}, is_default=True
    )

    first.refresh_from_db()
    assert not first.is_default
    assert BusinessCalendar.objects.get(is_default=True).name == "B"


def test_agents_cannot_change_calendars(agent):
    with pytest.raises(NotPermitted):
        save_calendar(by=agent, name="Mine", timezone="UTC", hours={})


def test_unknown_weekdays_are_refused(admin_user):
    with pytest.raises(ValidationFailed):
        save_calendar(by=admin_user, name="Odd", timezone="UTC", hours={"caturday": [["09:00", "17:00"]]})
