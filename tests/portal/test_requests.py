"""A customer's requests in the portal: submit, read, reply, solve, reopen."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from awn.tickets.inbound import IncomingFile
from awn.tickets.models import Attachment, Channel, Message, Status, Ticket
from awn.tickets.services import Actor, change_status, create_ticket, reply_to_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, requester):
    client.force_login(requester)
    return client


def test_submitting_a_request_creates_a_web_ticket_with_its_attachments(signed_in, requester):
    upload = SimpleUploadedFile("receipt.pdf", b"%PDF-1.4 receipt", content_type="application/pdf")

    response = signed_in.post(
        reverse("portal:ticket_new"),
        {
            "subject": "Refund please",
            "message": "I was charged twice.",
            "attachments": [upload],
        },
    )

    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:ticket", args=[ticket.number])
    assert (ticket.requester, ticket.channel, ticket.subject) == (requester, Channel.WEB, "Refund please")
    assert list(Attachment.objects.values_list("filename", "size")) == [("receipt.pdf", 16)]


def test_several_files_can_be_attached_at_once(signed_in):
    files = [SimpleUploadedFile(f"shot{n}.png", b"png" * n, content_type="image/png") for n in (1, 2)]

    signed_in.post(reverse("portal:ticket_new"), {"subject": "Two", "message": "see", "attachments": files})

    assert sorted(Attachment.objects.values_list("filename", flat=True)) == ["shot1.png", "shot2.png"]


def test_an_oversized_attachment_is_a_form_error_and_nothing_is_written(signed_in, settings):
    settings.AWN_MAX_ATTACHMENT_BYTES = 10
    upload = SimpleUploadedFile("huge.bin", b"x" * 11)

    response = signed_in.post(
        reverse("portal:ticket_new"),
        {
            "subject": "Big file",
            "message": "attached",
            "attachments": [upload],
        },
    )

    assert response.status_code == 400
    assert "huge.bin" in response.content.decode() and "limit" in response.content.decode()
    assert Ticket.objects.count() == 0
    assert Attachment.objects.count() == 0


def test_too_many_attachments_are_a_form_error(signed_in, settings):
    settings.AWN_MAX_ATTACHMENTS = 1
    files = [SimpleUploadedFile(f"f{n}.txt", b"x") for n in range(2)]

    response = signed_in.post(
        reverse("portal:ticket_new"), {"subject": "s", "message": "m", "attachments": files}
    )

    assert response.status_code == 400
    assert "At most 1 file" in response.content.decode()
    assert Ticket.objects.count() == 0


def test_a_request_without_a_subject_is_refused(signed_in):
    response = signed_in.post(reverse("portal:ticket_new"), {"subject": " ", "message": "m"})

    assert response.status_code == 400
    assert Ticket.objects.count() == 0


def test_hostile_text_in_a_request_is_shown_as_text(signed_in):
    signed_in.post(
        reverse("portal:ticket_new"),
        {
            "subject": "<img src=x onerror=alert(1)>",
            "message": '<script>alert("x")</script> hi',
        },
    )
    ticket = Ticket.objects.get()

    page = signed_in.get(reverse("portal:ticket", args=[ticket.number])).content.decode()

    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page


def test_hostile_html_in_a_message_is_neutralized_on_display(signed_in, requester):
    ticket = create_ticket(
        requester=requester,
        subject="From email",
        by=Actor.of(requester),
        channel=Channel.EMAIL,
        html='<p onmouseover="steal()">Hello<script>alert(1)</script><a href="javascript:alert(2)">click</a>'
        '<img src="https://x.example/a.png" onerror="alert(3)">'
        '<div style="position:fixed;inset:0">x</div></p>',
    )

    page = signed_in.get(reverse("portal:ticket", args=[ticket.number])).content.decode()

    assert "Hello" in page
    for hostile in ("onmouseover", "<script>alert(1)", "javascript:alert", "onerror", "position:fixed"):
        assert hostile not in page


def test_replying_adds_the_message_and_reopens_a_solved_request(signed_in, agent, request_ticket):
    reply_to_ticket(ticket=request_ticket, by=Actor.of(agent), body="Fixed it", status=Status.SOLVED)

    response = signed_in.post(
        reverse("portal:ticket_reply", args=[request_ticket.number]), {"message": "Not fixed for me"}
    )

    request_ticket.refresh_from_db()
    assert response.status_code == 302
    assert request_ticket.status == Status.OPEN
    assert request_ticket.messages.filter(body="Not fixed for me", internal=False).exists()


def test_a_reply_with_an_oversized_attachment_writes_nothing(signed_in, request_ticket, settings):
    settings.AWN_MAX_ATTACHMENT_BYTES = 10

    response = signed_in.post(
        reverse("portal:ticket_reply", args=[request_ticket.number]),
        {"message": "here", "attachments": [SimpleUploadedFile("big.txt", b"x" * 20)]},
    )

    assert response.status_code == 400
    assert request_ticket.messages.count() == 1


def test_an_empty_reply_is_refused(signed_in, request_ticket):
    response = signed_in.post(reverse("portal:ticket_reply", args=[request_ticket.number]), {"message": "  "})

    assert response.status_code == 400
    assert request_ticket.messages.count() == 1


def test_the_customer_marks_a_request_solved(signed_in, request_ticket):
    response = signed_in.post(reverse("portal:ticket_solve", args=[request_ticket.number]))

    request_ticket.refresh_from_db()
    assert response.status_code == 302
    assert request_ticket.status == Status.SOLVED
    assert request_ticket.events.filter(kind="status", new=Status.SOLVED).exists()


def test_the_customer_reopens_a_solved_request(signed_in, request_ticket, requester):
    change_status(ticket=request_ticket, status=Status.SOLVED, by=Actor.of(requester))

    response = signed_in.post(reverse("portal:ticket_reopen", args=[request_ticket.number]))

    request_ticket.refresh_from_db()
    assert response.status_code == 302
    assert request_ticket.status == Status.OPEN
    assert request_ticket.solved_at is None


def test_a_request_that_is_not_solved_cannot_be_reopened(signed_in, request_ticket):
    response = signed_in.post(reverse("portal:ticket_reopen", args=[request_ticket.number]))

    request_ticket.refresh_from_db()
    assert response.status_code == 409
    assert request_ticket.status == Status.NEW


def test_a_closed_request_cannot_be_solved_or_answered(signed_in, request_ticket, agent):
    change_status(ticket=request_ticket, status=Status.CLOSED, by=Actor.of(agent))

    solve = signed_in.post(reverse("portal:ticket_solve", args=[request_ticket.number]))
    reply = signed_in.post(
        reverse("portal:ticket_reply", args=[request_ticket.number]), {"message": "hello?"}
    )

    request_ticket.refresh_from_db()
    assert solve.status_code == 409 and reply.status_code == 403
    assert request_ticket.status == Status.CLOSED
    assert request_ticket.messages.count() == 1


def test_a_closed_request_has_no_reply_box_but_offers_a_follow_up(signed_in, request_ticket, agent):
    change_status(ticket=request_ticket, status=Status.CLOSED, by=Actor.of(agent))

    page = signed_in.get(reverse("portal:ticket", args=[request_ticket.number])).content.decode()

    assert reverse("portal:ticket_reply", args=[request_ticket.number]) not in page
    assert f"{reverse('portal:ticket_new')}?follow_up={request_ticket.number}" in page


def test_the_follow_up_form_names_the_closed_request(signed_in, request_ticket):
    page = signed_in.get(reverse("portal:ticket_new"), {"follow_up": request_ticket.number}).content.decode()

    assert f"Follow-up to #{request_ticket.number}: Invoice is wrong" in page


@pytest.mark.parametrize("follow_up", ["9" * 30, "٣", "-1"])
def test_a_follow_up_that_names_no_request_gives_the_plain_form(signed_in, follow_up):
    response = signed_in.get(reverse("portal:ticket_new"), {"follow_up": follow_up})

    assert response.status_code == 200
    assert "Follow-up to" not in response.content.decode()


def test_the_follow_up_form_ignores_a_request_the_customer_cannot_see(client, stranger, request_ticket):
    client.force_login(stranger)

    page = client.get(reverse("portal:ticket_new"), {"follow_up": request_ticket.number}).content.decode()

    assert "Invoice is wrong" not in page


def test_attachments_are_listed_with_their_names(signed_in, requester):
    ticket = create_ticket(
        requester=requester,
        subject="With file",
        body="see file",
        by=Actor.of(requester),
        attachments=[
            IncomingFile(filename="<b onclick=x>evil.txt", content=b"hello", content_type="text/plain")
        ],
    )

    page = signed_in.get(reverse("portal:ticket", args=[ticket.number])).content.decode()

    assert "&lt;b onclick=x&gt;evil.txt" in page
    assert Message.objects.get(ticket=ticket).attachments.count() == 1


def test_the_requester_downloads_an_attachment_from_the_thread(signed_in, requester):
    ticket = create_ticket(
        requester=requester,
        subject="File",
        body="see",
        by=Actor.of(requester),
        attachments=[IncomingFile(filename="notes.txt", content=b"hello")],
    )
    attachment = Attachment.objects.get()
    page = signed_in.get(reverse("portal:ticket", args=[ticket.number])).content.decode()
    href = reverse("tickets:attachment", args=[attachment.pk, attachment.filename])

    response = signed_in.get(href)

    assert f'href="{href}"' in page
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"hello"
