"""NPS: an email survey N days after a ticket is solved, at most once per customer per period."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from awn.connectors.email.ingest import receive_raw_email
from awn.connectors.email.models import Mailbox
from awn.outbox import services as outbox
from awn.outbox.models import OutboxItem
from awn.surveys import services
from awn.surveys.models import NpsResponse, SurveySettings
from awn.tickets.models import Status
from awn.tickets.services import Actor, change_status, create_ticket
from tests.connectors.email.mails import make_mail
from tests.factories import CustomerFactory


def _solved_ticket(customer, agent, team, subject="Help"):
    ticket = create_ticket(
        requester=customer, subject=subject, body="Please", team=team, by=Actor.of(customer)
    )
    change_status(ticket=ticket, status=Status.SOLVED, by=Actor.of(agent))
    return ticket


def _nps_mails():
    return [m for m in mail.outbox if "recommend" in m.subject]


@pytest.mark.django_db
def test_a_customer_is_asked_n_days_after_their_ticket_was_solved(now, nps_on, customer, agent, team):
    ticket = _solved_ticket(customer, agent, team)
    now.advance(days=6, hours=23)
    assert services.queue_nps_surveys() == 0

    now.advance(hours=2)
    assert services.queue_nps_surveys() == 1
    outbox.deliver_due()

    response = NpsResponse.objects.get()
    assert (response.customer, response.ticket, response.score, response.answered_at) == (
        customer,
        ticket,
        None,
        None,
    )
    [survey] = _nps_mails()
    assert survey.to == [customer.email]
    assert len(re.findall(r"/survey/nps/[^/\s]+/\d+/", survey.body)) == 11


@pytest.mark.django_db
def test_the_answer_is_recorded_by_the_form_not_by_opening_the_link(
    client, now, nps_on, customer, agent, team
):
    _solved_ticket(customer, agent, team)
    now.advance(days=8)
    services.queue_nps_surveys()
    outbox.deliver_due()
    [survey] = _nps_mails()
    link = re.search(r"http\S+/survey/nps/[^/\s]+/9/", survey.body).group(0)
    path = link.split("127.0.0.1:8000", 1)[-1]

    page = client.get(path)
    assert page.status_code == 200 and NpsResponse.objects.get().score is None
    token = path.split("/")[3]
    client.post(reverse("surveys:nps_submit", args=[token]), {"score": "9", "comment": "<b>great</b>"})

    response = NpsResponse.objects.get()
    assert (response.score, response.comment, response.answered_at) == (9, "<b>great</b>", now.moment)
    thanks = client.get(reverse("surveys:nps_thanks", args=[token])).content.decode()
    assert "&lt;b&gt;great&lt;/b&gt;" in thanks


@pytest.mark.django_db
def test_a_score_above_ten_is_refused(client, now, nps_on, customer):
    from awn.surveys.tokens import make_nps_token

    response = NpsResponse.objects.create(customer=customer)
    token = make_nps_token(response_id=response.pk)

    posted = client.post(reverse("surveys:nps_submit", args=[token]), {"score": "11"})

    assert posted.status_code == 422 and "0 to 10" in posted.content.decode()
    assert client.get(f"/survey/nps/{token}/11/").status_code == 404
    response.refresh_from_db()
    assert response.score is None


@pytest.mark.django_db
def test_a_customer_is_asked_once_per_period(now, nps_on, customer, agent, team):
    _solved_ticket(customer, agent, team, "first")
    _solved_ticket(customer, agent, team, "second")
    now.advance(days=8)
    assert services.queue_nps_surveys() == 1

    now.advance(days=30)
    _solved_ticket(customer, agent, team, "third")
    now.advance(days=8)
    assert services.queue_nps_surveys() == 0

    now.advance(days=60)  # 106 days after the first survey: the period is over
    _solved_ticket(customer, agent, team, "fourth")
    now.advance(days=8)
    assert services.queue_nps_surveys() == 1
    assert NpsResponse.objects.filter(customer=customer).count() == 2


@pytest.mark.django_db
def test_running_the_sweep_again_asks_nobody_twice(now, nps_on, customer, agent, team):
    _solved_ticket(customer, agent, team)
    now.advance(days=8)

    assert services.queue_nps_surveys() == 1
    assert services.queue_nps_surveys() == 0
    assert OutboxItem.objects.filter(kind=services.NPS_MAIL).count() == 1


@pytest.mark.django_db
def test_a_worker_killed_mid_run_leaves_whole_surveys_and_the_next_run_finishes(
    now, nps_on, agent, team, monkeypatch
):
    customers = [CustomerFactory() for _ in range(3)]
    for person in customers:
        _solved_ticket(person, agent, team)
    now.advance(days=8)
    real_enqueue = services.enqueue
    calls = []

    def dies_on_the_second(**kwargs):
        calls.append(kwargs["key"])
        if len(calls) == 2:
            raise SystemExit("worker killed")  # not an Exception: nothing may catch it on the way out
        return real_enqueue(**kwargs)

    monkeypatch.setattr(services, "enqueue", dies_on_the_second)
    with pytest.raises(SystemExit):
        services.queue_nps_surveys()
    # The first survey committed whole (row and mail), the second left nothing behind.
    assert NpsResponse.objects.count() == 1
    assert OutboxItem.objects.filter(kind=services.NPS_MAIL).count() == 1

    monkeypatch.setattr(services, "enqueue", real_enqueue)
    assert services.queue_nps_surveys() == 2

    assert sorted(NpsResponse.objects.values_list("customer_id", flat=True)) == sorted(
        c.pk for c in customers
    )
    assert OutboxItem.objects.filter(kind=services.NPS_MAIL).count() == 3
    outbox.deliver_due()
    assert sorted(m.to[0] for m in _nps_mails()) == sorted(c.email for c in customers)


@pytest.mark.django_db
def test_nobody_is_asked_while_nps_is_off(now, customer, agent, team):
    SurveySettings.objects.create(team=None, nps_enabled=False)
    _solved_ticket(customer, agent, team)
    now.advance(days=30)

    assert services.queue_nps_surveys() == 0


@pytest.mark.django_db
def test_a_team_can_have_its_own_delay(now, nps_on, customer, agent, team):
    SurveySettings.objects.create(team=team, nps_enabled=True, nps_delay_days=2, nps_period_days=90)
    _solved_ticket(customer, agent, team)

    now.advance(days=2, hours=1)

    assert services.queue_nps_surveys() == 1


@pytest.mark.django_db
def test_tickets_solved_long_before_nps_was_switched_on_are_not_surveyed(now, customer, agent, team):
    _solved_ticket(customer, agent, team)
    now.advance(days=60)

    SurveySettings.objects.create(team=None, nps_enabled=True, nps_delay_days=7)

    assert services.queue_nps_surveys() == 0


@pytest.mark.django_db
def test_anonymous_chat_visitors_are_never_surveyed(now, nps_on, agent, team):
    visitor = CustomerFactory(email="visitor-9f2c@visitors.invalid")
    _solved_ticket(visitor, agent, team)
    now.advance(days=8)

    assert services.queue_nps_surveys() == 0


@pytest.mark.django_db
def test_tickets_from_automated_mail_are_never_surveyed(now, nps_on, agent, team):
    mailbox = Mailbox.objects.create(
        name="Acme", address="support@acme.example", team=team, inbound=Mailbox.Inbound.HTTP
    )
    raw = make_mail(
        sender="Monitoring <alerts@monitor.example>",
        headers={"Auto-Submitted": "auto-generated"},
        subject="Disk full",
    )
    row = receive_raw_email(raw=raw, source="http", mailbox=mailbox)
    ticket = row.message.ticket
    change_status(ticket=ticket, status=Status.SOLVED, by=Actor.of(agent))
    now.advance(days=8)

    assert services.queue_nps_surveys() == 0
    assert not NpsResponse.objects.exists()


@pytest.mark.django_db
def test_mail_from_a_person_is_surveyed(now, nps_on, agent, team):
    mailbox = Mailbox.objects.create(
        name="Acme", address="support@acme.example", team=team, inbound=Mailbox.Inbound.HTTP
    )
    row = receive_raw_email(raw=make_mail(sender="Cora <cora@example.org>"), source="http", mailbox=mailbox)
    change_status(ticket=row.message.ticket, status=Status.SOLVED, by=Actor.of(agent))
    now.advance(days=8)

    assert services.queue_nps_surveys() == 1
