"""Aggregates over facts against hand-computed fixtures: mean, median, p90, FCR, SLA, local days and hours."""

from datetime import UTC, date, datetime

from awn.reports.models import TicketFacts
from awn.reports.selectors import ReportFilters, Scope, backlog, heatmaps, percentiles, summary, volume
from tests.reports.conftest import fact

ALL = Scope(everything=True)
JANUARY = ReportFilters(start=date(2024, 1, 1), end=date(2024, 1, 31))


def test_mean_median_and_p90_of_first_response(db):
    for seconds in (600, 60, 240, 180, 120):
        fact(first_response_seconds=seconds, first_response_business_seconds=seconds // 2)

    numbers = summary(ALL, JANUARY)

    assert numbers.first_response.count == 5
    assert numbers.first_response.mean == 240
    assert numbers.first_response.median == 180
    assert numbers.first_response.p90 == 456  # rank 3.6 of 0..4: 240 + 0.6 × (600 − 240)
    assert numbers.first_response_business.median == 90


def test_median_of_an_even_count_is_the_mean_of_the_middle_two(db):
    for seconds in (10, 20, 30, 40):
        fact(first_response_seconds=seconds)

    assert summary(ALL, JANUARY).first_response.median == 25


def test_percentiles_per_group(db, agent):
    for seconds in (100, 300):
        fact(first_response_seconds=seconds, agent=agent)
    fact(first_response_seconds=7)

    found = percentiles(TicketFacts.objects.all(), "first_response_seconds", (0.5,), group="agent_id")

    assert found == {agent.pk: [200.0], None: [7.0]}


def test_resolution_and_rates_count_tickets_solved_in_the_period(db):
    solved = datetime(2024, 1, 20, tzinfo=UTC)
    fact(
        status="solved",
        solved_at=solved,
        resolution_seconds=3600,
        first_contact_resolution=True,
        one_touch=True,
        agent_replies=1,
    )
    fact(status="solved", solved_at=solved, resolution_seconds=7200, reopens=1, agent_replies=3)
    fact(status="solved", solved_at=solved, resolution_seconds=10800, agent_replies=2)
    fact(
        status="solved",
        solved_at=solved,
        resolution_seconds=14400,
        first_contact_resolution=True,
        agent_replies=2,
    )
    fact(status="solved", solved_at=datetime(2024, 2, 2, tzinfo=UTC), resolution_seconds=99)  # February

    numbers = summary(ALL, JANUARY)

    assert numbers.solved == 4
    assert numbers.resolution.mean == 9000
    assert numbers.fcr == 0.5
    assert numbers.one_touch == 0.25
    assert numbers.reopened == 0.25


def test_sla_attainment_counts_only_tickets_with_the_target(db):
    fact(sla_first_response_met=True)
    fact(sla_first_response_met=True)
    fact(sla_first_response_met=False)
    fact(sla_first_response_met=None)

    assert summary(ALL, JANUARY).sla_first_response == 2 / 3


def test_no_tickets_give_no_numbers_rather_than_zeros(db):
    numbers = summary(ALL, JANUARY)

    assert numbers.created == 0
    assert numbers.first_response.median is None
    assert numbers.fcr is None


def test_days_are_the_viewers_local_days(db):
    # 22:30 UTC on 9 January is already 10 January in Riyadh (UTC+3).
    fact(created_at=datetime(2024, 1, 9, 22, 30, tzinfo=UTC), channel="email")
    fact(created_at=datetime(2024, 1, 9, 20, 0, tzinfo=UTC), channel="email")
    riyadh = ReportFilters(start=date(2024, 1, 9), end=date(2024, 1, 10), timezone="Asia/Riyadh")

    days, series = volume(ALL, riyadh)

    assert days == [date(2024, 1, 9), date(2024, 1, 10)]
    assert series == {"email": [1, 1]}


def test_local_days_follow_daylight_saving_changes(db):
    # Berlin moves to summer time on 31 March 2024: 23:30 UTC on the 30th is 00:30 on the 31st (UTC+1);
    # 22:30 UTC on the 31st is 00:30 on 1 April (UTC+2).
    fact(created_at=datetime(2024, 3, 30, 23, 30, tzinfo=UTC))
    fact(created_at=datetime(2024, 3, 31, 22, 30, tzinfo=UTC))
    spring = ReportFilters(start=date(2024, 3, 30), end=date(2024, 4, 1), timezone="Europe/Berlin")

    _days, series = volume(ALL, spring)

    assert series == {"web": [0, 1, 1]}


def test_heatmap_puts_tickets_in_local_weekday_and_hour(db):
    # Monday 8 January 2024 06:15 UTC is Monday 09:45 in Tehran (UTC+3:30).
    fact(created_at=datetime(2024, 1, 8, 6, 15, tzinfo=UTC), first_response_seconds=100)
    fact(created_at=datetime(2024, 1, 8, 6, 20, tzinfo=UTC), first_response_seconds=300)
    tehran = ReportFilters(start=date(2024, 1, 1), end=date(2024, 1, 31), timezone="Asia/Tehran")

    counts, means = heatmaps(ALL, tehran)

    assert counts[0][9] == 2
    assert means[0][9] == 200
    assert sum(map(sum, counts)) == 2


def test_backlog_is_created_minus_solved_by_the_end_of_each_day(db):
    fact(created_at=datetime(2023, 12, 31, tzinfo=UTC))  # open before the period
    fact(
        created_at=datetime(2024, 1, 1, 10, tzinfo=UTC),
        solved_at=datetime(2024, 1, 2, 10, tzinfo=UTC),
        status="solved",
    )
    fact(created_at=datetime(2024, 1, 2, 10, tzinfo=UTC))
    period = ReportFilters(start=date(2024, 1, 1), end=date(2024, 1, 3))

    _days, levels = backlog(ALL, period)

    assert levels == [2, 2, 2]


def test_csat_is_good_ratings_over_all_ratings_overall_and_per_agent(db, agent, customer):
    from awn.reports.selectors import agents
    from awn.surveys.models import SatisfactionRating

    for rating in (3, 3, 2, 1):
        SatisfactionRating.objects.create(
            ticket=fact(agent=agent).ticket,
            agent=agent,
            customer=customer,
            rating=rating,
            created_at=datetime(2024, 1, 11, tzinfo=UTC),
        )

    numbers = summary(ALL, JANUARY)

    assert (numbers.csat, numbers.csat_count) == (0.5, 4)
    assert [(r.agent_id, r.csat) for r in agents(ALL, JANUARY)] == [(agent.pk, 0.5)]


def test_nps_is_promoters_minus_detractors_over_answered_responses(db, customer):
    from awn.surveys.models import NpsResponse

    answered = datetime(2024, 1, 11, tzinfo=UTC)
    for score in (10, 9, 8, 3):
        NpsResponse.objects.create(customer=customer, ticket=fact().ticket, score=score, answered_at=answered)
    NpsResponse.objects.create(customer=customer, ticket=fact().ticket)  # sent, not answered

    numbers = summary(ALL, JANUARY)

    assert (numbers.nps, numbers.nps_count) == (25.0, 4)  # 50 % promoters − 25 % detractors
