"""Sign-up: a new address gets a customer account; a known one is never taken over."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from awn.accounts.models import Role, User
from awn.tickets.inbound import InboundMessage
from awn.tickets.services import receive_message

pytestmark = pytest.mark.django_db


def _page(response, email: bytes) -> bytes:
    """The page without what must differ: the address typed in and the per-response CSRF token."""
    return re.sub(rb"[A-Za-z0-9]{64}", b"", response.content.replace(email, b""))


NEW = {"name": "  Nora   New ", "email": "Nora@New.example", "password": "a fine long passphrase"}


def test_signing_up_creates_a_customer_and_signs_them_in(client):
    response = client.post(reverse("accounts:signup"), NEW)

    user = User.objects.get(email="nora@new.example")
    assert response.status_code == 302 and response["Location"] == reverse("portal:tickets")
    assert (user.role, user.name) == (Role.CUSTOMER, "Nora New")
    assert user.check_password("a fine long passphrase")
    assert client.session["_auth_user_id"] == str(user.pk)


def test_the_new_account_takes_the_language_in_use(client):
    client.post(reverse("accounts:set_language"), {"language": "fa", "next": "/"})

    client.post(reverse("accounts:signup"), NEW)

    assert User.objects.get(email="nora@new.example").language == "fa"


def test_a_weak_password_is_refused_and_no_account_is_created(client):
    response = client.post(reverse("accounts:signup"), {**NEW, "password": "password"})

    assert response.status_code == 400
    assert "too common" in response.content.decode() or "too short" in response.content.decode()
    assert not User.objects.filter(email="nora@new.example").exists()


def test_an_address_known_from_an_earlier_request_gets_a_link_not_a_takeover(client):
    receive_message(
        InboundMessage(
            channel="email",
            sender_email="old@customer.example",
            sender_name="Olga",
            subject="Help",
            body="Hello",
        )
    )

    response = client.post(
        reverse("accounts:signup"), {**NEW, "email": "old@customer.example", "name": "Mallory"}
    )

    user = User.objects.get(email="old@customer.example")
    assert response.status_code == 200
    assert "Check your email" in response.content.decode()
    assert not user.has_usable_password()
    assert user.name == "Olga"
    assert "_auth_user_id" not in client.session
    assert [m.to for m in mail.outbox] == [["old@customer.example"]]
    assert reverse("accounts:link_request") in mail.outbox[0].body


def test_an_existing_account_with_a_password_is_not_changed(client, customer):
    response = client.post(reverse("accounts:signup"), {**NEW, "email": customer.email})

    customer.refresh_from_db()
    assert "Check your email" in response.content.decode()
    assert customer.check_password("correct horse battery")
    assert "_auth_user_id" not in client.session


def test_a_staff_address_cannot_be_signed_up_for(client, agent):
    client.post(reverse("accounts:signup"), {**NEW, "email": agent.email})

    agent.refresh_from_db()
    assert agent.role == Role.AGENT and agent.check_password("correct horse battery")
    assert User.objects.filter(email=agent.email).count() == 1


def test_the_answer_for_a_known_address_does_not_reveal_whether_it_had_a_password(client, customer):
    receive_message(
        InboundMessage(channel="email", sender_email="old@customer.example", subject="x", body="y")
    )

    with_password = client.post(reverse("accounts:signup"), {**NEW, "email": customer.email})
    without = client.post(reverse("accounts:signup"), {**NEW, "email": "old@customer.example"})

    assert with_password.status_code == without.status_code == 200
    assert _page(with_password, customer.email.encode()) == _page(without, b"old@customer.example")


def test_sign_ups_are_throttled_per_ip(client, settings):
    settings.AWN_SIGNUP_RATE_LIMIT = 2
    for n in range(2):
        client.post(reverse("accounts:signup"), {**NEW, "email": f"n{n}@new.example"})
        client.logout()

    response = client.post(reverse("accounts:signup"), {**NEW, "email": "third@new.example"})

    assert response.status_code == 429
    assert not User.objects.filter(email="third@new.example").exists()


def test_a_signed_in_person_is_sent_home(client, customer):
    client.force_login(customer)

    response = client.get(reverse("accounts:signup"))

    assert response.status_code == 302 and response["Location"] == reverse("portal:tickets")
