"""Desk screens: the "SLA due" view, badges on the list and the ticket page, the admin's policy screens."""

from datetime import timedelta

import pytest
from django.urls import reverse

from awn.sla.models import SLAPolicy
from awn.tickets.models import Priority, Status
from awn.tickets.services import Actor, change_status
from tests.factories import AgentFactory, TeamFactory

pytestmark = pytest.mark.django_db

SLA_VIEW = reverse("desk:inbox") + "?view=sla"


def test_the_sla_view_lists_the_ticket_with_least_time_left_first(
    client, agent, now, berlin, make_policy, open_ticket
):
    make_policy("Urgent", conditions={"priorities": [Priority.URGENT]}, first_response=15)
    make_policy("Standard", first_response=240)
    relaxed = open_ticket(subject="Relaxed")
    now.advance(minutes=30)
    pressing = open_ticket(subject="Pressing", priority=Priority.URGENT)
    client.force_login(agent)

    response = client.get(SLA_VIEW)

    assert [t.pk for t in response.context["tickets"]] == [pressing.pk, relaxed.pk]


def test_the_sla_view_leaves_out_tickets_without_a_running_clock(
    client, agent, now, berlin, make_policy, open_ticket, run_events
):
    make_policy("VIP", conditions={"tags": ["vip"]}, first_response=60)
    open_ticket(subject="No SLA")
    waiting = open_ticket(subject="Waiting", tags=["vip"])
    with run_events():
        change_status(ticket=waiting, status=Status.SOLVED, by=Actor.of(agent))
    client.force_login(agent)

    response = client.get(SLA_VIEW)

    assert response.context["tickets"] == []


def test_the_sla_view_shows_only_tickets_the_agent_may_see(client, now, berlin, make_policy, open_ticket):
    make_policy(first_response=60)
    open_ticket(subject="Theirs")
    stranger = AgentFactory()
    TeamFactory(name="Elsewhere", members=[stranger])
    client.force_login(stranger)

    response = client.get(SLA_VIEW)

    assert b"Theirs" not in response.content


def test_the_sla_view_costs_the_same_queries_for_more_tickets(
    client,
    agent,
    now,
    berlin,
    make_policy,
    open_ticket,
    django_assert_num_queries,
    django_assert_max_num_queries,
):
    make_policy(first_response=60)
    open_ticket()
    client.force_login(agent)
    client.get(SLA_VIEW)
    with django_assert_max_num_queries(15) as few:
        client.get(SLA_VIEW)
    for index in range(6):
        open_ticket(subject=f"More {index}")

    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(SLA_VIEW)

    assert len(response.context["tickets"]) == 7


def test_the_list_shows_a_countdown_badge(client, agent, now, berlin, make_policy, open_ticket):
    make_policy(first_response=60)
    ticket = open_ticket()
    client.force_login(agent)

    response = client.get(reverse("desk:inbox") + "?view=all")

    html = response.content.decode()
    assert f'data-sla-due="{ticket.first_response_due_at.isoformat()}"' in html
    assert "1 h 0 min" in html and "sla-ok" in html


def test_the_badge_says_breached_once_the_due_time_passed(
    client, agent, now, berlin, make_policy, open_ticket
):
    make_policy(first_response=60)
    open_ticket()
    client.force_login(agent)
    now.advance(minutes=75)

    response = client.get(SLA_VIEW)

    assert "breached 15 min 0 s ago" in response.content.decode()
    assert "sla-breached" in response.content.decode()


def test_the_badge_warns_inside_the_warning_window(client, agent, now, berlin, make_policy, open_ticket):
    make_policy(first_response=60, warning_minutes=30)
    open_ticket()
    client.force_login(agent)
    now.advance(minutes=40)

    response = client.get(SLA_VIEW)

    assert "sla-warning" in response.content.decode()


def test_the_ticket_page_shows_the_badge_and_each_due_time(
    client, agent, now, berlin, make_policy, open_ticket
):
    make_policy(first_response=60, resolution=480)
    ticket = open_ticket()
    client.force_login(agent)

    response = client.get(reverse("desk:ticket", args=[ticket.pk]))

    html = response.content.decode()
    assert "data-sla-due" in html and "sla/sla.js" in html
    assert "Standard" in html and html.count('class="sla-targets') == 1
    assert ticket.resolution_due_at.isoformat() in html


def test_a_paused_ticket_shows_a_paused_badge(
    client, agent, now, berlin, make_policy, open_ticket, run_events
):
    make_policy(resolution=480)
    ticket = open_ticket()
    with run_events():
        change_status(ticket=ticket, status=Status.PENDING, by=Actor.of(agent))
    client.force_login(agent)

    response = client.get(reverse("desk:ticket", args=[ticket.pk]))

    assert "SLA paused" in response.content.decode()


# --- admin screens -----------------------------------------------------------------------------------------


def policy_post(**overrides):
    data = {
        "name": "Gold customers",
        "is_active": "on",
        "priorities": ["3", "4"],
        "plans": "gold, platinum",
        "tags": "vip",
        "first_response_minutes": "30",
        "first_response_business": "on",
        "resolution_minutes": "480",
        "resolution_business": "on",
        "resolution_pauses": "on",
        "pause_statuses": ["pending", "on_hold"],
        "warning_minutes": "10",
        "notify_on_breach": ["assignee", "managers"],
        "email_notifications": "on",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("url_name", ["sla:policies", "sla:policy_new"])
def test_agents_cannot_open_the_policy_screens(client, agent, url_name):
    client.force_login(agent)

    assert client.get(reverse(url_name)).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("sla:policies"))

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_admin_creates_a_policy_from_the_form(client, sla_admin):
    client.force_login(sla_admin)

    response = client.post(reverse("sla:policy_new"), policy_post())

    assert response.status_code == 302
    policy = SLAPolicy.objects.get()
    assert policy.conditions == {"priorities": [3, 4], "plans": ["gold", "platinum"], "tags": ["vip"]}
    assert policy.targets["first_response"] == {"minutes": 30, "business_hours": True, "pauses": False}
    assert policy.targets["resolution"] == {"minutes": 480, "business_hours": True, "pauses": True}
    assert policy.notify_on_breach == ["assignee", "managers"]


def test_a_policy_without_targets_is_refused_and_nothing_is_saved(client, sla_admin):
    client.force_login(sla_admin)

    response = client.post(
        reverse("sla:policy_new"), policy_post(first_response_minutes="", resolution_minutes="")
    )

    assert response.status_code == 422
    assert not SLAPolicy.objects.exists()


def test_a_negative_target_is_refused(client, sla_admin):
    client.force_login(sla_admin)

    response = client.post(reverse("sla:policy_new"), policy_post(first_response_minutes="-5"))

    assert response.status_code == 422 and not SLAPolicy.objects.exists()


def test_a_hostile_policy_name_is_shown_as_text(client, sla_admin):
    client.force_login(sla_admin)
    client.post(reverse("sla:policy_new"), policy_post(name="<script>alert(1)</script>"))

    response = client.get(reverse("sla:policies"))

    assert b"<script>alert(1)</script>" not in response.content
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in response.content


def test_an_admin_edits_a_policy(client, sla_admin, make_policy):
    policy = make_policy(first_response=60)
    client.force_login(sla_admin)

    response = client.post(reverse("sla:policy", args=[policy.pk]), policy_post(name="Renamed"))

    assert response.status_code == 302
    policy.refresh_from_db()
    assert policy.name == "Renamed" and policy.targets["first_response"]["minutes"] == 30


def test_the_edit_form_shows_the_stored_values(client, sla_admin, make_policy):
    policy = make_policy(first_response=45)
    client.force_login(sla_admin)

    response = client.get(reverse("sla:policy", args=[policy.pk]))

    assert response.context["form"]["first_response_minutes"].value() == 45


def test_an_admin_moves_a_policy_up(client, sla_admin, make_policy):
    make_policy("First")
    second = make_policy("Second")
    client.force_login(sla_admin)

    client.post(reverse("sla:policy_move", args=[second.pk]), {"direction": "up"})

    assert list(SLAPolicy.objects.values_list("name", flat=True)) == ["Second", "First"]


def test_an_admin_deletes_a_policy(client, sla_admin, make_policy):
    policy = make_policy()
    client.force_login(sla_admin)

    client.post(reverse("sla:policy_delete", args=[policy.pk]))

    assert not SLAPolicy.objects.exists()


def test_deleting_needs_a_post(client, sla_admin, make_policy):
    policy = make_policy()
    client.force_login(sla_admin)

    assert client.get(reverse("sla:policy_delete", args=[policy.pk])).status_code == 405
    assert SLAPolicy.objects.exists()


def test_the_policies_list_counts_breached_tickets(
    client, sla_admin, now, berlin, make_policy, open_ticket, run_events
):
    from awn.sla.services import sweep

    make_policy(first_response=60)
    ticket = open_ticket()
    with run_events():
        sweep(now=ticket.created_at + timedelta(hours=2))
    client.force_login(sla_admin)

    response = client.get(reverse("sla:policies"))

    assert "1 ticket breached an SLA." in response.content.decode()
