import pytest
from django.urls import reverse

from awn.accounts.models import Organization
from awn.tickets.inbound import IncomingFile
from awn.tickets.services import Actor, add_internal_note, create_ticket, reply_to_ticket
from tests.factories import AgentFactory, CustomerFactory, TeamFactory

pytestmark = pytest.mark.django_db


def _public_file(ticket, agent, name="report.pdf", content=b"%PDF-1.4 data", content_type="application/pdf"):
    message = reply_to_ticket(
        ticket=ticket,
        by=Actor.of(agent),
        body="attached",
        attachments=[IncomingFile(name, content, content_type)],
    )
    return message.attachments.get()


def _note_file(ticket, agent):
    message = add_internal_note(
        ticket=ticket,
        by=Actor.of(agent),
        body="internal",
        attachments=[IncomingFile("secret.txt", b"internal only", "text/plain")],
    )
    return message.attachments.get()


def _url(attachment) -> str:
    return reverse("tickets:attachment", args=[attachment.pk, attachment.filename])


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_the_requester_downloads_a_public_attachment(client, customer, agent, ticket):
    attachment = _public_file(ticket, agent)
    client.force_login(customer)

    response = client.get(_url(attachment))

    assert response.status_code == 200
    assert _body(response) == b"%PDF-1.4 data"
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="report.pdf"' in response["Content-Disposition"]


def test_downloads_carry_nosniff_and_a_locked_down_csp(client, agent, ticket):
    attachment = _public_file(ticket, agent)
    client.force_login(agent)

    response = client.get(_url(attachment))

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'"


def test_a_non_image_is_served_as_octet_stream(client, agent, ticket):
    attachment = _public_file(ticket, agent)
    client.force_login(agent)

    response = client.get(_url(attachment))

    assert response["Content-Type"] == "application/octet-stream"


@pytest.mark.parametrize("content_type", ["image/png", "image/jpeg", "image/gif", "image/webp"])
def test_safe_images_keep_their_type(client, agent, ticket, content_type):
    attachment = _public_file(ticket, agent, name="pic", content=b"\x89PNG", content_type=content_type)
    client.force_login(agent)

    response = client.get(_url(attachment))

    assert response["Content-Type"] == content_type


@pytest.mark.parametrize(
    "name,content_type",
    [
        ("evil.svg", "image/svg+xml"),
        ("evil.html", "text/html"),
        ("evil.html", "text/html; charset=utf-8"),
        ("evil.svg", "IMAGE/SVG+XML"),
        ("evil.xhtml", "application/xhtml+xml"),
        ("evil.js", "application/javascript"),
    ],
)
def test_scriptable_types_are_never_served_as_themselves(client, agent, ticket, name, content_type):
    attachment = _public_file(
        ticket, agent, name=name, content=b"<script>alert(1)</script>", content_type=content_type
    )
    client.force_login(agent)

    response = client.get(_url(attachment))

    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")


def test_an_internal_notes_attachment_is_404_for_the_requester(client, customer, agent, ticket):
    attachment = _note_file(ticket, agent)
    client.force_login(customer)

    response = client.get(_url(attachment))

    assert response.status_code == 404


def test_an_internal_notes_attachment_is_served_to_staff(client, agent, ticket):
    attachment = _note_file(ticket, agent)
    client.force_login(agent)

    response = client.get(_url(attachment))

    assert response.status_code == 200
    assert _body(response) == b"internal only"


def test_another_customer_gets_404(client, agent, ticket):
    attachment = _public_file(ticket, agent)
    client.force_login(CustomerFactory())

    response = client.get(_url(attachment))

    assert response.status_code == 404


def test_an_anonymous_visitor_gets_404(client, agent, ticket):
    attachment = _public_file(ticket, agent)

    response = client.get(_url(attachment))

    assert response.status_code == 404


def test_an_agent_outside_the_team_gets_404(client, agent, ticket):
    outsider = AgentFactory()
    TeamFactory(name="Billing", members=[outsider])
    attachment = _public_file(ticket, agent)
    client.force_login(outsider)

    response = client.get(_url(attachment))

    assert response.status_code == 404


def test_an_organization_member_downloads_when_the_organization_shares_tickets(client, agent, team):
    organization = Organization.objects.create(name="Acme", shared_tickets=True)
    requester = CustomerFactory(organization=organization)
    colleague = CustomerFactory(organization=organization)
    ticket = create_ticket(requester=requester, subject="Shared", body="x", team=team, by=Actor.of(requester))
    attachment = _public_file(ticket, agent)
    client.force_login(colleague)

    response = client.get(_url(attachment))

    assert response.status_code == 200


def test_a_wrong_filename_in_the_url_is_404(client, agent, ticket):
    attachment = _public_file(ticket, agent)
    client.force_login(agent)

    response = client.get(reverse("tickets:attachment", args=[attachment.pk, "other.pdf"]))

    assert response.status_code == 404


def test_a_missing_file_on_disk_is_404_not_500(client, agent, ticket):
    attachment = _public_file(ticket, agent)
    attachment.file.storage.delete(attachment.file.name)
    client.force_login(agent)

    response = client.get(_url(attachment))

    assert response.status_code == 404


def test_a_file_name_with_non_ascii_letters_downloads(client, agent, ticket):
    attachment = _public_file(ticket, agent, name="گزارش مالی.pdf")
    client.force_login(agent)

    response = client.get(_url(attachment))

    assert response.status_code == 200
    assert "filename*=utf-8''" in response["Content-Disposition"]
