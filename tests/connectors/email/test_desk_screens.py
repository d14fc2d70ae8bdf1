"""The desk's email screens: mailboxes and the quarantine for admins only; a message's original email for
staff who may see its ticket."""

import pytest
from django.urls import reverse

from awn.connectors.email.ingest import receive_raw_email
from awn.connectors.email.models import Mailbox, RawEmail
from tests.connectors.email.mails import make_mail
from tests.factories import AgentFactory, CustomerFactory, TeamFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def quarantined(mailbox):
    return receive_raw_email(
        raw=b"To: support@acme.example\r\nSubject: who\r\n\r\nhello", source="http", mailbox=mailbox
    )


def test_an_admin_sees_the_quarantine_with_the_reasons(client, admin_user, quarantined):
    client.force_login(admin_user)

    page = client.get(reverse("email:quarantine"))

    assert page.status_code == 200
    assert "no sender address" in page.content.decode()


@pytest.mark.parametrize("who", ["agent", "customer"])
def test_agents_and_customers_may_not_open_the_quarantine(client, agent, customer, quarantined, who):
    client.force_login({"agent": agent, "customer": customer}[who])

    responses = [
        client.get(reverse("email:quarantine")),
        client.get(reverse("email:raw_email", args=[quarantined.pk])),
        client.get(reverse("email:raw_email_download", args=[quarantined.pk])),
        client.post(reverse("email:raw_email_delete", args=[quarantined.pk])),
        client.get(reverse("email:mailboxes")),
    ]

    assert [r.status_code for r in responses] == [403] * 5
    assert RawEmail.objects.filter(pk=quarantined.pk).exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, quarantined):
    response = client.get(reverse("email:quarantine"))

    assert response.status_code == 302 and "/accounts/" in response["Location"]


def test_an_admin_downloads_the_stored_message_as_a_file(client, admin_user, quarantined):
    client.force_login(admin_user)

    response = client.get(reverse("email:raw_email_download", args=[quarantined.pk]))

    assert response["Content-Type"] == "application/octet-stream"
    assert "attachment" in response["Content-Disposition"]
    assert response.content == quarantined.read_bytes()


def test_an_admin_retries_a_quarantined_message(client, admin_user, quarantined):
    with quarantined.file.open("wb") as handle:
        handle.write(b"From: c@example.com\r\n" + b"To: support@acme.example\r\nSubject: who\r\n\r\nhello")
    client.force_login(admin_user)

    client.post(reverse("email:raw_email_retry", args=[quarantined.pk]))

    quarantined.refresh_from_db()
    assert quarantined.status == RawEmail.Status.INGESTED


def test_an_admin_deletes_a_quarantined_message_and_its_file(
    client, admin_user, quarantined, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    storage, name = quarantined.file.storage, quarantined.file.name

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("email:raw_email_delete", args=[quarantined.pk]))

    assert not RawEmail.objects.filter(pk=quarantined.pk).exists()
    assert not storage.exists(name)


def test_an_ingested_message_cannot_be_deleted_from_the_quarantine(client, admin_user, mailbox):
    row = receive_raw_email(raw=make_mail(), source="http", mailbox=mailbox)
    client.force_login(admin_user)

    client.post(reverse("email:raw_email_delete", args=[row.pk]))

    assert RawEmail.objects.filter(pk=row.pk).exists()


def test_an_admin_adds_a_mailbox_and_its_password_is_stored_encrypted(client, admin_user, team):
    client.force_login(admin_user)

    response = client.post(
        reverse("email:mailbox_new"),
        {
            "name": "Billing",
            "address": "Billing@Acme.example",
            "team": team.pk,
            "inbound": "imap",
            "imap_host": "imap.example.com",
            "imap_port": 993,
            "imap_security": "ssl",
            "imap_username": "billing@acme.example",
            "imap_password": "hunter2-long",
            "imap_folder": "INBOX",
            "smtp_port": 587,
            "smtp_security": "starttls",
            "active": "on",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    mailbox = Mailbox.objects.get()
    assert mailbox.address == "billing@acme.example"
    assert "hunter2" not in mailbox.imap_password_encrypted
    assert mailbox.imap_password == "hunter2-long"
    assert mailbox.webhook_secret


def test_saving_a_mailbox_with_an_empty_password_keeps_the_stored_one(client, admin_user, mailbox):
    mailbox.imap_password = "keep-me-please"
    mailbox.save()
    client.force_login(admin_user)

    client.post(
        reverse("email:mailbox", args=[mailbox.pk]),
        {
            "name": "Renamed",
            "address": mailbox.address,
            "inbound": "http",
            "imap_port": 993,
            "imap_security": "ssl",
            "imap_folder": "INBOX",
            "smtp_port": 587,
            "smtp_security": "starttls",
            "imap_password": "",
            "active": "on",
        },
    )

    mailbox.refresh_from_db()
    assert mailbox.name == "Renamed" and mailbox.imap_password == "keep-me-please"


def test_a_plus_sign_in_a_mailbox_address_is_refused(client, admin_user):
    client.force_login(admin_user)

    response = client.post(
        reverse("email:mailbox_new"),
        {
            "name": "X",
            "address": "support+x@acme.example",
            "inbound": "http",
            "imap_port": 993,
            "imap_security": "ssl",
            "imap_folder": "INBOX",
            "smtp_port": 587,
            "smtp_security": "starttls",
        },
    )

    assert response.status_code == 422
    assert not Mailbox.objects.exists()


def test_the_ticket_page_links_a_received_message_to_its_original(client, agent, mailbox):
    row = receive_raw_email(raw=make_mail(), source="http", mailbox=mailbox)
    client.force_login(agent)

    page = client.get(reverse("desk:ticket", args=[row.message.ticket_id])).content.decode()

    assert reverse("email:message_original", args=[row.message.pk]) in page


def test_an_agent_outside_the_team_cannot_read_the_original(client, mailbox):
    row = receive_raw_email(raw=make_mail(), source="http", mailbox=mailbox)
    outsider = AgentFactory()
    TeamFactory(name="Elsewhere", members=[outsider])
    client.force_login(outsider)

    response = client.get(reverse("email:message_original", args=[row.message.pk]))

    assert response.status_code == 404


def test_the_requester_cannot_read_the_original_through_the_desk(client, mailbox):
    row = receive_raw_email(raw=make_mail(), source="http", mailbox=mailbox)
    client.force_login(CustomerFactory._meta.model.objects.get(email="customer@example.com"))

    response = client.get(reverse("email:message_original", args=[row.message.pk]))

    assert response.status_code == 403
