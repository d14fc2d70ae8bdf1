import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from awn.tickets.models import Message, Status, Ticket, TicketEvent
from awn.tickets.services import Actor, change_status, create_ticket
from tests.factories import AgentFactory, CustomerFactory, TeamFactory

pytestmark = pytest.mark.django_db


def _post(client, name, ticket, data, **extra):
    return client.post(reverse(name, args=[ticket.pk]), data, **extra)


def _last_event(ticket) -> TicketEvent:
    return ticket.events.order_by("-id").first()


def test_a_public_reply_is_stored_and_opens_the_ticket(client, agent, ticket):
    client.force_login(agent)

    response = _post(client, "desk:ticket_reply", ticket, {"kind": "reply", "body": "We are on it"})

    assert response.status_code == 302
    message = ticket.messages.order_by("-id").first()
    assert (message.body, message.internal, message.author) == ("We are on it", False, agent)
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert ticket.events.filter(kind="message", message=message, actor=agent).exists()


def test_an_internal_note_is_stored_as_internal_and_records_a_note_event(client, agent, ticket):
    client.force_login(agent)

    _post(client, "desk:ticket_reply", ticket, {"kind": "note", "body": "Check the logs"})

    message = ticket.messages.order_by("-id").first()
    assert message.internal is True
    assert ticket.events.filter(kind="note", message=message).exists()
    ticket.refresh_from_db()
    assert ticket.first_response_at is None


def test_a_reply_can_solve_the_ticket_in_the_same_step(client, agent, ticket):
    client.force_login(agent)

    _post(client, "desk:ticket_reply", ticket, {"kind": "reply", "body": "Fixed", "status": "solved"})

    ticket.refresh_from_db()
    assert ticket.status == Status.SOLVED
    assert ticket.solved_at is not None


def test_a_note_can_set_the_status_too(client, agent, ticket):
    client.force_login(agent)

    _post(
        client,
        "desk:ticket_reply",
        ticket,
        {"kind": "note", "body": "Waiting on vendor", "status": "on_hold"},
    )

    ticket.refresh_from_db()
    assert ticket.status == Status.ON_HOLD


def test_a_reply_carries_several_attachments(client, agent, ticket):
    client.force_login(agent)
    files = [
        SimpleUploadedFile("a.txt", b"one", "text/plain"),
        SimpleUploadedFile("b.png", b"\x89PNG", "image/png"),
    ]

    _post(client, "desk:ticket_reply", ticket, {"kind": "reply", "body": "files", "attachments": files})

    message = ticket.messages.order_by("-id").first()
    assert sorted(message.attachments.values_list("filename", flat=True)) == ["a.txt", "b.png"]


def test_an_oversized_attachment_is_refused_and_nothing_is_written(client, agent, ticket, settings):
    settings.AWN_MAX_ATTACHMENT_BYTES = 10
    client.force_login(agent)
    before = Message.objects.count()

    data = {"kind": "reply", "body": "big", "attachments": [SimpleUploadedFile("big.bin", b"x" * 11)]}

    response = _post(client, "desk:ticket_reply", ticket, data)

    assert response.status_code == 413
    assert "the limit is" in response.content.decode()
    assert Message.objects.count() == before


def test_an_empty_reply_is_refused_with_a_clear_message(client, agent, ticket):
    client.force_login(agent)
    before = ticket.events.count()

    response = _post(client, "desk:ticket_reply", ticket, {"kind": "reply", "body": ""})

    assert response.status_code == 422
    assert "This field is required." in response.content.decode()
    assert ticket.events.count() == before


def test_a_reply_with_an_illegal_status_writes_nothing(client, agent, ticket):
    change_status(ticket=ticket, status="solved", by=Actor.of(agent))
    client.force_login(agent)
    before = ticket.events.count()

    response = _post(client, "desk:ticket_reply", ticket, {"kind": "note", "body": "x", "status": "pending"})

    assert response.status_code == 409
    assert "cannot go from Solved to Pending" in response.content.decode()
    assert ticket.events.count() == before
    assert not ticket.messages.filter(body="x").exists()


def test_a_failed_reply_keeps_the_typed_text(client, agent, ticket):
    change_status(ticket=ticket, status="solved", by=Actor.of(agent))
    client.force_login(agent)

    response = _post(
        client, "desk:ticket_reply", ticket, {"kind": "reply", "body": "my long answer", "status": "pending"}
    )

    assert "my long answer" in response.content.decode()


def test_replying_to_a_closed_ticket_is_refused(client, agent, ticket):
    change_status(ticket=ticket, status="closed", by=Actor.of(agent))
    client.force_login(agent)

    response = _post(client, "desk:ticket_reply", ticket, {"kind": "reply", "body": "hello?"})

    assert response.status_code == 403
    assert "This ticket is closed." in response.content.decode()


def test_changing_the_status_writes_a_status_event(client, agent, ticket):
    client.force_login(agent)

    _post(client, "desk:ticket_status", ticket, {"status": "pending"})

    event = _last_event(ticket)
    assert (event.kind, event.old, event.new, event.actor) == ("status", "new", "pending", agent)


def test_a_bad_status_is_refused_clearly_and_nothing_is_written(client, agent, ticket):
    client.force_login(agent)
    before = ticket.events.count()

    response = _post(client, "desk:ticket_status", ticket, {"status": "exploded"})

    assert response.status_code == 409
    assert "Unknown status" in response.content.decode()
    assert ticket.events.count() == before
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW


def test_an_illegal_status_move_is_refused(client, agent, ticket):
    change_status(ticket=ticket, status="closed", by=Actor.of(agent))
    client.force_login(agent)

    response = _post(client, "desk:ticket_status", ticket, {"status": "open"})

    assert response.status_code == 409
    assert "cannot go from Closed to Open" in response.content.decode()


def test_changing_the_priority_writes_a_priority_event(client, agent, ticket):
    client.force_login(agent)

    _post(client, "desk:ticket_priority", ticket, {"priority": "4"})

    event = _last_event(ticket)
    assert (event.kind, event.old, event.new) == ("priority", 2, 4)


def test_a_bad_priority_is_refused(client, agent, ticket):
    client.force_login(agent)
    before = ticket.events.count()

    response = _post(client, "desk:ticket_priority", ticket, {"priority": "9"})

    assert response.status_code == 422
    assert ticket.events.count() == before


def test_assigning_writes_an_assignee_event(client, agent, ticket):
    colleague = AgentFactory(name="Bea Colleague")
    client.force_login(agent)

    _post(client, "desk:ticket_assignee", ticket, {"assignee": str(colleague.pk)})

    assert ticket.events.filter(kind="assignee", old__isnull=True, new=colleague.pk, actor=agent).exists()


def test_assigning_to_a_customer_is_refused(client, agent, ticket, other_customer):
    client.force_login(agent)
    before = ticket.events.count()

    response = _post(client, "desk:ticket_assignee", ticket, {"assignee": str(other_customer.pk)})

    assert response.status_code == 422
    assert "Select a valid choice" in response.content.decode()
    assert ticket.events.count() == before


def test_assign_to_me_takes_the_ticket(client, agent, ticket):
    client.force_login(agent)

    _post(client, "desk:ticket_take", ticket, {})

    ticket.refresh_from_db()
    assert ticket.assignee == agent


def test_unassigning_writes_an_assignee_event(client, agent, ticket):
    client.force_login(agent)
    _post(client, "desk:ticket_take", ticket, {})

    _post(client, "desk:ticket_assignee", ticket, {"assignee": ""})

    assert _last_event(ticket).kind == "assignee"
    assert _last_event(ticket).new is None


def test_changing_the_team_writes_a_team_event(client, admin_user, ticket):
    escalation = TeamFactory(name="Escalation")
    client.force_login(admin_user)

    _post(client, "desk:ticket_team", ticket, {"team": str(escalation.pk)})

    event = _last_event(ticket)
    assert (event.kind, event.old, event.new) == ("team", ticket.team_id, escalation.pk)


def test_moving_a_ticket_out_of_ones_teams_returns_to_the_inbox(client, agent, ticket):
    billing = TeamFactory(name="Billing")
    client.force_login(agent)

    response = _post(client, "desk:ticket_team", ticket, {"team": str(billing.pk)})

    assert response.status_code == 302
    assert response["Location"] == reverse("desk:inbox")
    ticket.refresh_from_db()
    assert ticket.team == billing


def test_moving_a_ticket_out_of_scope_with_htmx_redirects_the_page(client, agent, ticket):
    billing = TeamFactory(name="Billing")
    client.force_login(agent)

    response = _post(client, "desk:ticket_team", ticket, {"team": str(billing.pk)}, HTTP_HX_REQUEST="true")

    assert response["HX-Redirect"] == reverse("desk:inbox")


def test_setting_tags_writes_a_tags_event(client, agent, ticket):
    client.force_login(agent)

    _post(client, "desk:ticket_tags", ticket, {"tags": "VIP, printer  fire"})

    event = _last_event(ticket)
    assert (event.kind, event.old, event.new) == ("tags", [], ["fire", "printer", "vip"])


def test_an_invalid_tag_is_refused_clearly(client, agent, ticket):
    client.force_login(agent)

    response = _post(client, "desk:ticket_tags", ticket, {"tags": "ok <script>"})

    assert response.status_code == 422
    assert "is not a valid tag" in response.content.decode()
    assert not ticket.tags.exists()


def test_an_htmx_change_returns_the_ticket_body_with_a_notice(client, agent, ticket):
    client.force_login(agent)

    response = _post(client, "desk:ticket_priority", ticket, {"priority": "3"}, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="ticket-body"')
    assert "Saved." in html
    assert "changed priority from <bdi>Normal</bdi> to <bdi>High</bdi>" in html


def test_an_htmx_refusal_returns_the_ticket_body_with_the_error_and_a_4xx(client, agent, ticket):
    client.force_login(agent)

    response = _post(client, "desk:ticket_status", ticket, {"status": "nope"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 409
    assert 'role="alert"' in response.content.decode()
    assert "Unknown status" in response.content.decode()


def test_merging_asks_for_confirmation_first(client, agent, ticket, second_ticket):
    client.force_login(agent)

    response = _post(client, "desk:ticket_merge", second_ticket, {"target": str(ticket.pk)})

    assert response.status_code == 200
    assert "Merge tickets" in response.content.decode()
    second_ticket.refresh_from_db()
    assert second_ticket.merged_into is None


def test_a_confirmed_merge_moves_the_messages_and_closes_the_source(client, agent, ticket, second_ticket):
    client.force_login(agent)

    response = _post(client, "desk:ticket_merge", second_ticket, {"target": str(ticket.pk), "confirm": "1"})

    assert response["Location"] == reverse("desk:ticket", args=[ticket.pk])
    second_ticket.refresh_from_db()
    assert (second_ticket.merged_into, second_ticket.status) == (ticket, Status.CLOSED)
    assert ticket.messages.filter(body="Also this").exists()
    assert ticket.events.filter(kind="merged_from", new=second_ticket.pk).exists()


def test_merging_into_itself_is_refused_and_nothing_is_written(client, agent, ticket):
    client.force_login(agent)
    before = TicketEvent.objects.count()

    response = _post(client, "desk:ticket_merge", ticket, {"target": str(ticket.pk), "confirm": "1"})

    assert response.status_code == 422
    assert "cannot be merged into itself" in response.content.decode()
    assert TicketEvent.objects.count() == before


def test_merging_into_an_unknown_ticket_is_refused(client, agent, ticket):
    client.force_login(agent)
    before = TicketEvent.objects.count()

    response = _post(client, "desk:ticket_merge", ticket, {"target": "987654", "confirm": "1"})

    assert response.status_code == 422
    assert "There is no ticket #987654 that you can see." in response.content.decode()
    assert TicketEvent.objects.count() == before


def test_merging_into_a_ticket_outside_ones_scope_is_refused_like_an_unknown_one(client, agent, ticket):
    billing_agent = AgentFactory()
    hidden = create_ticket(
        requester=CustomerFactory(),
        subject="Hidden",
        body="x",
        team=TeamFactory(name="Billing", members=[billing_agent]),
        by=Actor.of(billing_agent),
    )
    client.force_login(agent)

    response = _post(client, "desk:ticket_merge", ticket, {"target": str(hidden.pk), "confirm": "1"})

    assert response.status_code == 422
    assert "Hidden" not in response.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).merged_into is None


def test_merging_into_a_closed_ticket_is_refused(client, agent, ticket, second_ticket):
    change_status(ticket=ticket, status="closed", by=Actor.of(agent))
    client.force_login(agent)

    response = _post(client, "desk:ticket_merge", second_ticket, {"target": str(ticket.pk), "confirm": "1"})

    assert response.status_code == 422
    assert "A closed ticket cannot receive a merge." in response.content.decode()
    second_ticket.refresh_from_db()
    assert second_ticket.merged_into is None


def test_get_is_not_allowed_on_actions(client, agent, ticket):
    client.force_login(agent)

    response = client.get(reverse("desk:ticket_status", args=[ticket.pk]))

    assert response.status_code == 405
