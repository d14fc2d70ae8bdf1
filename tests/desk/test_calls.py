import pytest
from django.urls import reverse

from awn.accounts.models import Role, User
from awn.tickets.models import Channel, Message, Ticket

pytestmark = pytest.mark.django_db


def test_a_call_from_a_new_caller_creates_the_customer_and_a_phone_ticket(client, agent):
    client.force_login(agent)

    response = client.post(
        reverse("desk:log_call"),
        {
            "email": "New.Caller@example.com",
            "name": "Nia Caller",
            "phone": "+1 555 0100",
            "subject": "Cannot print",
            "summary": "Printer shows error 42",
            "priority": "3",
        },
    )

    caller = User.objects.get(email="new.caller@example.com")
    assert (caller.role, caller.name, caller.phone) == (Role.CUSTOMER, "Nia Caller", "+1 555 0100")
    ticket = Ticket.objects.get(requester=caller)
    assert (ticket.channel, ticket.priority, ticket.subject) == (Channel.PHONE, 3, "Cannot print")
    assert response["Location"] == reverse("desk:ticket", args=[ticket.pk])


def test_a_call_about_an_existing_ticket_is_added_to_it(client, agent, customer, ticket):
    client.force_login(agent)

    response = client.post(
        reverse("desk:log_call"),
        {
            "email": customer.email,
            "summary": "Called again, still on fire",
            "priority": "2",
            "ticket": str(ticket.pk),
        },
    )

    assert response["Location"] == reverse("desk:ticket", args=[ticket.pk])
    message = ticket.messages.order_by("-id").first()
    assert (message.body, message.channel) == ("Called again, still on fire", Channel.PHONE)
    assert Ticket.objects.count() == 1


def test_a_call_about_someone_elses_ticket_is_refused_and_nothing_is_written(client, agent, ticket):
    client.force_login(agent)
    users, messages = User.objects.count(), Message.objects.count()

    response = client.post(
        reverse("desk:log_call"),
        {
            "email": "stranger@example.com",
            "summary": "hi",
            "priority": "2",
            "ticket": str(ticket.pk),
        },
    )

    assert response.status_code == 422
    assert "The caller is not this ticket&#x27;s requester." in response.content.decode()
    assert (User.objects.count(), Message.objects.count()) == (users, messages)


def test_a_call_about_an_unknown_ticket_number_is_refused(client, agent, customer):
    client.force_login(agent)

    response = client.post(
        reverse("desk:log_call"),
        {
            "email": customer.email,
            "summary": "hi",
            "priority": "2",
            "ticket": "99999",
        },
    )

    assert response.status_code == 422
    assert "There is no ticket #99999 that you can see." in response.content.decode()
    assert Ticket.objects.count() == 0


def test_a_new_call_needs_a_subject_and_a_summary(client, agent):
    client.force_login(agent)

    response = client.post(reverse("desk:log_call"), {"email": "x@example.com", "priority": "2"})

    assert response.status_code == 422
    assert "A subject is required for a new ticket." in response.content.decode()
    assert not User.objects.filter(email="x@example.com").exists()


def test_a_call_with_a_bad_email_is_refused(client, agent):
    client.force_login(agent)

    response = client.post(
        reverse("desk:log_call"), {"email": "not-an-address", "subject": "s", "summary": "x", "priority": "2"}
    )

    assert response.status_code == 422
    assert Ticket.objects.count() == 0


def test_a_ticket_opened_for_a_customer_has_their_first_message(client, agent, team):
    client.force_login(agent)

    response = client.post(
        reverse("desk:new_ticket"),
        {
            "email": "walkin@example.com",
            "name": "Walt",
            "subject": "Refund",
            "body": "Wants a refund",
            "channel": "email",
            "priority": "2",
            "team": str(team.pk),
        },
    )

    ticket = Ticket.objects.get(subject="Refund")
    assert response["Location"] == reverse("desk:ticket", args=[ticket.pk])
    assert ticket.requester.email == "walkin@example.com"
    assert ticket.team == team
    assert ticket.messages.get().author == ticket.requester
    assert ticket.events.filter(kind="created", actor=agent).exists()


def test_a_new_ticket_with_an_unknown_team_is_refused(client, agent):
    client.force_login(agent)

    response = client.post(
        reverse("desk:new_ticket"),
        {
            "email": "walkin@example.com",
            "subject": "Refund",
            "body": "x",
            "channel": "email",
            "priority": "2",
            "team": "9999",
        },
    )

    assert response.status_code == 422
    assert not User.objects.filter(email="walkin@example.com").exists()


def test_the_call_form_can_start_from_a_ticket(client, agent, customer, ticket):
    client.force_login(agent)

    response = client.get(reverse("desk:log_call"), {"ticket": ticket.pk, "email": customer.email})

    html = response.content.decode()
    assert f'value="{customer.email}"' in html
    assert f'value="{ticket.pk}"' in html
