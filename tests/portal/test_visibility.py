"""Every portal URL × every kind of visitor: only the people who may see a request ever get it."""

import pytest
from django.urls import reverse

from awn.tickets.models import Message, Status, Ticket

pytestmark = pytest.mark.django_db

TICKET_PAGES = ["portal:ticket"]
TICKET_ACTIONS = ["portal:ticket_reply", "portal:ticket_solve", "portal:ticket_reopen"]
LIST_PAGES = ["portal:tickets", "portal:ticket_new"]


def _as(client, user):
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("name", TICKET_PAGES + TICKET_ACTIONS + LIST_PAGES)
def test_an_anonymous_visitor_is_sent_to_sign_in(client, request_ticket, name):
    url = reverse(name, args=[request_ticket.number]) if name not in LIST_PAGES else reverse(name)
    method = client.post if name in TICKET_ACTIONS else client.get

    response = method(url, {"message": "hi"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login") + "?next=")
    assert request_ticket.messages.count() == 1


def test_the_requester_sees_their_request(client, requester, request_ticket):
    response = _as(client, requester).get(reverse("portal:ticket", args=[request_ticket.number]))

    assert response.status_code == 200
    assert "The total is off by 10." in response.content.decode()


@pytest.mark.parametrize("name", LIST_PAGES)
def test_the_requester_can_open_the_list_pages(client, requester, name):
    response = _as(client, requester).get(reverse(name))

    assert response.status_code == 200


@pytest.mark.parametrize("name", TICKET_PAGES + TICKET_ACTIONS)
def test_another_customer_gets_404_and_nothing_is_written(client, stranger, request_ticket, name):
    _as(client, stranger)
    method = client.post if name in TICKET_ACTIONS else client.get

    response = method(reverse(name, args=[request_ticket.number]), {"message": "mine now"})

    assert response.status_code == 404
    assert "Invoice is wrong" not in response.content.decode()
    request_ticket.refresh_from_db()
    assert request_ticket.status == Status.NEW
    assert request_ticket.messages.count() == 1


@pytest.mark.parametrize("name", TICKET_PAGES + TICKET_ACTIONS)
def test_a_colleague_gets_404_when_the_organization_does_not_share_tickets(
    client, colleague, request_ticket, name
):
    _as(client, colleague)
    method = client.post if name in TICKET_ACTIONS else client.get

    response = method(reverse(name, args=[request_ticket.number]), {"message": "me too"})

    assert response.status_code == 404
    assert request_ticket.messages.count() == 1


def test_a_colleague_sees_the_request_when_the_organization_shares_tickets(
    client, colleague, organization, request_ticket
):
    organization.shared_tickets = True
    organization.save()

    response = _as(client, colleague).get(reverse("portal:ticket", args=[request_ticket.number]))

    assert response.status_code == 200
    assert "The total is off by 10." in response.content.decode()


def test_a_colleague_may_reply_when_the_organization_shares_tickets(
    client, colleague, organization, request_ticket
):
    organization.shared_tickets = True
    organization.save()

    response = _as(client, colleague).post(
        reverse("portal:ticket_reply", args=[request_ticket.number]), {"message": "Same problem here"}
    )

    assert response.status_code == 302
    assert request_ticket.messages.filter(author=colleague, body="Same problem here").exists()


@pytest.mark.parametrize("name", TICKET_PAGES + TICKET_ACTIONS)
def test_staff_are_sent_to_the_desk_and_nothing_is_written(client, agent, request_ticket, name):
    _as(client, agent)
    method = client.post if name in TICKET_ACTIONS else client.get

    response = method(reverse(name, args=[request_ticket.number]), {"message": "from the portal"})

    assert response.status_code == 302
    assert response["Location"] == reverse("desk:ticket", args=[request_ticket.number])
    assert request_ticket.messages.count() == 1


@pytest.mark.parametrize("name", ["portal:home", *LIST_PAGES])
def test_staff_visiting_portal_pages_land_in_the_desk(client, admin_user, name):
    response = _as(client, admin_user).get(reverse(name))

    assert response.status_code == 302
    assert response["Location"] == reverse("desk:inbox")


def test_another_customers_list_does_not_show_the_request(client, stranger, request_ticket):
    response = _as(client, stranger).get(reverse("portal:tickets"))

    assert response.status_code == 200
    assert "Invoice is wrong" not in response.content.decode()


def test_the_organization_tab_appears_only_when_the_organization_shares_tickets(
    client, colleague, organization, request_ticket
):
    _as(client, colleague)
    hidden = client.get(reverse("portal:tickets"), {"scope": "organization"})
    organization.shared_tickets = True
    organization.save()

    shown = client.get(reverse("portal:tickets"), {"scope": "organization"})

    assert "My organization" not in hidden.content.decode()
    assert "Invoice is wrong" not in hidden.content.decode()
    assert "My organization" in shown.content.decode()
    assert "Invoice is wrong" in shown.content.decode()


def test_my_requests_lists_own_and_copied_requests_but_not_the_organizations(
    client, colleague, organization, requester, request_ticket
):
    from awn.tickets.services import Actor, add_followers, create_ticket

    organization.shared_tickets = True
    organization.save()
    own = create_ticket(requester=colleague, subject="My own question", body="x", by=Actor.of(colleague))
    copied = create_ticket(requester=requester, subject="Copied to Carl", body="x", by=Actor.of(requester))
    add_followers(ticket=copied, users=[colleague], by=Actor.of(requester))

    response = _as(client, colleague).get(reverse("portal:tickets"))

    page = response.content.decode()
    assert own.subject in page and copied.subject in page
    assert "Invoice is wrong" not in page


def test_the_request_list_costs_a_fixed_number_of_queries(client, requester, django_assert_num_queries):
    from awn.tickets.services import Actor, create_ticket

    for n in range(5):
        create_ticket(requester=requester, subject=f"Question {n}", body="x", by=Actor.of(requester))
    _as(client, requester)

    # session, user, organization (scope), followed tickets (scope), count, page
    with django_assert_num_queries(6):
        response = client.get(reverse("portal:tickets"))

    assert response.status_code == 200


def test_customers_never_see_internal_notes(client, requester, agent, request_ticket):
    from awn.tickets.services import Actor, add_internal_note, reply_to_ticket

    add_internal_note(ticket=request_ticket, by=Actor.of(agent), body="Customer is on the naughty list")
    reply_to_ticket(ticket=request_ticket, by=Actor.of(agent), body="We are checking your invoice.")

    response = _as(client, requester).get(reverse("portal:ticket", args=[request_ticket.number]))

    page = response.content.decode()
    assert "We are checking your invoice." in page
    assert "naughty list" not in page
    assert Message.objects.filter(internal=True).count() == 1


def test_a_ticket_number_that_does_not_exist_is_404(client, requester):
    response = _as(client, requester).get(reverse("portal:ticket", args=[999999]))

    assert response.status_code == 404
    assert Ticket.objects.count() == 0
