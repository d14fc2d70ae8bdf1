import pytest
from django.urls import reverse

from awn.tickets.inbound import InboundMessage, IncomingFile
from awn.tickets.services import (
    Actor,
    add_internal_note,
    assign_ticket,
    change_priority,
    change_status,
    create_ticket,
    receive_message,
    reply_to_ticket,
)
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def _page(client, ticket) -> str:
    response = client.get(reverse("desk:ticket", args=[ticket.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_thread_shows_public_messages_and_internal_notes_distinctly(client, agent, ticket):
    reply_to_ticket(ticket=ticket, by=Actor.of(agent), body="We are looking")
    add_internal_note(ticket=ticket, by=Actor.of(agent), body="Customer is on the old plan")
    client.force_login(agent)

    html = _page(client, ticket)

    assert "Please help" in html and "We are looking" in html
    assert 'class="message internal"' in html
    assert "Customer is on the old plan" in html
    assert 'class="message from-staff"' in html
    assert 'class="message from-customer"' in html


@pytest.mark.parametrize(
    "hostile",
    [
        '<script>alert("pwned")</script>',
        '<img src="x" onerror="alert(1)">',
        '<a href="javascript:alert(1)">click</a>',
        '<p style="position:fixed;inset:0">cover</p>',
        '<iframe src="https://evil.example"></iframe>',
        '<svg onload="alert(1)"></svg>',
    ],
)
def test_hostile_html_in_a_message_never_renders_as_script(client, agent, customer, team, hostile):
    ticket = create_ticket(
        requester=customer, subject="x", html=f"<p>hello</p>{hostile}", team=team, by=Actor.of(customer)
    )
    client.force_login(agent)

    html = _page(client, ticket)

    body = html.split('class="message-body" dir="auto">', 1)[1].split("</div>", 1)[0]
    assert "hello" in body
    for bad in ("<script", "onerror", "javascript:", "style=", "<iframe", "onload"):
        assert bad not in body


def test_hostile_names_and_subjects_are_escaped(client, agent, team):
    message = receive_message(
        InboundMessage(
            channel="email",
            sender_email="evil@example.com",
            sender_name='<img src=x onerror="alert(1)">',
            subject="<script>alert(2)</script>",
            body="hi",
        )
    )
    ticket = message.ticket
    ticket.team = team
    ticket.save(update_fields=["team"])
    client.force_login(agent)

    html = _page(client, ticket)

    assert "<script>alert(2)</script>" not in html
    assert '<img src=x onerror="alert(1)">' not in html
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html


def test_attachments_are_listed_with_download_links(client, agent, ticket):
    message = reply_to_ticket(
        ticket=ticket,
        by=Actor.of(agent),
        body="see file",
        attachments=[IncomingFile("report.pdf", b"%PDF-1.4", "application/pdf")],
    )
    attachment = message.attachments.get()
    client.force_login(agent)

    html = _page(client, ticket)

    assert reverse("tickets:attachment", args=[attachment.pk, "report.pdf"]) in html
    assert "report.pdf" in html


def _history(client, ticket) -> list[str]:
    response = client.get(reverse("desk:ticket", args=[ticket.pk]))
    return [line.text for line in response.context["history"]]


def test_the_history_reads_as_sentences(client, agent, ticket):
    change_status(ticket=ticket, status="open", by=Actor.of(agent))
    change_priority(ticket=ticket, priority=4, by=Actor.of(agent))
    assign_ticket(ticket=ticket, assignee=agent, by=Actor.of(agent))
    client.force_login(agent)

    history = _history(client, ticket)

    assert history == [
        "Cora Customer created the ticket",
        "Cora Customer added a public message",
        "Ada Agent changed status from New to Open",
        "Ada Agent changed priority from Normal to Urgent",
        "Ada Agent changed the assignee from nobody to Ada Agent",
    ]


def test_system_changes_show_their_label(client, agent, ticket):
    change_status(ticket=ticket, status="pending", by=Actor.system("automation: wait for customer"))
    client.force_login(agent)

    history = _history(client, ticket)

    assert history[-1] == "automation: wait for customer changed status from New to Pending"


def test_names_in_the_history_are_escaped_and_isolated(client, agent, ticket):
    agent.name = "<b onmouseover=alert(1)>Ada</b>"
    agent.save(update_fields=["name"])
    change_status(ticket=ticket, status="open", by=Actor.of(agent))
    client.force_login(agent)

    html = _page(client, ticket)

    assert "<b onmouseover" not in html
    assert "<bdi>&lt;b onmouseover=alert(1)&gt;Ada&lt;/b&gt;</bdi> changed status from" in html


def test_the_customer_sidebar_shows_the_profile_and_other_tickets(
    client, agent, customer, ticket, second_ticket
):
    customer.phone, customer.plan, customer.timezone = "+98 21 1234", "Gold", "Asia/Tehran"
    customer.organization = OrganizationFactory(name="Acme Ltd")
    customer.save()
    client.force_login(agent)

    html = _page(client, ticket)

    sidebar = html.split('class="card customer-panel"', 1)[1]
    for text in ("Cora Customer", "customer@example.com", "+98 21 1234", "Gold", "Asia/Tehran", "Acme Ltd"):
        assert text in sidebar
    assert f"#{second_ticket.pk}" in sidebar


def test_other_tickets_outside_the_agents_scope_are_not_listed(client, outsider, agent, customer, ticket):
    billing_ticket = create_ticket(
        requester=customer,
        subject="Invoice question",
        body="x",
        team=outsider.teams.get(),
        by=Actor.of(customer),
    )
    client.force_login(agent)

    html = _page(client, ticket)

    assert "Invoice question" not in html
    assert f"/desk/tickets/{billing_ticket.pk}/" not in html


def test_the_status_menu_offers_only_legal_moves(client, agent, ticket):
    change_status(ticket=ticket, status="solved", by=Actor.of(agent))
    client.force_login(agent)

    response = client.get(reverse("desk:ticket", args=[ticket.pk]))

    assert [value for value, _label in response.context["status_choices"]] == ["open", "solved", "closed"]


def test_a_closed_ticket_offers_no_reply_form(client, agent, ticket):
    change_status(ticket=ticket, status="closed", by=Actor.of(agent))
    client.force_login(agent)

    html = _page(client, ticket)

    assert reverse("desk:ticket_reply", args=[ticket.pk]) not in html
    assert "This ticket is closed" in html


def test_the_ticket_page_is_rendered_partially_for_htmx(client, agent, ticket):
    client.force_login(agent)

    response = client.get(reverse("desk:ticket", args=[ticket.pk]), HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="ticket-body"')
    assert "<html" not in html


def _converse(ticket, agent, rounds: int) -> None:
    for index in range(rounds):
        reply_to_ticket(
            ticket=ticket,
            by=Actor.of(agent),
            body=f"answer {index}",
            attachments=[IncomingFile(f"log{index}.txt", b"x", "text/plain")],
        )
        add_internal_note(ticket=ticket, by=Actor.of(agent), body=f"note {index}")
        assign_ticket(ticket=ticket, assignee=agent if index % 2 == 0 else None, by=Actor.of(agent))


def test_the_ticket_page_query_count_does_not_grow_with_the_conversation(
    client, agent, ticket, django_assert_num_queries
):
    client.force_login(agent)
    url = reverse("desk:ticket", args=[ticket.pk])
    _converse(ticket, agent, 2)
    client.get(url)
    with django_assert_num_queries(TICKET_PAGE_QUERIES):
        client.get(url)

    _converse(ticket, agent, 10)
    with django_assert_num_queries(TICKET_PAGE_QUERIES):
        response = client.get(url)

    assert len(response.context["thread"]) == 1 + 2 * 12


# session, user; the ticket (+ the agent's teams), its tags, messages, attachments, the messages' email side
# (delivery states), events, the names in the events; other tickets of the requester (+ teams again); the
# assignee and team choices.
TICKET_PAGE_QUERIES = 14
