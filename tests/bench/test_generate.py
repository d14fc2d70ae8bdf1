"""The benchmark data generator writes the rows the services would have written, on both databases."""

import random
import re
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from awn.accounts.models import Role, Team, User
from awn.bench.commands import main as bench_main
from awn.bench.generate import BENCH_PASSWORD, TicketWriter, generate
from awn.bench.loaders import MemoryLoader
from awn.bench.people import People
from awn.bench.surveys import SurveyWriter, add_surveys
from awn.search.selectors import search_tickets
from awn.surveys.models import NpsResponse, SatisfactionRating
from awn.tickets.models import Message, Status, Ticket, TicketEvent
from awn.tickets.services import Actor, create_ticket, reply_to_ticket

END = datetime(2025, 6, 1, tzinfo=UTC)
pytestmark = pytest.mark.django_db(transaction=True)  # the loaders manage their own transactions


@pytest.fixture
def generated():
    return generate(tickets=200, seed=7, end=END, search_index=True)


def test_generator_writes_the_requested_tickets_people_and_teams(generated):
    tickets = Ticket.objects.count()

    assert tickets == 200
    assert User.objects.filter(role=Role.CUSTOMER).count() == 40
    assert User.objects.filter(role=Role.AGENT).count() == 50
    assert Team.objects.count() == 8
    assert Team.objects.filter(visibility=Team.Visibility.ALL).count() == 1
    assert 2.5 <= Message.objects.count() / tickets <= 3.5


def test_message_counters_and_timestamps_match_the_messages(generated):
    messages = defaultdict(list)
    for message in Message.objects.select_related("author"):
        messages[message.ticket_id].append(message)

    for ticket in Ticket.objects.all():
        thread = sorted(messages[ticket.pk], key=lambda m: (m.created_at, m.pk))
        public_agent = [m.created_at for m in thread if not m.internal and m.author.is_staff_member]
        customer = [m.created_at for m in thread if m.author_id == ticket.requester_id]
        assert ticket.message_count == len(thread)
        assert thread[0].author_id == ticket.requester_id and thread[0].created_at == ticket.created_at
        assert ticket.first_response_at == (public_agent[0] if public_agent else None)
        assert ticket.last_agent_message_at == (public_agent[-1] if public_agent else None)
        assert ticket.last_customer_message_at == customer[-1]


def test_every_ticket_has_one_created_event_and_every_message_one_event(generated):
    created = defaultdict(int)
    message_events = set()
    for event in TicketEvent.objects.all():
        if event.kind == TicketEvent.Kind.CREATED:
            created[event.ticket_id] += 1
        if event.kind in (TicketEvent.Kind.MESSAGE, TicketEvent.Kind.NOTE):
            message_events.add(event.message_id)

    assert all(created[pk] == 1 for pk in Ticket.objects.values_list("pk", flat=True))
    assert message_events == set(Message.objects.values_list("pk", flat=True))


def test_status_events_lead_to_the_ticket_status_and_updated_at_is_the_last_change(generated):
    events = defaultdict(list)
    for event in TicketEvent.objects.order_by("created_at", "id"):
        events[event.ticket_id].append(event)

    for ticket in Ticket.objects.all():
        statuses = [e.new for e in events[ticket.pk] if e.kind == TicketEvent.Kind.STATUS]
        assert (statuses[-1] if statuses else Status.NEW) == ticket.status
        assert ticket.updated_at == max(e.created_at for e in events[ticket.pk])
        assert (ticket.solved_at is not None) == (ticket.status in (Status.SOLVED, Status.CLOSED))


def test_assignees_work_in_the_ticket_team_and_tickets_carry_the_requester_organization(generated):
    members = defaultdict(set)
    for team in Team.objects.prefetch_related("members"):
        members[team.pk] = {user.pk for user in team.members.all()}

    for ticket in Ticket.objects.select_related("requester"):
        assert ticket.organization_id == ticket.requester.organization_id
        assert ticket.requester.role == Role.CUSTOMER
        if ticket.assignee_id is not None:
            assert ticket.assignee_id in members[ticket.team_id]
        else:
            assert ticket.status == Status.NEW


def test_generated_rows_satisfy_every_foreign_key(generated):
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA foreign_key_check")
            problems = cursor.fetchall()
        else:
            cursor.execute(
                "SELECT count(*) FROM tickets_message m LEFT JOIN tickets_ticket t ON t.id = m.ticket_id "
                "LEFT JOIN accounts_user u ON u.id = m.author_id WHERE t.id IS NULL OR u.id IS NULL "
                "UNION ALL SELECT count(*) FROM tickets_ticketevent e "
                "LEFT JOIN tickets_ticket t ON t.id = e.ticket_id "
                "LEFT JOIN tickets_message m ON m.id = e.message_id "
                "WHERE t.id IS NULL OR (e.message_id IS NOT NULL AND m.id IS NULL) "
                "UNION ALL SELECT count(*) FROM tickets_ticket t "
                "LEFT JOIN accounts_user r ON r.id = t.requester_id WHERE r.id IS NULL "
                "UNION ALL SELECT count(*) FROM surveys_satisfactionrating s "
                "LEFT JOIN tickets_ticket t ON t.id = s.ticket_id "
                "LEFT JOIN accounts_user c ON c.id = s.customer_id "
                "LEFT JOIN accounts_user a ON a.id = s.agent_id "
                "LEFT JOIN accounts_team m ON m.id = s.team_id "
                "WHERE t.id IS NULL OR c.id IS NULL OR a.id IS NULL OR m.id IS NULL "
                "UNION ALL SELECT count(*) FROM surveys_npsresponse n "
                "LEFT JOIN tickets_ticket t ON t.id = n.ticket_id "
                "LEFT JOIN accounts_user c ON c.id = n.customer_id "
                "WHERE t.id IS NULL OR c.id IS NULL"
            )
            problems = [row for row in cursor.fetchall() if row[0]]

    assert problems == []


def test_the_services_keep_working_on_generated_data(generated):
    customer = User.objects.filter(role=Role.CUSTOMER).first()
    agent = User.objects.filter(role=Role.AGENT, teams__isnull=False).first()
    old = Ticket.objects.filter(team__members=agent, status=Status.OPEN).first()
    highest = Ticket.objects.order_by("-pk").first().pk

    new = create_ticket(requester=customer, subject="After the benchmark", body="Hi", by=Actor.of(customer))
    reply = reply_to_ticket(ticket=old, by=Actor.of(agent), body="On it")

    # No collision with a generated id (PostgreSQL's sequences were reset); SQLite's AUTOINCREMENT may be
    # past the highest id when earlier tests of the session created tickets and flushed them.
    assert new.pk > highest
    assert reply.pk > Message.objects.exclude(pk=reply.pk).order_by("-pk").first().pk


def test_generated_accounts_sign_in_with_the_bench_password(generated, client):
    agent = User.objects.filter(role=Role.AGENT).first()

    signed_in = client.login(email=agent.email, password=BENCH_PASSWORD)

    assert signed_in


def test_subjects_and_bodies_come_in_english_arabic_and_persian(generated):
    languages = set(Ticket.objects.values_list("language", flat=True))
    arabic = Ticket.objects.filter(language="ar").first()
    persian = Ticket.objects.filter(language="fa").first()

    assert languages == {"en", "ar", "fa"}
    assert any("\u0600" <= ch <= "\u06ff" for ch in arabic.subject)
    assert any(ch in "یک" for ch in persian.subject + persian.messages.first().body)


def test_generated_tickets_are_found_by_search_after_the_rebuild(generated):
    admin = User.objects.get(email="admin@bench.test")
    message = Message.objects.filter(body__regex=r"ORD-[0-9]+").select_related("ticket").first()
    order = re.search(r"ORD-[0-9]+", message.body).group(0)

    found = search_tickets(user=admin, query=order)

    assert message.ticket in found


def test_generating_into_a_database_that_has_tickets_is_refused(generated):
    before = (Ticket.objects.count(), User.objects.count())

    with pytest.raises(RuntimeError):
        generate(tickets=10, seed=1, end=END)

    assert (Ticket.objects.count(), User.objects.count()) == before


def test_solved_tickets_carry_ratings_by_their_requester_for_their_solver_and_team(generated):
    solved = Ticket.objects.filter(solved_at__isnull=False).count()

    ratings = list(SatisfactionRating.objects.select_related("ticket"))

    assert 0.05 * solved <= len(ratings) <= 0.3 * solved
    assert {rating.rating for rating in ratings} <= {1, 2, 3}
    assert sum(rating.rating == 3 for rating in ratings) > len(ratings) / 2
    for rating in ratings:
        ticket = rating.ticket
        assert rating.message_id is None and ticket.solved_at is not None
        assert (rating.customer_id, rating.agent_id, rating.team_id) == (
            ticket.requester_id,
            ticket.assignee_id,
            ticket.team_id,
        )
        assert ticket.solved_at < rating.created_at == rating.updated_at < END


def test_nps_surveys_follow_solved_tickets_and_ask_a_customer_at_most_once_in_ninety_days(generated):
    sent = defaultdict(list)

    responses = list(NpsResponse.objects.select_related("ticket").order_by("sent_at"))

    assert responses
    for response in responses:
        assert response.customer_id == response.ticket.requester_id
        assert response.sent_at >= response.ticket.solved_at + timedelta(days=7)
        assert response.sent_at < END
        if response.score is None:
            assert response.answered_at is None and response.comment == ""
        else:
            assert 0 <= response.score <= 10 and response.sent_at < response.answered_at < END
        sent[response.customer_id].append(response.sent_at)
    for times in sent.values():
        assert all(later - earlier >= timedelta(days=90) for earlier, later in zip(times, times[1:]))


def test_adding_surveys_to_a_data_set_without_them_draws_the_same_rows(generated):
    before = sorted(SatisfactionRating.objects.values_list("ticket_id", "rating", "comment", "created_at"))
    nps_before = sorted(NpsResponse.objects.values_list("ticket_id", "score", "sent_at", "answered_at"))
    SatisfactionRating.objects.all().delete()
    NpsResponse.objects.all().delete()

    summary = add_surveys(seed=7, end_us=int(END.timestamp() * 1_000_000))

    assert summary.added and summary.ratings == len(before)
    assert (
        sorted(SatisfactionRating.objects.values_list("ticket_id", "rating", "comment", "created_at"))
        == before
    )
    assert (
        sorted(NpsResponse.objects.values_list("ticket_id", "score", "sent_at", "answered_at")) == nps_before
    )


def test_the_add_surveys_command_fills_a_data_set_once_and_then_does_nothing(generated, capsys):
    SatisfactionRating.objects.all().delete()
    NpsResponse.objects.all().delete()

    first = bench_main(["add-surveys", "--seed", "7"])
    counts = (SatisfactionRating.objects.count(), NpsResponse.objects.count())
    second = bench_main(["add-surveys", "--seed", "7"])

    assert first == second == 0
    assert counts[0] > 0 and counts[1] > 0
    assert (SatisfactionRating.objects.count(), NpsResponse.objects.count()) == counts
    assert "nothing added" in capsys.readouterr().out


def test_the_same_seed_draws_the_same_survey_answers():
    solved = [
        (pk, pk % 7 + 1, 10, 3, ("en", "ar", "fa")[pk % 3], pk * 3_600_000_000) for pk in range(1, 3000)
    ]
    end_us = 4000 * 3_600_000_000

    def draw(seed):
        writer = SurveyWriter(seed=seed, end_us=end_us, timestamp=str)
        for row in solved:
            writer.add(*row)
        return writer.ratings, writer.nps

    first, again, other = draw(3), draw(3), draw(4)

    assert first == again and first[0] and first[1]
    assert first != other


def _simulate(seed: int) -> dict[str, list[tuple]]:
    people = People(
        customer_ids=[1, 2, 3],
        customer_lang={1: "en", 2: "ar", 3: "fa"},
        customer_name={1: "Ann Lee", 2: "سارة الحسن", 3: "مریم نوری"},
        customer_org={1: 5, 2: None, 3: None},
        org_name={5: "Acme Trading"},
        agent_name={10: "Ada Agent"},
        team_ids={
            name: index
            for index, name in enumerate(
                [
                    "Front line English",
                    "Front line Arabic",
                    "Front line Persian",
                    "Billing",
                    "Shipping",
                    "Technical",
                    "Hardware",
                    "Escalations",
                ]
            )
        },
        team_members={index: [10] for index in range(8)},
        tag_ids={},
        requester_cum_weights=[1.0, 2.0, 3.0],
    )
    people.tag_ids = defaultdict(lambda: 1)
    loader = MemoryLoader()
    end_us = int(END.timestamp() * 1_000_000)
    TicketWriter(rng=random.Random(seed), people=people, loader=loader, end_us=end_us, days=365).run(
        50, batch_size=20
    )
    return loader.rows


def _comparable(rows: dict[str, list[tuple]]) -> dict[str, list[tuple]]:
    """Rows with database adapters unwrapped: on PostgreSQL a JSON default is a psycopg Jsonb wrapper, and two
    wrappers of the same value do not compare equal."""
    return {
        table: [tuple(getattr(value, "obj", value) for value in row) for row in table_rows]
        for table, table_rows in rows.items()
    }


def test_the_same_seed_gives_the_same_tickets_and_another_seed_different_ones():
    first, again, other = (_comparable(_simulate(seed)) for seed in (3, 3, 4))

    assert first == again
    assert first["tickets_ticket"] != other["tickets_ticket"]
