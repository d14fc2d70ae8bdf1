import datetime as dt

import pytest
from django.urls import reverse

from awn.tickets.models import Priority, Status, Ticket
from awn.tickets.services import Actor, assign_ticket, create_ticket, set_tags
from tests.factories import CustomerFactory, TicketFactory

pytestmark = pytest.mark.django_db


def _subjects(response) -> list[str]:
    return [t.subject for t in response.context["tickets"]]


def test_my_view_lists_only_my_unsolved_tickets(client, agent, ticket, second_ticket):
    assign_ticket(ticket=ticket, assignee=agent, by=Actor.of(agent))
    client.force_login(agent)

    response = client.get(reverse("desk:inbox") + "?view=mine")

    assert _subjects(response) == ["My printer is on fire"]


def test_the_sidebar_shows_counts_for_each_view(client, agent, ticket, second_ticket):
    assign_ticket(ticket=ticket, assignee=agent, by=Actor.of(agent))
    client.force_login(agent)

    response = client.get(reverse("desk:inbox"))

    counts = {name: count for name, _label, count in response.context["views"]}
    assert counts["mine"] == 1
    assert counts["unassigned"] == 1
    assert counts["teams"] == 2


def test_sort_by_priority_puts_urgent_first(client, admin_user):
    TicketFactory(subject="low", priority=Priority.LOW)
    TicketFactory(subject="urgent", priority=Priority.URGENT)
    TicketFactory(subject="normal", priority=Priority.NORMAL)
    client.force_login(admin_user)

    response = client.get(reverse("desk:inbox") + "?view=all&sort=priority")

    assert _subjects(response) == ["urgent", "normal", "low"]


def test_sort_oldest_and_newest(client, admin_user):
    now = dt.datetime(2026, 1, 10, tzinfo=dt.UTC)
    for days, subject in [(3, "old"), (1, "new"), (2, "middle")]:
        TicketFactory(subject=subject, created_at=now - dt.timedelta(days=days))
    client.force_login(admin_user)

    oldest = client.get(reverse("desk:inbox") + "?view=all&sort=oldest")
    newest = client.get(reverse("desk:inbox") + "?view=all&sort=newest")

    assert _subjects(oldest) == ["old", "middle", "new"]
    assert _subjects(newest) == ["new", "middle", "old"]


def test_next_page_link_walks_through_every_ticket_once(client, admin_user, monkeypatch):
    monkeypatch.setattr("awn.desk.views.inbox.PAGE_SIZE", 2)
    made = {TicketFactory().subject for _ in range(5)}
    client.force_login(admin_user)
    url, seen = reverse("desk:inbox") + "?view=all&sort=oldest", []

    while url:
        response = client.get(url)
        seen += _subjects(response)
        cursor = response.context["page"].next_cursor
        url = reverse("desk:inbox") + f"?view=all&sort=oldest&cursor={cursor}" if cursor else None

    assert len(seen) == 5
    assert set(seen) == made


def test_the_next_page_link_carries_the_cursor(client, admin_user, monkeypatch):
    monkeypatch.setattr("awn.desk.views.inbox.PAGE_SIZE", 1)
    TicketFactory()
    TicketFactory()
    client.force_login(admin_user)

    response = client.get(reverse("desk:inbox") + "?view=all")

    assert 'rel="next"' in response.content.decode()
    assert f"cursor={response.context['page'].next_cursor}" in response.content.decode()


def test_filters_by_status_priority_and_channel(client, admin_user):
    TicketFactory(subject="wanted", status=Status.OPEN, priority=Priority.HIGH, channel="phone")
    TicketFactory(subject="wrong status", status=Status.SOLVED, priority=Priority.HIGH, channel="phone")
    TicketFactory(subject="wrong channel", status=Status.OPEN, priority=Priority.HIGH, channel="email")
    client.force_login(admin_user)

    response = client.get(reverse("desk:inbox") + "?view=all&status=open&priority=3&channel=phone")

    assert _subjects(response) == ["wanted"]


def test_filters_by_team_assignee_and_tag(client, admin_user, agent, ticket, second_ticket):
    assign_ticket(ticket=ticket, assignee=agent, by=Actor.of(agent))
    set_tags(ticket=ticket, tags=["vip"], by=Actor.of(agent))
    client.force_login(admin_user)

    response = client.get(
        reverse("desk:inbox") + f"?view=all&team={ticket.team_id}&assignee={agent.pk}&tag=vip"
    )

    assert _subjects(response) == ["My printer is on fire"]


def test_unassigned_filter_uses_nobody(client, admin_user, agent, ticket, second_ticket):
    assign_ticket(ticket=ticket, assignee=agent, by=Actor.of(agent))
    client.force_login(admin_user)

    response = client.get(reverse("desk:inbox") + "?view=all&assignee=0")

    assert _subjects(response) == ["Second problem"]


def test_filter_by_requester_email(client, admin_user, ticket, other_customer):
    create_ticket(requester=other_customer, subject="Theirs", body="x", by=Actor.of(other_customer))
    client.force_login(admin_user)

    response = client.get(reverse("desk:inbox") + "?view=all&requester=OTHER@example.com")

    assert _subjects(response) == ["Theirs"]


def test_an_unknown_requester_email_matches_nothing_and_says_so(client, admin_user, ticket):
    client.force_login(admin_user)

    response = client.get(reverse("desk:inbox") + "?view=all&requester=nobody@example.com")

    assert _subjects(response) == []
    assert "Nobody uses the address nobody@example.com." in response.content.decode()


@pytest.mark.parametrize("query", ["status=bogus", "priority=9", "team=x", "channel=fax", "sort=sideways"])
def test_bad_filters_are_refused_with_a_clear_message(client, admin_user, ticket, query):
    client.force_login(admin_user)

    response = client.get(reverse("desk:inbox") + "?view=all&" + query)

    assert response.status_code == 400
    assert "Some filters are not valid." in response.content.decode()
    assert _subjects(response) == []


def test_a_forged_cursor_is_refused(client, admin_user, ticket):
    client.force_login(admin_user)

    response = client.get(reverse("desk:inbox") + "?view=all&cursor=garbage")

    assert response.status_code == 422
    assert "The page cursor is not valid." in response.content.decode()


def test_an_unknown_view_is_404(client, admin_user):
    client.force_login(admin_user)

    response = client.get(reverse("desk:inbox") + "?view=everything")

    assert response.status_code == 404


def test_the_table_shows_the_columns_of_a_ticket(client, agent, ticket):
    assign_ticket(ticket=ticket, assignee=agent, by=Actor.of(agent))
    client.force_login(agent)

    html = client.get(reverse("desk:inbox") + "?view=all").content.decode()

    assert f'href="/desk/tickets/{ticket.pk}/"' in html
    assert "Cora Customer" in html
    assert 'class="badge status-open"' in html
    assert "Normal" in html
    assert "Support" in html
    assert "Ada Agent" in html


def test_updated_time_is_shown_in_the_agents_timezone(client, agent, ticket):
    Ticket.objects.filter(pk=ticket.pk).update(updated_at=dt.datetime(2026, 3, 1, 22, 30, tzinfo=dt.UTC))
    agent.timezone = "Asia/Tehran"
    agent.save(update_fields=["timezone"])
    client.force_login(agent)

    html = client.get(reverse("desk:inbox") + "?view=all").content.decode()

    assert 'datetime="2026-03-02T02:00:00+03:30"' in html


def test_subjects_with_markup_are_escaped(client, admin_user):
    TicketFactory(subject='<script>alert("x")</script>')
    client.force_login(admin_user)

    html = client.get(reverse("desk:inbox") + "?view=all").content.decode()

    assert '<script>alert("x")</script>' not in html
    assert "&lt;script&gt;" in html


def test_the_inbox_is_right_to_left_in_persian(client, agent):
    agent.language = "fa"
    agent.save(update_fields=["language"])
    client.force_login(agent)

    html = client.get(reverse("desk:inbox")).content.decode()

    assert 'dir="rtl"' in html


def _make_tickets(count: int, team, agent) -> None:
    for index in range(count):
        requester = CustomerFactory()
        ticket = create_ticket(
            requester=requester, subject=f"Ticket {index}", body="x", team=team, by=Actor.of(requester)
        )
        assign_ticket(ticket=ticket, assignee=agent, by=Actor.of(agent))
        set_tags(ticket=ticket, tags=[f"tag{index}", "common"], by=Actor.of(agent))


@pytest.mark.parametrize("view", ["mine", "all"])
def test_the_inbox_query_count_does_not_grow_with_the_number_of_tickets(
    client, agent, team, django_assert_num_queries, view
):
    client.force_login(agent)
    url = reverse("desk:inbox") + f"?view={view}"
    _make_tickets(5, team, agent)
    client.get(url)  # warm the session and the timezone caches

    with django_assert_num_queries(QUERIES) as five:
        client.get(url)
    _make_tickets(20, team, agent)
    with django_assert_num_queries(QUERIES) as twenty_five:
        response = client.get(url)

    assert len(response.context["tickets"]) == 25
    assert len(five.captured_queries) == len(twenty_five.captured_queries)


# session, user; choices for the forms (teams, staff: read here because a test runs inside a transaction,
# cached per process otherwise); the agent's teams, read once for the scope the list and the counts share; the
# queue and its tags' names; three sidebar counts.
QUERIES = 10
