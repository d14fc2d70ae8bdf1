"""The admin's "Erase personal data" button: a confirmation step, then the erasure; admins only."""

import pytest
from django.test import Client
from django.urls import reverse

from awn.accounts.models import User
from awn.desk.history import describe_events
from awn.tickets.models import TicketEvent

pytestmark = pytest.mark.django_db


def _erase_url(person) -> str:
    return reverse("desk:admin_user_erase", args=[person.pk])


def test_a_customers_admin_page_offers_the_erasure(client, admin_user, customer):
    client.force_login(admin_user)

    response = client.get(reverse("desk:admin_user", args=[customer.pk]))

    assert response.status_code == 200
    assert _erase_url(customer).encode() in response.content
    assert b"Erase personal data" in response.content


def test_a_staff_members_page_does_not_offer_it(client, admin_user, agent):
    client.force_login(admin_user)

    response = client.get(reverse("desk:admin_user", args=[agent.pk]))

    assert _erase_url(agent).encode() not in response.content


def test_the_first_post_only_asks_for_confirmation(client, admin_user, customer, ticket):
    client.force_login(admin_user)

    response = client.post(_erase_url(customer))

    assert response.status_code == 200
    assert b"cannot be undone" in response.content
    assert b'name="confirm" value="1"' in response.content
    assert User.objects.get(pk=customer.pk).email == "customer@example.com"


def test_the_confirmed_post_erases_the_customer(client, admin_user, customer, ticket):
    client.force_login(admin_user)

    response = client.post(_erase_url(customer), {"confirm": "1"}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("desk:admin_user", args=[customer.pk])
    assert b"personal data was erased" in response.content
    person = User.objects.get(pk=customer.pk)
    assert (person.email, person.is_active) == (f"erased-{customer.pk}@erased.invalid", False)
    ticket.refresh_from_db()
    assert ticket.subject == "[erased]"
    assert _erase_url(customer).encode() not in response.content  # nothing left to erase


def test_erasing_a_staff_member_is_refused_with_a_message(client, admin_user, agent):
    client.force_login(admin_user)

    response = client.post(_erase_url(agent), {"confirm": "1"}, follow=True)

    assert b"Only customers can be erased" in response.content
    assert User.objects.get(pk=agent.pk).is_active


def test_only_admins_may_erase(client, customer, not_an_admin):
    caller = not_an_admin
    client.force_login(caller)

    response = client.post(_erase_url(customer), {"confirm": "1"})

    assert response.status_code == 403
    assert User.objects.get(pk=customer.pk).email == "customer@example.com"


def test_anonymous_visitors_are_sent_to_sign_in(client, customer):
    response = client.post(_erase_url(customer), {"confirm": "1"})

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
    assert User.objects.get(pk=customer.pk).email == "customer@example.com"


def test_the_erasure_needs_a_csrf_token(admin_user, customer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)

    response = client.post(_erase_url(customer), {"confirm": "1"})

    assert response.status_code == 403
    assert User.objects.get(pk=customer.pk).email == "customer@example.com"


def test_a_get_does_not_erase(client, admin_user, customer):
    client.force_login(admin_user)

    response = client.get(_erase_url(customer))

    assert response.status_code == 405
    assert User.objects.get(pk=customer.pk).email == "customer@example.com"


def test_the_tickets_history_says_who_erased_the_customer(client, admin_user, customer, ticket):
    client.force_login(admin_user)
    client.post(_erase_url(customer), {"confirm": "1"})

    response = client.get(reverse("desk:ticket", args=[ticket.pk]))

    history = [line.text for line in describe_events(TicketEvent.objects.filter(ticket=ticket))]
    assert history[-1] == "Adam Admin erased the customer's personal data"
    assert "erased the customer&#x27;s personal data" in response.content.decode()
    assert b"My printer is on fire" not in response.content
