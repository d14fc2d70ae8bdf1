"""Loading the demo helpdesk: people, teams, organizations and ~200 tickets with their history.

Every ticket write goes through the ticket services (awn.tickets.services), so the demo has the same events,
search index rows and domain events as real use. To spread the history over the last 60 days, the loader
*replays* each ticket on a simulated clock: it replaces `awn.core.clock.now` (the one source of the current
time the services read) while it runs and restores it afterwards. Each service call commits on its own, so
handlers that react to events after commit see the simulated time of the change that caused them.

The data is deterministic: one `random.Random(seed)` draws everything, relative to the time of loading. The
survey answers (CSAT ratings, NPS surveys) are drawn afterwards from a second generator of the same seed,
through the surveys services, so adding them left the tickets' history as it was.
Jobs that the replay queues (e.g. reply notifications) are revoked once it is done: they belong to the past.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Q
from huey.contrib.djhuey import HUEY

from awn.accounts.models import Organization, Role, Team, User
from awn.core import clock
from awn.demo import content, people
from awn.outbox.services import suppress_deliveries
from awn.reports.models import PendingFacts
from awn.reports.pending import write_pending
from awn.surveys import selectors as survey_selectors
from awn.surveys import services as survey_services
from awn.surveys.models import Rating
from awn.tickets import services
from awn.tickets.inbound import InboundMessage, IncomingFile
from awn.tickets.models import Attachment, Channel, Message, Status, Tag, Ticket
from awn.tickets.services import Actor

SEED = 2024
TICKETS = 200
DAYS = 60
LOADED_MARK = "demo"  # key in the demo admin's attributes once a load has finished

LANGUAGE_WEIGHTS = {"en": 45, "ar": 30, "fa": 25}
CHANNEL_WEIGHTS = {Channel.WEB: 35, Channel.EMAIL: 35, Channel.CHAT: 12, Channel.PHONE: 10, Channel.API: 8}
DUPLICATES = 3  # tickets a customer sends twice; an agent merges the second into the first
# Survey answers: the share of solved tickets rated, of tickets with a rated reply, of eligible customers sent
# an NPS survey and of those who answer; ratings mostly good, a few with a comment.
RATED_SOLVED = 0.35
RATED_REPLY = 0.12
RATING_WEIGHTS = {Rating.GOOD: 70, Rating.OKAY: 18, Rating.BAD: 12}
RATING_COMMENTED = 0.35
NPS_ASKED = 0.6
NPS_ANSWERED = 0.6
NPS_SCORE_WEIGHTS = {10: 22, 9: 20, 8: 16, 7: 12, 6: 8, 5: 6, 4: 4, 3: 4, 2: 3, 1: 2, 0: 3}


@dataclass
class DemoOutcome:
    loaded: bool
    tickets: int
    summary: str


class SimulatedClock:
    """The time the services see while the demo replays history: set by the loader, never in the future."""

    def __init__(self, start: datetime):
        self.current = start
        self.real_now = start

    def __call__(self) -> datetime:
        return self.current

    def at(self, moment: datetime) -> datetime:
        self.current = min(moment, self.real_now - timedelta(minutes=1))
        return self.current


@contextmanager
def simulated_clock() -> Iterator[SimulatedClock]:
    original = clock.now
    simulated = SimulatedClock(original())
    clock.now = simulated  # type: ignore[assignment]
    try:
        yield simulated
    finally:
        clock.now = original  # type: ignore[assignment]


def demo_is_loaded() -> bool:
    admin = User.objects.filter(email=people.STAFF[0].email).first()
    return bool(admin and admin.attributes.get(LOADED_MARK))


def _demo_users() -> Q:
    return Q(email__in=people.all_demo_emails())


def reset_demo() -> int:
    """Delete the demo's tickets, people, teams, organizations and tags; returns the tickets deleted."""
    with transaction.atomic():
        tickets = Ticket.objects.filter(requester__in=User.objects.filter(_demo_users()))
        attachments = list(Attachment.objects.filter(message__ticket__in=tickets))
        ids = list(tickets.values_list("pk", flat=True))
        deleted = len(ids)
        tickets.delete()
        PendingFacts.objects.filter(ticket_id__in=ids).delete()  # no foreign key: not deleted with them
        User.objects.filter(_demo_users()).delete()
        for spec in people.TEAMS:
            Team.objects.filter(name=spec.name, members__isnull=True, tickets__isnull=True).delete()
        Organization.objects.filter(
            name__in=[spec.name for spec in people.ORGANIZATIONS], members__isnull=True, tickets__isnull=True
        ).delete()
        demo_tags = {tag for topic in content.TOPICS for tag in topic.tags} | {"vip", "duplicate"}
        Tag.objects.filter(name__in=demo_tags, tickets__isnull=True).delete()
    # The tickets' report facts went with them (cascade), past the handlers that keep the roll-ups.
    from awn.reports.rollups import rebuild_rollups

    rebuild_rollups()
    for attachment in attachments:  # files go once the rows are gone, and only if nothing else uses them
        name = attachment.file.name
        if name and not Attachment.objects.filter(file=name).exists():
            attachment.file.storage.delete(name)
    return deleted


def load_demo(
    *,
    reset: bool = False,
    seed: int = SEED,
    tickets: int = TICKETS,
    progress: Callable[[str], None] | None = None,
) -> DemoOutcome:
    """Load the demo helpdesk; does nothing when it is already loaded, unless `reset`."""
    say = progress or (lambda _message: None)
    if demo_is_loaded() and not reset:
        count = Ticket.objects.filter(requester__email__in=people.all_demo_emails()).count()
        return DemoOutcome(
            False, count, f"The demo is already loaded ({count} tickets); `awn demo --reset` loads it afresh."
        )
    if reset or User.objects.filter(_demo_users()).exists():
        # Either asked for, or a load that was interrupted part-way: start from a clean slate.
        removed = reset_demo()
        say(f"Removed the previous demo data ({removed} tickets).")
    say(f"Loading the demo helpdesk ({tickets} tickets over {DAYS} days)…")
    queued_before = {job.id for job in HUEY.pending()}
    # The outbox queues no mail either: the replies it would send belong to the same made-up past.
    with simulated_clock() as sim, suppress_deliveries():
        builder = DemoBuilder(random.Random(seed), sim, tickets=tickets)
        count = builder.build()
        SurveyBuilder(random.Random(f"{seed}:surveys"), sim).build()
    # The report facts of the tickets no later change touched wait for a job worker's facts writer; `awn
    # demo` may run with none, and the reports should show the whole demo at once.
    write_pending()
    # Jobs the replay queued (notifications about replies "sent" weeks ago) belong to simulated history:
    # revoke them so the first `awn run` does not mail the demo's made-up customers.
    for job in HUEY.pending():
        if job.id not in queued_before:
            HUEY.revoke_by_id(job.id)
    return DemoOutcome(
        True,
        count,
        f"Loaded the demo: {count} tickets, {len(people.CUSTOMERS)} customers, "
        f"{len(people.ORGANIZATIONS)} organizations, {len(people.TEAMS)} teams.",
    )


def demo_sign_ins_text() -> str:
    base = settings.AWN_BASE_URL
    width = max(len(spec.email) for spec in people.STAFF)
    lines = [f"Demo sign-ins (password for all: {people.DEMO_PASSWORD})"]
    for spec in people.STAFF:
        if spec.sign_in_note:
            lines.append(f"  {spec.email:<{width}}  {spec.sign_in_note}")
    lines.append(f"  {people.CUSTOMER_SIGN_IN:<{width}}  customer of Northwind Traders (shares its tickets)")
    lines += [
        "",
        f"Agent desk:       {base}/desk/",
        f"Customer portal:  {base}/",
        f"API docs:         {base}/api/docs",
    ]
    return "\n".join(lines)


@dataclass
class Plan:
    """One ticket to replay: who writes, about what, in which language, on which channel, and when."""

    created: datetime
    customer: User
    language: str
    topic: content.Topic
    channel: str
    duplicated: bool = False  # the customer sends the same request twice; an agent merges the second


class DemoBuilder:
    def __init__(self, rng: random.Random, sim: SimulatedClock, *, tickets: int):
        self.rng = rng
        self.sim = sim
        self.count = tickets
        self.now = sim.real_now
        self.staff: dict[str, User] = {}
        self.speaks: dict[int, tuple[str, ...]] = {}
        self.teams: dict[str, Team] = {}
        self.customers: dict[str, list[User]] = {language: [] for language in content.LANGUAGES}
        self.attachment_count = 0

    # --- people ----------------------------------------------------------------------------------------

    def build(self) -> int:
        password = make_password(people.DEMO_PASSWORD)  # hashed once: Argon2 is slow by design
        start = self.now - timedelta(days=DAYS + 30)
        with transaction.atomic():
            self._people(password, start)
        plans = self._plans()
        for plan in plans:
            self._replay(plan)
        self._date_attachments()
        self._mark_loaded()
        return len(plans) + sum(plan.duplicated for plan in plans)

    def _people(self, password: str, start: datetime) -> None:
        for team_spec in people.TEAMS:
            team, _created = Team.objects.get_or_create(
                name=team_spec.name,
                defaults={"tier": team_spec.tier, "visibility": team_spec.visibility, "created_at": start},
            )
            self.teams[team_spec.name] = team
        organizations = {}
        for org_spec in people.ORGANIZATIONS:
            organizations[org_spec.name], _created = Organization.objects.get_or_create(
                name=org_spec.name,
                defaults={
                    "domains": list(org_spec.domains),
                    "shared_tickets": org_spec.shared_tickets,
                    "notes": org_spec.notes,
                    "created_at": start,
                },
            )
        plans = {org.name: org.plan for org in people.ORGANIZATIONS}
        for staff_spec in people.STAFF:
            user = User.objects.create(
                email=staff_spec.email,
                name=staff_spec.name,
                role=staff_spec.role,
                language=staff_spec.language,
                timezone=staff_spec.timezone,
                password=password,
                is_superuser=staff_spec.role == Role.ADMIN,
                created_at=start,
            )
            for team_name in staff_spec.teams:
                self.teams[team_name].members.add(user)
            self.staff[staff_spec.email] = user
            self.speaks[user.pk] = staff_spec.speaks
        for customer_spec in people.CUSTOMERS:
            organization = organizations.get(customer_spec.organization)
            user = User.objects.create(
                email=customer_spec.email,
                name=customer_spec.name,
                role=Role.CUSTOMER,
                language=customer_spec.language,
                timezone=customer_spec.timezone,
                phone=customer_spec.phone,
                organization=organization,
                plan=plans.get(customer_spec.organization, "Starter"),
                attributes=dict(customer_spec.attributes),
                password=password,
                created_at=start + timedelta(days=self.rng.randint(0, 25)),
            )
            self.customers[customer_spec.language].append(user)

    def _date_attachments(self) -> None:
        # Attachment.created_at defaults to the real clock; give the files their message's simulated time.
        demo = Attachment.objects.filter(message__ticket__requester__email__in=people.all_demo_emails())
        for attachment in demo.select_related("message"):
            Attachment.objects.filter(pk=attachment.pk).update(created_at=attachment.message.created_at)

    def _mark_loaded(self) -> None:
        admin = self.staff[people.STAFF[0].email]
        admin.attributes = {**admin.attributes, LOADED_MARK: "loaded"}
        admin.save(update_fields=["attributes"])

    # --- plans -----------------------------------------------------------------------------------------

    def _pick(self, weights: dict) -> str:
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def _plans(self) -> list[Plan]:
        plans = []
        for _index in range(self.count - DUPLICATES):
            language = self._pick(LANGUAGE_WEIGHTS)
            # Recent days are busier, and the last day and a half fills today's queues.
            if self.rng.random() < 0.15:
                age = timedelta(hours=self.rng.uniform(0, 36))
            else:
                age = timedelta(days=DAYS * (1 - self.rng.random() ** 0.7), minutes=self.rng.randint(0, 1440))
            created = self.now - min(age, timedelta(days=DAYS)) - timedelta(minutes=30)
            plans.append(
                Plan(
                    created=created,
                    customer=self.rng.choice(self.customers[language]),
                    language=language,
                    topic=self.rng.choice(content.TOPICS),
                    channel=self._pick(CHANNEL_WEIGHTS),
                )
            )
        older = [plan for plan in plans if plan.created < self.now - timedelta(days=3)]
        for original in self.rng.sample(older, DUPLICATES):
            original.duplicated = True
        plans.sort(key=lambda plan: plan.created)
        return plans

    # --- replaying one ticket ---------------------------------------------------------------------------

    def _agent_for(self, team: Team, language: str) -> User:
        members = [
            user
            for user in self.staff.values()
            if user.role == Role.AGENT and team.pk in self._team_ids(user)
        ]
        fluent = [user for user in members if language in self.speaks[user.pk]]
        return self.rng.choice(fluent or members)

    def _team_ids(self, user: User) -> set[int]:
        return {
            self.teams[name].pk for spec in people.STAFF if spec.email == user.email for name in spec.teams
        }

    def _later(self, low_minutes: int, high_minutes: int) -> datetime:
        return self.sim.at(self.sim.current + timedelta(minutes=self.rng.randint(low_minutes, high_minutes)))

    def _outcome(self, created: datetime) -> str:
        age_days = (self.now - created).total_seconds() / 86400
        if age_days < 2:
            choices = {Status.NEW: 45, Status.OPEN: 35, Status.PENDING: 20}
        elif age_days < 7:
            choices = {
                Status.NEW: 10,
                Status.OPEN: 30,
                Status.PENDING: 25,
                Status.ON_HOLD: 8,
                Status.SOLVED: 27,
            }
        elif age_days < 21:
            choices = {
                Status.OPEN: 10,
                Status.PENDING: 8,
                Status.ON_HOLD: 5,
                Status.SOLVED: 45,
                Status.CLOSED: 32,
            }
        else:
            choices = {Status.OPEN: 3, Status.ON_HOLD: 2, Status.SOLVED: 20, Status.CLOSED: 75}
        return self._pick(choices)

    def _signed(self, language: str, text: str, customer: User) -> str:
        return content.SIGNATURE[language].format(text=text, name=customer.name)

    def _answer(self, language: str, text: str, customer: User, agent: User) -> str:
        if language not in self.speaks[agent.pk]:
            language = "en"
        return content.GREETING[language].format(first=customer.first_name, text=text, agent=agent.name)

    def _texts(self, plan: Plan, language: str | None = None) -> content.Texts:
        return plan.topic.texts[language or plan.language]

    def _attachments(self, plan: Plan) -> tuple[IncomingFile, ...]:
        if not plan.topic.attachment or self.rng.random() > 0.5:
            return ()
        self.attachment_count += 1
        data = content.ATTACHMENTS[plan.topic.attachment]
        kind = "text/csv" if plan.topic.attachment.endswith(".csv") else "text/plain"
        return (IncomingFile(filename=plan.topic.attachment, content=data.encode(), content_type=kind),)

    def _open(self, plan: Plan, team: Team) -> Ticket:
        """The customer's first message, through the channel's own entry point."""
        texts = self._texts(plan)
        subject = self.rng.choice(texts.subjects)
        body = self._signed(plan.language, self.rng.choice(texts.bodies), plan.customer)
        priority = self.rng.choice(plan.topic.priorities)
        customer = plan.customer
        self.sim.at(plan.created)
        if plan.channel == Channel.EMAIL:
            message = services.receive_message(
                InboundMessage(
                    channel=Channel.EMAIL,
                    sender_email=customer.email,
                    sender_name=customer.name,
                    subject=subject,
                    body=body,
                    source_id=f"<demo-{self.rng.getrandbits(64):016x}@mail.example>",
                    attachments=self._attachments(plan),
                )
            )
            return message.ticket
        if plan.channel == Channel.PHONE:
            agent = self._agent_for(team, plan.language)
            return services.log_phone_call(
                by=Actor.of(agent),
                requester=customer,
                subject=subject,
                summary=self.rng.choice(texts.bodies),
                priority=priority,
            )
        by = Actor.system("api: shop integration") if plan.channel == Channel.API else Actor.of(customer)
        return services.create_ticket(
            requester=customer,
            subject=subject,
            body=body,
            by=by,
            channel=plan.channel,
            priority=priority,
            tags=plan.topic.tags if plan.channel in (Channel.WEB, Channel.API) else (),
            team=team if plan.channel in (Channel.WEB, Channel.API) else None,
            attachments=self._attachments(plan),
        )

    def _replay(self, plan: Plan) -> None:
        team = self.teams[plan.topic.team]
        outcome = self._outcome(plan.created)
        ticket = self._open(plan, team)
        if plan.duplicated:
            self._merge_duplicate(ticket, plan)
        if outcome == Status.NEW:
            if ticket.team_id is None and self.rng.random() < 0.5:
                services.change_team(ticket=ticket, team=team, by=Actor.of(self.staff["manager@awn.example"]))
            return
        agent = ticket.assignee or self._agent_for(team, plan.language)
        self._later(5, 240)
        triage = Actor.of(self.rng.choice([agent, self.staff["manager@awn.example"]]))
        if ticket.team_id != team.pk:
            services.change_team(ticket=ticket, team=team, by=triage)
        if not ticket.tags.exists():
            tags = list(plan.topic.tags)
            if customer_plan_is_enterprise(plan.customer):
                tags.append("vip")
            services.set_tags(ticket=ticket, tags=tags, by=triage)
        if ticket.assignee_id != agent.pk:
            services.assign_ticket(ticket=ticket, assignee=agent, by=triage)
        by = Actor.of(agent)
        if self.rng.random() < 0.25 and ticket.priority < 4:
            services.change_priority(ticket=ticket, priority=ticket.priority + 1, by=by)
        if self.rng.random() < 0.35:
            self._later(2, 60)
            services.add_internal_note(ticket=ticket, by=by, body=self._note(plan, agent))
        organization = plan.customer.organization
        if organization is not None and organization.shared_tickets and self.rng.random() < 0.3:
            colleagues = [
                c
                for c in self.customers[plan.language]
                if c.organization_id == plan.customer.organization_id and c.pk != plan.customer.pk
            ]
            if colleagues:
                services.add_followers(ticket=ticket, users=[self.rng.choice(colleagues)], by=by)
        if outcome == Status.OPEN and self.rng.random() < 0.4:
            return  # assigned, not answered yet
        self._later(10, 480)
        first = self._answer(plan.language, self.rng.choice(self._texts(plan).replies), plan.customer, agent)
        if outcome == Status.ON_HOLD:
            services.reply_to_ticket(ticket=ticket, by=by, body=first)
            self._later(5, 30)
            note_language = plan.language if plan.language in self.speaks[agent.pk] else "en"
            services.add_internal_note(ticket=ticket, by=by, body=content.ON_HOLD_NOTES[note_language])
            services.change_status(ticket=ticket, status=Status.ON_HOLD, by=by)
            return
        services.reply_to_ticket(ticket=ticket, by=by, body=first, status=Status.PENDING)
        if outcome == Status.PENDING:
            return
        self._later(30, 1800)
        follow_up = self.rng.choice(content.FOLLOW_UPS[plan.language])
        if ticket.channel == Channel.EMAIL:
            services.receive_message(
                InboundMessage(
                    channel=Channel.EMAIL,
                    sender_email=plan.customer.email,
                    sender_name=plan.customer.name,
                    subject=f"Re: {ticket.subject}",
                    body=follow_up,
                    ticket_id=ticket.pk,
                    source_id=f"<demo-{self.rng.getrandbits(64):016x}@mail.example>",
                )
            )
            ticket.refresh_from_db()
        else:
            services.add_customer_message(
                ticket=ticket, author=plan.customer, body=follow_up, channel=ticket.channel
            )
        if outcome == Status.OPEN:
            return
        self._later(20, 600)
        closing = self._answer(
            plan.language, self.rng.choice(content.CLOSINGS[plan.language]), plan.customer, agent
        )
        services.reply_to_ticket(ticket=ticket, by=by, body=closing, status=Status.SOLVED)
        if outcome == Status.CLOSED:
            self.sim.at(self.sim.current + timedelta(days=4, minutes=self.rng.randint(0, 600)))
            services.change_status(ticket=ticket, status=Status.CLOSED, by=Actor.system("auto-close"))

    def _note(self, plan: Plan, agent: User) -> str:
        language = plan.language if plan.language in self.speaks[agent.pk] else "en"
        if plan.topic.team != "Engineering" and self.rng.random() < 0.2:
            return content.ESCALATION_NOTES[language]
        return self.rng.choice(self._texts(plan, language).notes)

    def _merge_duplicate(self, original: Ticket, plan: Plan) -> None:
        """The same request again by email a little later, merged into the first by an agent."""
        self._later(15, 90)
        texts = self._texts(plan)
        message = services.receive_message(
            InboundMessage(
                channel=Channel.EMAIL,
                sender_email=plan.customer.email,
                sender_name=plan.customer.name,
                subject=original.subject,
                body=self._signed(plan.language, self.rng.choice(texts.bodies), plan.customer),
                source_id=f"<demo-{self.rng.getrandbits(64):016x}@mail.example>",
            )
        )
        agent = self._agent_for(self.teams[plan.topic.team], plan.language)
        self._later(10, 120)
        services.set_tags(ticket=message.ticket, tags=["duplicate"], by=Actor.of(agent))
        services.merge_tickets(source=message.ticket, target=original, by=Actor.of(agent))
        original.refresh_from_db()


class SurveyBuilder:
    """The demo customers' survey answers, given through the surveys services at simulated times."""

    def __init__(self, rng: random.Random, sim: SimulatedClock):
        self.rng = rng
        self.sim = sim
        self.now = sim.real_now

    def _tickets(self):
        return (
            Ticket.objects.filter(requester__email__in=people.all_demo_emails(), merged_into__isnull=True)
            .select_related("requester")
            .order_by("created_at", "pk")
        )

    def build(self) -> None:
        self._ratings()
        self._nps()

    def _rating(self, language: str) -> tuple[int, str]:
        rating = self.rng.choices(list(RATING_WEIGHTS), weights=list(RATING_WEIGHTS.values()))[0]
        comment = ""
        if self.rng.random() < RATING_COMMENTED:
            comment = self.rng.choice(content.CSAT_COMMENTS[rating][language])
        return rating, comment

    def _ratings(self) -> None:
        for ticket in self._tickets():
            language = ticket.requester.language
            replies = list(
                Message.objects.filter(
                    ticket=ticket, internal=False, author__role__in=(Role.AGENT, Role.MANAGER, Role.ADMIN)
                ).order_by("created_at", "pk")
            )
            if replies and self.rng.random() < RATED_REPLY:
                reply = self.rng.choice(replies)
                rating, comment = self._rating(language)
                self.sim.at(reply.created_at + timedelta(minutes=self.rng.randint(5, 600)))
                survey_services.rate(
                    ticket=ticket, customer=ticket.requester, rating=rating, message=reply, comment=comment
                )
            if ticket.solved_at is not None and self.rng.random() < RATED_SOLVED:
                rating, comment = self._rating(language)
                # After the "how did we do?" mail, sent an hour after solving.
                self.sim.at(ticket.solved_at + timedelta(minutes=self.rng.randint(65, 1800)))
                survey_services.rate(ticket=ticket, customer=ticket.requester, rating=rating, comment=comment)

    def _nps(self) -> None:
        """Surveys sent as the hourly sweep would, a week after solving; most answered, some not (yet)."""
        settings = survey_selectors.global_settings()
        delay = timedelta(days=settings.nps_delay_days)
        solved = [ticket for ticket in self._tickets() if ticket.solved_at is not None]
        for ticket in sorted(solved, key=lambda ticket: (ticket.solved_at, ticket.pk)):
            sent = ticket.solved_at + delay + timedelta(minutes=self.rng.randint(0, 59))
            if sent >= self.now - timedelta(minutes=1) or self.rng.random() >= NPS_ASKED:
                continue
            response = survey_services.queue_nps_survey(
                ticket_id=ticket.pk, settings=settings, now=self.sim.at(sent)
            )
            if response is None or self.rng.random() >= NPS_ANSWERED:
                continue  # asked recently already, or not answered
            score = self.rng.choices(list(NPS_SCORE_WEIGHTS), weights=list(NPS_SCORE_WEIGHTS.values()))[0]
            kind = "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"
            comment = content.NPS_COMMENTS[kind][ticket.requester.language] if self.rng.random() < 0.5 else ""
            self.sim.at(sent + timedelta(minutes=self.rng.randint(20, 3000)))
            survey_services.answer_nps(response=response, score=score, comment=comment)


def customer_plan_is_enterprise(customer: User) -> bool:
    return customer.plan == "Enterprise"
