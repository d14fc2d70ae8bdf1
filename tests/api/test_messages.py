import base64

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from awn.tickets.models import Attachment, Message, Status, Ticket, TicketEvent
from awn.tickets.services import Actor, add_internal_note, change_status
from tests.api.conftest import error_of

pytestmark = pytest.mark.django_db


def counts():
    return Message.objects.count(), TicketEvent.objects.count(), Attachment.objects.count()


def attachment(name="notes.txt", content=b"hello", content_type="text/plain"):
    encoded = base64.b64encode(content).decode()
    return {"filename": name, "content_type": content_type, "content_base64": encoded}


def test_an_agent_replies_publicly(api_as, agent, ticket):
    response = api_as(agent).post(f"/api/v1/tickets/{ticket.pk}/messages", {"body": "Unplug it, please."})

    assert response.status_code == 201
    body = response.json()
    assert body["internal"] is False
    assert body["author"]["id"] == agent.pk
    assert body["body"] == "Unplug it, please."
    assert body["html"] == "<p>Unplug it, please.</p>"
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert ticket.first_response_at is not None


def test_an_agent_replies_and_solves_in_one_step(api_as, agent, ticket):
    response = api_as(agent).post(
        f"/api/v1/tickets/{ticket.pk}/messages", {"body": "Fixed.", "status": "solved"}
    )

    assert response.status_code == 201
    assert Ticket.objects.get(pk=ticket.pk).status == Status.SOLVED


def test_an_agent_adds_an_internal_note(api_as, agent, ticket):
    response = api_as(agent).post(
        f"/api/v1/tickets/{ticket.pk}/messages",
        {"html": "<b>Customer</b> is on the VIP list", "internal": True},
    )

    assert response.status_code == 201
    assert response.json()["internal"] is True
    assert Ticket.objects.get(pk=ticket.pk).first_response_at is None


def test_a_customer_adds_a_message_on_the_api_channel(api_as, customer, ticket):
    response = api_as(customer).post(f"/api/v1/tickets/{ticket.pk}/messages", {"body": "Any news?"})

    assert response.status_code == 201
    assert response.json()["channel"] == "api"
    assert response.json()["author"]["id"] == customer.pk


def test_a_customer_message_reopens_a_solved_ticket(api_as, agent, customer, ticket):
    change_status(ticket=ticket, status=Status.SOLVED, by=Actor.of(agent))

    api_as(customer).post(f"/api/v1/tickets/{ticket.pk}/messages", {"body": "It is burning again"})

    assert Ticket.objects.get(pk=ticket.pk).status == Status.OPEN


def test_a_customer_cannot_write_an_internal_note(api_as, customer, ticket):
    before = counts()

    response = api_as(customer).post(
        f"/api/v1/tickets/{ticket.pk}/messages", {"body": "psst", "internal": True}
    )

    assert response.status_code == 403
    assert error_of(response)["code"] == "forbidden"
    assert counts() == before


def test_a_customer_cannot_set_the_status_with_a_message(api_as, customer, ticket):
    before = counts()

    response = api_as(customer).post(
        f"/api/v1/tickets/{ticket.pk}/messages", {"body": "done", "status": "closed"}
    )

    assert response.status_code == 403
    assert counts() == before


def test_customers_never_see_internal_notes(api_as, agent, customer, ticket):
    add_internal_note(ticket=ticket, by=Actor.of(agent), body="Refund them quietly")

    response = api_as(customer).get(f"/api/v1/tickets/{ticket.pk}/messages")

    assert response.status_code == 200
    assert [m["internal"] for m in response.json()["items"]] == [False]
    assert b"Refund them quietly" not in response.content


def test_staff_see_the_whole_thread_oldest_first(api_as, agent, ticket):
    add_internal_note(ticket=ticket, by=Actor.of(agent), body="Refund them quietly")

    response = api_as(agent).get(f"/api/v1/tickets/{ticket.pk}/messages")

    assert [m["body"] for m in response.json()["items"]] == ["Please help", "Refund them quietly"]


def test_the_thread_is_paginated_by_offset(api_as, agent, ticket):
    api = api_as(agent)
    for n in range(4):
        api.post(f"/api/v1/tickets/{ticket.pk}/messages", {"body": f"reply {n}"})

    first = api.get(f"/api/v1/tickets/{ticket.pk}/messages", {"limit": 3}).json()
    second = api.get(
        f"/api/v1/tickets/{ticket.pk}/messages", {"limit": 3, "offset": first["next_offset"]}
    ).json()

    assert [m["body"] for m in first["items"] + second["items"]] == [
        "Please help",
        "reply 0",
        "reply 1",
        "reply 2",
        "reply 3",
    ]
    assert second["next_offset"] is None


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"body": ""},
        {"body": 5},
        {"body": "x", "internal": "yes"},
        {"body": "x", "status": "asleep"},
        {"html": "<script>alert(1)</script>"},
        {"body": "x", "to": "everyone"},
    ],
)
def test_a_bad_message_is_refused_and_nothing_is_written(api_as, agent, ticket, payload):
    before = counts()

    response = api_as(agent).post(f"/api/v1/tickets/{ticket.pk}/messages", payload)

    assert response.status_code == 422
    assert error_of(response)["code"] == "validation_error"
    assert counts() == before


def test_a_reply_with_an_illegal_status_is_refused_and_nothing_is_written(api_as, agent, ticket):
    change_status(ticket=ticket, status=Status.SOLVED, by=Actor.of(agent))
    before = counts()

    response = api_as(agent).post(f"/api/v1/tickets/{ticket.pk}/messages", {"body": "x", "status": "pending"})

    assert response.status_code == 409
    assert counts() == before


def test_a_note_with_an_illegal_status_is_refused_and_the_note_is_not_kept(api_as, agent, ticket):
    change_status(ticket=ticket, status=Status.SOLVED, by=Actor.of(agent))
    before = counts()

    response = api_as(agent).post(
        f"/api/v1/tickets/{ticket.pk}/messages", {"body": "x", "internal": True, "status": "pending"}
    )

    assert response.status_code == 409
    assert counts() == before


def test_nobody_writes_to_a_closed_ticket(api_as, agent, ticket):
    change_status(ticket=ticket, status=Status.CLOSED, by=Actor.of(agent))
    before = counts()

    response = api_as(agent).post(f"/api/v1/tickets/{ticket.pk}/messages", {"body": "Hello?"})

    assert response.status_code == 403
    assert counts() == before


def test_a_retried_message_with_the_same_idempotency_key_is_stored_once(api_as, agent, ticket):
    api = api_as(agent)
    first = api.post(
        f"/api/v1/tickets/{ticket.pk}/messages", {"body": "Once"}, headers={"Idempotency-Key": "m-1"}
    )
    before = counts()

    again = api.post(
        f"/api/v1/tickets/{ticket.pk}/messages", {"body": "Once"}, headers={"Idempotency-Key": "m-1"}
    )

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert counts() == before


def test_a_retried_note_with_the_same_idempotency_key_is_stored_once(api_as, agent, ticket):
    api = api_as(agent)
    api.post(
        f"/api/v1/tickets/{ticket.pk}/messages",
        {"body": "n", "internal": True},
        headers={"Idempotency-Key": "n-1"},
    )
    before = counts()

    again = api.post(
        f"/api/v1/tickets/{ticket.pk}/messages",
        {"body": "n", "internal": True},
        headers={"Idempotency-Key": "n-1"},
    )

    assert again.status_code == 200
    assert counts() == before


def test_an_idempotency_key_reused_on_another_ticket_is_a_conflict(api_as, agent, customer, ticket):
    api = api_as(agent)
    other = api.post(
        "/api/v1/tickets",
        {
            "subject": "Other",
            "message": {"body": "x"},
            "requester": {"email": customer.email},
            "team": ticket.team_id,
        },
    )
    api.post(f"/api/v1/tickets/{ticket.pk}/messages", {"body": "x"}, headers={"Idempotency-Key": "k"})
    before = counts()

    response = api.post(
        f"/api/v1/tickets/{other.json()['id']}/messages", {"body": "x"}, headers={"Idempotency-Key": "k"}
    )

    assert response.status_code == 409
    assert error_of(response)["code"] == "idempotency_key_reused"
    assert counts() == before


def test_a_message_carries_attachments_that_its_readers_can_download(api_as, agent, customer, ticket):
    response = api_as(agent).post(
        f"/api/v1/tickets/{ticket.pk}/messages",
        {"body": "See attached", "attachments": [attachment(content=b"manual")]},
    )
    url = response.json()["attachments"][0]["url"]

    download = api_as(customer).get(url)

    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"manual"
    assert download["Content-Disposition"].startswith("attachment")


def test_an_html_attachment_is_downloaded_as_opaque_bytes(api_as, agent, ticket):
    response = api_as(agent).post(
        f"/api/v1/tickets/{ticket.pk}/messages",
        {"body": "x", "attachments": [attachment("page.html", b"<script>alert(1)</script>", "text/html")]},
    )

    download = api_as(agent).get(response.json()["attachments"][0]["url"])

    assert download["Content-Type"] == "application/octet-stream"
    assert download["X-Content-Type-Options"] == "nosniff"


def test_a_customer_cannot_download_an_attachment_of_an_internal_note(api_as, agent, customer, ticket):
    response = api_as(agent).post(
        f"/api/v1/tickets/{ticket.pk}/messages",
        {"body": "x", "internal": True, "attachments": [attachment()]},
    )

    download = api_as(customer).get(response.json()["attachments"][0]["url"])

    assert download.status_code == 404


def test_a_message_attachment_over_the_limit_is_a_413_and_nothing_is_written(api_as, agent, ticket, settings):
    settings.AWN_MAX_ATTACHMENT_BYTES = 100
    before = counts()

    response = api_as(agent).post(
        f"/api/v1/tickets/{ticket.pk}/messages",
        {"body": "x", "attachments": [attachment(content=b"y" * 101)]},
    )

    assert response.status_code == 413
    assert error_of(response)["code"] == "attachment_too_large"
    assert counts() == before


def upload(api, ticket, data, headers=None):
    merged = {"Authorization": f"Bearer {api.key}", **(headers or {})}
    return api.client.post(f"/api/v1/tickets/{ticket.pk}/messages/upload", data, headers=merged)


def test_files_can_be_sent_as_a_multipart_upload(api_as, agent, ticket):
    files = [
        SimpleUploadedFile("a.log", b"first", content_type="text/plain"),
        SimpleUploadedFile("b.png", b"\x89PNG", content_type="image/png"),
    ]

    response = upload(
        api_as(agent), ticket, {"body": "Logs attached", "internal": "true", "attachments": files}
    )

    assert response.status_code == 201
    assert response.json()["internal"] is True
    assert sorted(a["filename"] for a in response.json()["attachments"]) == ["a.log", "b.png"]


def test_an_oversized_multipart_file_is_a_413_and_nothing_is_written(api_as, agent, ticket, settings):
    settings.AWN_MAX_ATTACHMENT_BYTES = 10
    before = counts()
    big = SimpleUploadedFile("big", b"y" * 11)

    response = upload(api_as(agent), ticket, {"body": "x", "attachments": [big]})

    assert response.status_code == 413
    assert error_of(response)["code"] == "attachment_too_large"
    assert counts() == before


def test_a_multipart_message_without_text_is_refused(api_as, agent, ticket):
    before = counts()

    response = upload(api_as(agent), ticket, {"attachments": [SimpleUploadedFile("a.txt", b"a")]})

    assert response.status_code == 422
    assert counts() == before


def test_a_customer_cannot_upload_an_internal_note(api_as, customer, ticket):
    before = counts()

    response = upload(api_as(customer), ticket, {"body": "x", "internal": "true"})

    assert response.status_code == 403
    assert counts() == before


def test_listing_messages_costs_the_same_queries_for_two_or_twelve(
    api_as, agent, ticket, django_assert_max_num_queries
):
    api = api_as(agent)
    api.post(f"/api/v1/tickets/{ticket.pk}/messages", {"body": "1", "attachments": [attachment()]})
    with django_assert_max_num_queries(8) as few:
        api.get(f"/api/v1/tickets/{ticket.pk}/messages")
    baseline = len(few)  # now: the next request clears Django's query log
    for n in range(10):
        api.post(f"/api/v1/tickets/{ticket.pk}/messages", {"body": str(n), "attachments": [attachment()]})

    with django_assert_max_num_queries(baseline):
        response = api.get(f"/api/v1/tickets/{ticket.pk}/messages")

    assert len(response.json()["items"]) == 12
