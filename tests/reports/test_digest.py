"""The scheduled digest: who gets it, when, once, and what it says."""

from datetime import UTC, datetime

from django.core import mail

from awn.outbox.models import OutboxItem
from awn.reports.digest import DIGEST, queue_digests
from awn.reports.models import DigestSubscription
from tests.factories import AdminFactory, ManagerFactory, TeamFactory
from tests.reports.conftest import fact

MONDAY_8_UTC = datetime(2024, 1, 15, 8, 0, tzinfo=UTC)
TUESDAY_8_UTC = datetime(2024, 1, 16, 8, 0, tzinfo=UTC)


def test_managers_get_last_weeks_numbers_on_monday(db, django_capture_on_commit_callbacks):
    manager = ManagerFactory(email="boss@support.example")
    team = TeamFactory(members=[manager])
    fact(team=team, created_at=datetime(2024, 1, 10, 12, tzinfo=UTC))

    with django_capture_on_commit_callbacks(execute=True):
        queued = queue_digests(now=MONDAY_8_UTC)

    assert queued == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["boss@support.example"]
    assert "Jan. 8, 2024 – Jan. 14, 2024" in message.subject
    assert "Tickets created: 1" in message.body


def test_weekly_digests_are_not_sent_on_other_days(db):
    ManagerFactory()

    assert queue_digests(now=TUESDAY_8_UTC) == 0


def test_a_daily_subscriber_gets_yesterday_once_however_often_the_job_runs(
    db, django_capture_on_commit_callbacks
):
    manager = ManagerFactory()
    DigestSubscription.objects.create(user=manager, frequency="daily")

    with django_capture_on_commit_callbacks(execute=True):
        queue_digests(now=TUESDAY_8_UTC)
        queue_digests(now=TUESDAY_8_UTC.replace(hour=9))

    assert OutboxItem.objects.filter(kind=DIGEST).count() == 1
    assert OutboxItem.objects.get(kind=DIGEST).payload["start"] == "2024-01-15"


def test_nobody_gets_a_digest_before_six_in_the_morning_local_time(db):
    ManagerFactory(timezone="Asia/Riyadh")  # 02:00 UTC is 05:00 in Riyadh

    assert queue_digests(now=MONDAY_8_UTC.replace(hour=2)) == 0


def test_admins_get_no_digest_unless_they_ask_and_managers_can_opt_out(db):
    AdminFactory()
    manager = ManagerFactory()
    DigestSubscription.objects.create(user=manager, frequency="never")

    assert queue_digests(now=MONDAY_8_UTC) == 0


def test_a_manager_changes_their_digest_on_the_dashboard(client, db):
    manager = ManagerFactory()
    client.force_login(manager)

    response = client.post("/desk/reports/digest/", {"frequency": "daily"})

    assert response.status_code == 302
    assert DigestSubscription.objects.get(user=manager).frequency == "daily"


def test_an_unknown_digest_frequency_is_refused(client, db):
    client.force_login(ManagerFactory())

    response = client.post("/desk/reports/digest/", {"frequency": "hourly"})

    assert response.status_code == 400
    assert not DigestSubscription.objects.exists()


def test_the_subject_gives_the_dates_in_the_recipients_language(db):
    from datetime import date

    from awn.reports.digest import render_digest

    arabic = ManagerFactory(language="ar")
    persian = ManagerFactory(language="fa")

    arabic_subject, _body = render_digest(arabic, date(2024, 1, 8), date(2024, 1, 14))
    persian_subject, _body = render_digest(persian, date(2024, 1, 15), date(2024, 1, 15))

    assert "8 يناير، 2024" in arabic_subject and "14 يناير، 2024" in arabic_subject
    assert "15 ژانویه 2024" in persian_subject
    assert "2024-01" not in arabic_subject + persian_subject
