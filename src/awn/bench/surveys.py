"""Survey answers for a generated data set: CSAT ratings of solved tickets and NPS surveys of their customers.

They are drawn from the tickets already in the database (solved or closed, in id order) with their own seeded
random generator, so `awn bench generate` writes them at the end of the load and `awn bench add-surveys` can
give the same rows to a data set generated before surveys existed. Rows go in bulk (executemany on SQLite,
COPY on PostgreSQL) in one transaction, consistent with what awn.surveys.services writes:

- a rating of the solved request (`message` null) for ~15% of solved tickets, by the requester, for the agent
  who solved it (the generator's solver is the assignee) and the ticket's team, given a little after
  `solved_at`; 75% good, 15% okay, 10% bad, one in eight with a comment in the ticket's language;
- an NPS survey for ~5% of solved tickets, sent 7 days after solving (an hour's sweep later), at most once per
  customer in 90 days; ~40% answered within a few days (0–10, some with a comment), the rest unanswered.

Nothing is written when the data set already has ratings or NPS surveys.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import Max

from awn.bench.loaders import EPOCH_UTC, Loader, columns_with_defaults, loader_for_connection
from awn.surveys.models import NpsResponse, SatisfactionRating
from awn.tickets.models import Ticket

US = 1_000_000
HOUR = 3600 * US
DAY = 24 * HOUR
RATED_SHARE = 0.15
NPS_SHARE = 0.05
NPS_DELAY = 7 * DAY
NPS_PERIOD = 90 * DAY
NPS_ANSWERED_SHARE = 0.4
RATINGS = (3, 2, 1)  # good, okay, bad (awn.surveys.models.Rating)
RATING_WEIGHTS = (75, 15, 10)
RATING_COMMENT_SHARE = 0.125
SCORES = tuple(range(11))
SCORE_WEIGHTS = (2, 1, 1, 2, 2, 4, 6, 10, 18, 24, 30)
NPS_COMMENT_SHARE = 0.3
READ_BATCH = 50_000

RATING_COMMENTS = {
    3: {
        "en": ("Quick and friendly, thank you!", "Solved in one reply. Great help.", "Very clear answer."),
        "ar": ("شكراً، كان الرد سريعاً وواضحاً.", "خدمة ممتازة، تم حل المشكلة بسرعة."),
        "fa": ("ممنون، پاسخ سریع و دقیق بود.", "خیلی عالی، مشکلم همان روز حل شد."),
    },
    2: {
        "en": ("Fixed in the end, but it took a while.", "OK, though I had to explain twice."),
        "ar": ("تم الحل لكن استغرق وقتاً طويلاً.", "جيد، لكن اضطررت لشرح المشكلة مرتين."),
        "fa": ("حل شد ولی کمی طول کشید.", "خوب بود، اما باید دوبار توضیح می‌دادم."),
    },
    1: {
        "en": ("Nobody answered my actual question.", "Still not working, and the ticket was closed."),
        "ar": ("لم يجب أحد على سؤالي الفعلي.", "المشكلة ما زالت قائمة وتم إغلاق الطلب."),
        "fa": ("کسی به سؤال اصلی من جواب نداد.", "هنوز کار نمی‌کند و درخواست بسته شد."),
    },
}
NPS_COMMENTS = {
    "promoter": {
        "en": ("The support team is the reason I stay.", "Great product, even better support."),
        "ar": ("فريق الدعم هو سبب بقائي معكم.", "منتج رائع ودعم أفضل."),
        "fa": ("تیم پشتیبانی دلیل ماندن من است.", "محصول خوب و پشتیبانی عالی."),
    },
    "passive": {
        "en": ("Good overall, shipping could be faster.",),
        "ar": ("جيد بشكل عام، لكن الشحن بطيء.",),
        "fa": ("در کل خوب است، ارسال می‌تواند سریع‌تر باشد.",),
    },
    "detractor": {
        "en": ("Too many problems with my orders lately.", "Answers take days."),
        "ar": ("مشاكل كثيرة في طلباتي مؤخراً.", "الردود تستغرق أياماً."),
        "fa": ("اخیراً سفارش‌هایم مشکل زیادی داشته‌اند.", "پاسخ‌ها چند روز طول می‌کشد."),
    },
}

RATING_COLUMNS = (
    "id",
    "ticket_id",
    "message_id",
    "agent_id",
    "team_id",
    "customer_id",
    "rating",
    "comment",
    "created_at",
    "updated_at",
)
NPS_COLUMNS = ("id", "customer_id", "ticket_id", "score", "comment", "sent_at", "answered_at")


@dataclass
class SurveySummary:
    added: bool = False
    solved: int = 0
    ratings: int = 0
    nps_sent: int = 0
    nps_answered: int = 0
    seconds: float = 0.0


def _us(moment) -> int:
    return (moment - EPOCH_UTC) // timedelta(microseconds=1)


def has_surveys() -> bool:
    return SatisfactionRating.objects.exists() or NpsResponse.objects.exists()


def _solved_tickets(batch: int = READ_BATCH):
    """(id, requester, assignee, team, language, solved_at in µs) of solved and closed tickets, by id."""
    last = 0
    while True:
        rows = list(
            Ticket.objects.filter(pk__gt=last, solved_at__isnull=False, merged_into__isnull=True)
            .order_by("pk")
            .values_list("pk", "requester_id", "assignee_id", "team_id", "language", "solved_at")[:batch]
        )
        if not rows:
            return
        for pk, requester, assignee, team, language, solved_at in rows:
            yield pk, requester, assignee, team, language, _us(solved_at)
        last = rows[-1][0]


class SurveyWriter:
    """Draws the survey rows of a data set's solved tickets; `rows()` then hands them to a loader."""

    def __init__(self, *, seed: int, end_us: int, timestamp: Callable[[int], str]) -> None:
        self.rng = random.Random(f"awn.bench.surveys:{seed}")
        self.end_us = end_us
        self.ts = timestamp
        self.ratings: list[tuple] = []
        self.nps: list[tuple] = []
        self.last_nps: dict[int, int] = {}
        self.solved = 0

    def _comment(self, table: dict[str, tuple[str, ...]], language: str) -> str:
        return self.rng.choice(table.get(language) or table["en"])

    def add(self, ticket: int, requester: int, agent: int | None, team: int | None, lang: str, solved: int):
        """One solved ticket: maybe a rating of it, maybe an NPS survey of its requester."""
        rng = self.rng
        self.solved += 1
        rated, surveyed = rng.random() < RATED_SHARE, rng.random() < NPS_SHARE
        if rated:
            # Most ratings come within a day of the "how did we do?" mail, sent an hour after solving.
            at = min(solved + HOUR + int(rng.expovariate(1 / (6 * HOUR))), self.end_us - 1)
            rating = rng.choices(RATINGS, RATING_WEIGHTS)[0]
            comment = ""
            if rng.random() < RATING_COMMENT_SHARE:
                comment = self._comment(RATING_COMMENTS[rating], lang)
            self.ratings.append(
                (
                    len(self.ratings) + 1,
                    ticket,
                    None,
                    agent,
                    team,
                    requester,
                    rating,
                    comment,
                    self.ts(at),
                    self.ts(at),
                )
            )
        if not surveyed:
            return
        sent = solved + NPS_DELAY + int(rng.random() * HOUR)
        previous = self.last_nps.get(requester)
        if sent >= self.end_us or (previous is not None and sent < previous + NPS_PERIOD):
            return
        self.last_nps[requester] = sent
        score = answered = None
        comment = ""
        if rng.random() < NPS_ANSWERED_SHARE:
            answered_at = sent + int(rng.expovariate(1 / (1.5 * DAY)))
            if answered_at < self.end_us:
                score = rng.choices(SCORES, SCORE_WEIGHTS)[0]
                answered = self.ts(answered_at)
                if rng.random() < NPS_COMMENT_SHARE:
                    kind = "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"
                    comment = self._comment(NPS_COMMENTS[kind], lang)
        self.nps.append((len(self.nps) + 1, requester, ticket, score, comment, self.ts(sent), answered))


def write_surveys(writer: SurveyWriter, loader: Loader) -> bool:
    """The drawn rows into the two survey tables, in one transaction (ids are 1…n: the tables were empty).

    False, writing nothing, when the tables are not empty any more (another run got there first).
    """
    rating_cols, rating_extra = columns_with_defaults(SatisfactionRating, RATING_COLUMNS)
    nps_cols, nps_extra = columns_with_defaults(NpsResponse, NPS_COLUMNS)
    with transaction.atomic():
        if has_surveys():
            return False
        if writer.ratings:
            rows = writer.ratings if not rating_extra else [row + rating_extra for row in writer.ratings]
            loader.write(SatisfactionRating._meta.db_table, rating_cols, rows)
        if writer.nps:
            rows = writer.nps if not nps_extra else [row + nps_extra for row in writer.nps]
            loader.write(NpsResponse._meta.db_table, nps_cols, rows)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for model in (SatisfactionRating, NpsResponse):
                    table = model._meta.db_table
                    cursor.execute(
                        f'SELECT setval(pg_get_serial_sequence(%s, %s), COALESCE(MAX(id), 1)) FROM "{table}"',  # noqa: S608
                        [f'"{table}"', "id"],
                    )
    return True


def add_surveys(
    *, seed: int = 42, end_us: int | None = None, progress: Callable[[str], None] | None = None
) -> SurveySummary:
    """Give a generated data set its survey answers; does nothing when it already has some."""
    say = progress or (lambda _line: None)
    summary = SurveySummary()
    if has_surveys():
        say("surveys: the data set already has ratings or NPS surveys; nothing added")
        return summary
    started = time.monotonic()
    if end_us is None:
        latest = Ticket.objects.aggregate(latest=Max("updated_at"))["latest"]
        if latest is None:
            return summary
        end_us = _us(latest) + 1
    loader = loader_for_connection()
    writer = SurveyWriter(seed=seed, end_us=end_us, timestamp=loader.timestamp)
    for row in _solved_tickets():
        writer.add(*row)
    say(f"surveys: {len(writer.ratings):,} ratings and {len(writer.nps):,} NPS surveys drawn, writing …")
    if not write_surveys(writer, loader):
        say("surveys: another run added survey answers meanwhile; nothing added")
        return summary
    summary.added = True
    summary.solved = writer.solved
    summary.ratings = len(writer.ratings)
    summary.nps_sent = len(writer.nps)
    summary.nps_answered = sum(1 for row in writer.nps if row[3] is not None)
    summary.seconds = time.monotonic() - started
    say(
        f"surveys: {summary.ratings:,} ratings of {summary.solved:,} solved tickets, "
        f"{summary.nps_sent:,} NPS surveys ({summary.nps_answered:,} answered) in {summary.seconds:.1f} s"
    )
    return summary
