"""One-time sign-in links: same answer for every address, valid once, expiring, tamper-proof."""

import re
import time

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from awn.accounts.tokens import make_sign_in_token

pytestmark = pytest.mark.django_db


def _page(response, email: bytes) -> bytes:
    """The page without what must differ: the address typed in and the per-response CSRF token."""
    return re.sub(rb"[A-Za-z0-9]{64}", b"", response.content.replace(email, b""))


def _link_path(message) -> str:
    url = re.search(r"https?://\S+", message.body).group(0)
    assert url.startswith(settings.AWN_BASE_URL)
    return url[len(settings.AWN_BASE_URL) :]


def test_asking_for_a_link_emails_one_to_the_account(client, customer):
    response = client.post(reverse("accounts:link_request"), {"email": customer.email.upper()})

    assert response.status_code == 200
    assert "Check your email" in response.content.decode()
    assert [m.to for m in mail.outbox] == [[customer.email]]
    assert _link_path(mail.outbox[0]).startswith("/accounts/login/link/")


def test_the_answer_is_the_same_for_an_unknown_address(client, customer):
    known = client.post(reverse("accounts:link_request"), {"email": customer.email})
    unknown = client.post(reverse("accounts:link_request"), {"email": "nobody@nowhere.example"})

    assert known.status_code == unknown.status_code == 200
    assert _page(known, customer.email.encode()) == _page(unknown, b"nobody@nowhere.example")
    assert len(mail.outbox) == 1


def test_a_disabled_account_gets_no_link(client, customer):
    customer.is_active = False
    customer.save()

    response = client.post(reverse("accounts:link_request"), {"email": customer.email})

    assert response.status_code == 200
    assert mail.outbox == []


def test_the_link_signs_a_customer_in_and_opens_the_portal(client, customer):
    client.post(reverse("accounts:link_request"), {"email": customer.email})

    response = client.get(_link_path(mail.outbox[0]))

    assert response.status_code == 302 and response["Location"] == reverse("portal:tickets")
    assert client.session["_auth_user_id"] == str(customer.pk)


def test_the_link_takes_an_agent_to_the_desk(client, agent):
    response = client.get(reverse("accounts:link_sign_in", args=[make_sign_in_token(agent)]))

    assert response.status_code == 302 and response["Location"] == reverse("desk:inbox")


def test_a_link_works_only_once(client, customer):
    path = reverse("accounts:link_sign_in", args=[make_sign_in_token(customer)])
    client.get(path)
    client.logout()

    response = client.get(path)

    assert response.status_code == 400
    assert "already used" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_expired_link_is_refused(client, customer, monkeypatch):
    with monkeypatch.context() as past:
        past.setattr(time, "time", lambda now=time.time(): now - settings.AWN_MAGIC_LINK_MAX_AGE - 5)
        token = make_sign_in_token(customer)

    response = client.get(reverse("accounts:link_sign_in", args=[token]))

    assert response.status_code == 400
    assert "expired" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # signature
        lambda t: "x" + t,  # payload
        lambda t: "garbage",
    ],
)
def test_a_tampered_link_is_refused(client, customer, tamper):
    response = client.get(reverse("accounts:link_sign_in", args=[tamper(make_sign_in_token(customer))]))

    assert response.status_code == 400
    assert "not valid" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_changing_the_password_kills_links_already_sent(client, customer):
    token = make_sign_in_token(customer)
    customer.set_password("a brand new passphrase")
    customer.save()

    response = client.get(reverse("accounts:link_sign_in", args=[token]))

    assert response.status_code == 400


def test_the_link_email_is_in_the_accounts_language(client, customer):
    customer.language = "fa"
    customer.save()

    client.post(reverse("accounts:link_request"), {"email": customer.email})

    assert mail.outbox[0].extra_headers["Content-Language"] == "fa"


def test_one_address_cannot_be_flooded_with_links(client, customer):
    for _ in range(5):
        client.post(reverse("accounts:link_request"), {"email": customer.email}, REMOTE_ADDR="10.0.0.1")

    assert len(mail.outbox) == 3


def test_link_requests_are_throttled_per_ip(client, settings):
    settings.AWN_SIGNUP_RATE_LIMIT = 2
    for n in range(2):
        client.post(reverse("accounts:link_request"), {"email": f"a{n}@x.example"})

    response = client.post(reverse("accounts:link_request"), {"email": "a3@x.example"})

    assert response.status_code == 429
