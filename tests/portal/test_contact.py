"""The public contact form: no sign-in, embeddable, guarded by a honeypot and a rate limit."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from awn.accounts.models import User
from awn.tickets.models import Attachment, Channel, Ticket

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Vera Visitor",
    "email": "Vera@Visitor.example",
    "subject": "Pricing question",
    "message": "Do you offer a discount for schools?",
}


def test_the_contact_form_opens_a_web_ticket_for_the_sender(client):
    response = client.post(reverse("portal:contact"), FORM)

    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert (ticket.channel, ticket.subject, ticket.requester.email) == (
        Channel.WEB,
        "Pricing question",
        "vera@visitor.example",
    )
    assert ticket.requester.name == "Vera Visitor"


def test_the_thank_you_page_shows_the_request_number(client):
    response = client.post(reverse("portal:contact"), FORM, follow=True)

    number = Ticket.objects.get().number
    assert f"#{number}" in response.content.decode()


def test_a_forged_thank_you_link_shows_the_empty_form(client):
    response = client.get(reverse("portal:contact"), {"done": "1:forged:sig"})

    assert response.status_code == 200
    assert "Thank you" not in response.content.decode()
    assert 'name="subject"' in response.content.decode()


def test_a_known_sender_is_joined_to_their_history(client, requester, request_ticket):
    client.post(reverse("portal:contact"), {**FORM, "email": requester.email.upper()})

    assert Ticket.objects.filter(requester=requester).count() == 2
    assert User.objects.filter(email__iexact=requester.email).count() == 1


def test_attachments_come_along(client):
    upload = SimpleUploadedFile("screen.png", b"\x89PNG...", content_type="image/png")

    client.post(reverse("portal:contact"), {**FORM, "attachments": [upload]})

    assert list(Attachment.objects.values_list("filename", flat=True)) == ["screen.png"]


def test_an_oversized_attachment_is_a_form_error_and_nothing_is_written(client, settings):
    settings.AWN_MAX_ATTACHMENT_BYTES = 4
    upload = SimpleUploadedFile("a.bin", b"12345")

    response = client.post(reverse("portal:contact"), {**FORM, "attachments": [upload]})

    assert response.status_code == 400
    assert "a.bin" in response.content.decode()
    assert Ticket.objects.count() == 0
    assert not User.objects.filter(email="vera@visitor.example").exists()


def test_a_filled_honeypot_pretends_success_and_writes_nothing(client):
    response = client.post(
        reverse("portal:contact"), {**FORM, "company_website": "http://spam.example"}, follow=True
    )

    assert response.status_code == 200
    assert "Thank you" in response.content.decode()
    assert Ticket.objects.count() == 0
    assert User.objects.count() == 0


def test_the_honeypot_is_hidden_with_the_honeypot_class(client):
    page = client.get(reverse("portal:contact")).content.decode()

    assert 'class="field honeypot"' in page and 'name="company_website"' in page


def test_too_many_submissions_from_one_address_are_refused_with_429(client, settings):
    settings.AWN_CONTACT_RATE_LIMIT = 2
    for n in range(2):
        client.post(reverse("portal:contact"), {**FORM, "subject": f"Try {n}"})

    response = client.post(reverse("portal:contact"), {**FORM, "subject": "One too many"})

    assert response.status_code == 429
    assert "wait ten minutes" in response.content.decode()
    assert Ticket.objects.count() == 2


def test_the_rate_limit_is_per_address(client, settings):
    settings.AWN_CONTACT_RATE_LIMIT = 1
    client.post(reverse("portal:contact"), FORM)

    response = client.post(reverse("portal:contact"), FORM, REMOTE_ADDR="10.9.8.7")

    assert response.status_code == 302
    assert Ticket.objects.count() == 2


def test_invalid_input_is_refused_with_field_errors(client):
    response = client.post(reverse("portal:contact"), {**FORM, "email": "not-an-address", "message": ""})

    assert response.status_code == 400
    assert Ticket.objects.count() == 0


def test_the_contact_form_may_be_framed_by_other_sites(client):
    response = client.get(reverse("portal:contact"), {"embed": "1"})

    assert response.status_code == 200
    assert "X-Frame-Options" not in response.headers


def test_other_portal_pages_refuse_to_be_framed(client):
    response = client.get(reverse("portal:home"))

    assert response.headers["X-Frame-Options"] == "DENY"


def test_the_embedded_form_has_a_minimal_layout(client):
    page = client.get(reverse("portal:contact"), {"embed": "1"}).content.decode()

    assert 'class="topbar"' not in page
    assert 'name="message"' in page


def test_an_embedded_form_works_without_cookies(db):
    # In a third-party iframe the browser withholds our cookies, so no CSRF cookie either.
    browser = Client(enforce_csrf_checks=True)

    response = browser.post(reverse("portal:contact") + "?embed=1", FORM)

    assert response.status_code == 302
    assert "embed=1" in response["Location"]
    assert Ticket.objects.count() == 1


def test_the_embedding_site_can_choose_the_language(client):
    page = client.get(reverse("portal:contact"), {"embed": "1", "lang": "fa"}).content.decode()

    assert 'dir="rtl"' in page and 'lang="fa"' in page
