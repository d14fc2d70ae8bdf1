"""Reads of tickets: every list starts from the visibility scope (DESIGN.md §5).

The desk's queues and the API's list share `ticket_queue`: one set of views, filters and sorts, with keyset
pagination so page 1000 costs what page 1 costs.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from awn.accounts.models import Team, User
from awn.core.errors import ValidationFailed
from awn.tickets.models import UNSOLVED_STATUSES, Channel, Priority, Status, Ticket

VIEWS = {
    "mine": gettext_lazy("My open tickets"),
    "unassigned": gettext_lazy("Unassigned"),
    "teams": gettext_lazy("My teams"),
    "all": gettext_lazy("All tickets"),
    "recent": gettext_lazy("Recently updated"),
    "sla": gettext_lazy("SLA due"),  # unsolved tickets with a running SLA clock, the next breach first
}

# sort name -> ordering fields; a leading "-" is descending. The last field is always the unique id.
SORTS: dict[str, tuple[str, ...]] = {
    "oldest": ("created_at", "id"),
    "newest": ("-created_at", "-id"),
    "priority": ("-priority", "created_at", "id"),
    "updated": ("-updated_at", "-id"),
}
SLA_ORDER = ("next_sla_breach_at", "id")  # the "SLA due" view's only order: least time left first
SORT_LABELS = {
    "oldest": gettext_lazy("Oldest first"),
    "newest": gettext_lazy("Newest first"),
    "priority": gettext_lazy("Priority"),
    "updated": gettext_lazy("Recently updated"),
}


@dataclass
class TicketFilters:
    status: list[str] = field(default_factory=list)
    priority: list[int] = field(default_factory=list)
    team: int | None = None
    assignee: int | None = None  # 0 means "nobody"
    tag: str | None = None
    channel: str | None = None
    requester: int | None = None
    organization: int | None = None

    @classmethod
    def from_params(cls, params) -> TicketFilters:
        """Parse query parameters (a QueryDict or a dict); invalid values raise ValidationFailed."""

        def many(name: str) -> list[str]:
            if hasattr(params, "getlist"):
                values = params.getlist(name)
            else:
                value = params.get(name)
                values = value if isinstance(value, list) else ([value] if value not in (None, "") else [])
            return [v for item in values for v in str(item).split(",") if v]

        def one_int(name: str) -> int | None:
            value = params.get(name)
            if value in (None, ""):
                return None
            try:
                return int(value)
            except (TypeError, ValueError) as exc:
                raise ValidationFailed(_("%(name)s must be a number.") % {"name": name}, field=name) from exc

        statuses = many("status")
        for status in statuses:
            if status not in Status.values:
                raise ValidationFailed(_("Unknown status “%(s)s”.") % {"s": status}, field="status")
        priorities = []
        for value in many("priority"):
            number = Priority.__members__.get(value.upper(), None)
            try:
                priority = int(number.value if number is not None else value)
            except ValueError as exc:
                raise ValidationFailed(_("Unknown priority."), field="priority") from exc
            if priority not in Priority.values:
                raise ValidationFailed(_("Unknown priority."), field="priority")
            priorities.append(priority)
        channel = params.get("channel") or None
        if channel and channel not in Channel.values:
            raise ValidationFailed(_("Unknown channel."), field="channel")
        return cls(
            status=statuses,
            priority=priorities,
            team=one_int("team"),
            assignee=one_int("assignee"),
            tag=(params.get("tag") or None),
            channel=channel,
            requester=one_int("requester"),
            organization=one_int("organization"),
        )

    def apply(self, qs: QuerySet[Ticket]) -> QuerySet[Ticket]:
        if self.status:
            qs = qs.filter(status__in=self.status)
        if self.priority:
            qs = qs.filter(priority__in=self.priority)
        if self.team is not None:
            qs = qs.filter(team_id=self.team) if self.team else qs.filter(team__isnull=True)
        if self.assignee is not None:
            qs = qs.filter(assignee_id=self.assignee) if self.assignee else qs.filter(assignee__isnull=True)
        if self.tag:
            qs = qs.filter(tags__name=self.tag.strip().casefold())
        if self.channel:
            qs = qs.filter(channel=self.channel)
        if self.requester is not None:
            qs = qs.filter(requester_id=self.requester)
        if self.organization is not None:
            qs = qs.filter(organization_id=self.organization)
        return qs


def view_queryset(user: User, view: str, *, scope: QuerySet[Ticket] | None = None) -> QuerySet[Ticket]:
    """The tickets of one desk view, before filters and sorting.

    `scope` is `Ticket.objects.visible_to(user)` when the caller has built it already: it reads the user's
    teams, so a page that lists a view and counts three shares one scope and one read.
    """
    qs = Ticket.objects.visible_to(user) if scope is None else scope
    if view == "mine":
        if user.is_staff_member:
            # Staff see the tickets assigned to them (visible_to): the scope would only cost a row read each.
            return Ticket.objects.filter(assignee=user, status__in=UNSOLVED_STATUSES)
        return qs.filter(assignee=user, status__in=UNSOLVED_STATUSES)
    if view == "unassigned":
        return qs.filter(assignee__isnull=True, status__in=UNSOLVED_STATUSES)
    if view == "teams":
        if user.is_staff_member:
            # A member sees every ticket of their teams (visible_to), so the scope's OR would narrow nothing;
            # without it the count is an index-only scan on PostgreSQL instead of thousands of heap fetches.
            # As a join from the memberships, SQLite reads each team's backlog through its index and sorts
            # it; with "team IN (subquery)" it walked every ticket by date, as fast as old backlog is common.
            return Ticket.objects.filter(team__members=user, status__in=UNSOLVED_STATUSES)
        return qs.filter(team__in=Team.objects.filter(members=user), status__in=UNSOLVED_STATUSES)
    if view in ("all", "recent"):
        return qs
    if view == "sla":
        return qs.filter(status__in=UNSOLVED_STATUSES, next_sla_breach_at__isnull=False)
    raise Http404("Unknown view")


def view_counts(user: User, *, scope: QuerySet[Ticket] | None = None) -> dict[str, int]:
    """Counts for the desk's sidebar: one indexed COUNT per view."""
    scope = Ticket.objects.visible_to(user) if scope is None else scope
    return {name: view_queryset(user, name, scope=scope).count() for name in ("mine", "unassigned", "teams")}


def tag_names_by_ticket(ticket_ids: list[int]) -> dict[int, list[str]]:
    """The tags of some tickets as names in name order: one query, no model instances."""
    names: dict[int, list[str]] = {pk: [] for pk in ticket_ids}
    if ticket_ids:
        rows = (
            Ticket.tags.through.objects.filter(ticket_id__in=ticket_ids)
            .order_by("tag__name")
            .values_list("ticket_id", "tag__name")
        )
        for ticket_id, name in rows:
            names[ticket_id].append(name)
    return names


def with_tag_names(tickets: list[Ticket]) -> list[Ticket]:
    """Give each ticket `tag_names` (its tags' names, in order), for lists that show them."""
    names = tag_names_by_ticket([ticket.pk for ticket in tickets])
    for ticket in tickets:
        ticket.tag_names = names[ticket.pk]  # type: ignore[attr-defined]
    return tickets


def _encode_cursor(values: list) -> str:
    raw = json.dumps([v.isoformat() if isinstance(v, datetime) else v for v in values])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str, fields: tuple[str, ...]) -> list:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
        if not isinstance(values, list) or len(values) != len(fields):
            raise ValueError
        decoded: list = []
        for name, value in zip(fields, values, strict=True):
            bare = name.lstrip("-")
            if bare.endswith("_at"):
                parsed = parse_datetime(value)
                if parsed is None:
                    raise ValueError
                decoded.append(parsed)
            else:
                decoded.append(int(value))
        return decoded
    except (ValueError, TypeError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValidationFailed(_("The page cursor is not valid."), field="cursor") from exc


def _after(fields: tuple[str, ...], values: list) -> Q:
    """Keyset condition: rows strictly after `values` in the order given by `fields`.

    The leading `first <= value` (`>=` ascending) is implied by the rest. It is there for SQLite's planner:
    with bound parameters it sees no index range in the OR alone and, at 1M tickets, scans the users and
    sorts their tickets instead (2.4 s rather than 0.3 ms a page; docs/performance.md).
    """
    condition = Q()
    for index in range(len(fields) - 1, -1, -1):
        name = fields[index]
        bare = name.lstrip("-")
        op = "lt" if name.startswith("-") else "gt"
        step = Q(**{f"{bare}__{op}": values[index]})
        if index < len(fields) - 1:
            step |= Q(**{bare: values[index]}) & condition
        condition = step
    first = fields[0]
    if values[0] is not None:
        bound = "lte" if first.startswith("-") else "gte"
        condition = Q(**{f"{first.lstrip('-')}__{bound}": values[0]}) & condition
    return condition


@dataclass
class Page:
    tickets: list[Ticket]
    next_cursor: str | None


# What a rendered ticket list reads (the desk's table), and every column a sort or its cursor needs. Loading
# only these skips a dozen timestamps, JSON and profile columns per row and per joined person.
LIST_COLUMNS = (
    "subject",
    "status",
    "priority",
    "created_at",
    "updated_at",
    "next_sla_breach_at",
    "sla_policy_id",
    "sla_state",
    "requester__name",
    "requester__email",
    "assignee__name",
    "assignee__email",
    "team__name",
)


def ticket_queue(
    *,
    user: User,
    view: str = "all",
    filters: TicketFilters | None = None,
    sort: str = "updated",
    cursor: str | None = None,
    limit: int = 50,
    scope: QuerySet[Ticket] | None = None,
    for_list: bool = False,
) -> Page:
    """One page of a desk view, filtered and sorted, with related rows the list shows already joined.

    `for_list` loads what a rendered list shows (`LIST_COLUMNS`, and the tags as `tag_names`) rather than
    whole rows with a `tags` manager (the API's items); `scope` as in `view_queryset`.
    """
    if sort not in SORTS:
        raise ValidationFailed(_("Unknown sort."), field="sort")
    if view == "recent":
        sort = "updated"
    fields = SLA_ORDER if view == "sla" else SORTS[sort]
    qs = view_queryset(user, view, scope=scope)
    if filters is not None:
        qs = filters.apply(qs)
    if cursor:
        qs = qs.filter(_after(fields, _decode_cursor(cursor, fields)))
    limit = max(1, min(limit, 100))
    # The page's ids first, without joins, then its rows by id (one statement). Joined, SQLite may drive the
    # query from the users and sort their tickets, and a sort of a team's backlog would carry whole joined
    # rows; alone, the ids come from a walk or a sort of index entries (1M tickets, "my teams": 149 -> 9 ms).
    page_ids = qs.order_by(*fields).values("pk")[: limit + 1]
    rows_qs = Ticket.objects.filter(pk__in=page_ids)
    if for_list:
        rows_qs = rows_qs.select_related("requester", "assignee", "team").only(*LIST_COLUMNS)
    else:
        rows_qs = rows_qs.select_related("requester", "assignee", "team", "organization").prefetch_related(
            "tags"
        )
    rows = list(rows_qs.order_by(*fields))
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = _encode_cursor([getattr(last, name.lstrip("-")) for name in fields])
    if for_list:
        with_tag_names(rows)
    return Page(tickets=rows, next_cursor=next_cursor)


def get_ticket_for(*, user: User, number: int) -> Ticket:
    """One ticket the user may see, or 404 (never 403: a stranger must not learn that it exists)."""
    ticket = (
        Ticket.objects.visible_to(user)
        .select_related("requester", "requester__organization", "assignee", "team", "organization")
        .filter(pk=number)
        .first()
    )
    if ticket is None:
        raise Http404("No such ticket")
    return ticket


def thread_for(*, user: User, ticket: Ticket):
    """The messages of a ticket as `user` may read them: customers never see internal notes."""
    messages = ticket.messages.select_related("author").prefetch_related("attachments")
    if not user.is_staff_member:
        messages = messages.filter(internal=False)
    return messages.order_by("created_at", "id")


def other_tickets_of_requester(*, user: User, ticket: Ticket, limit: int = 10) -> list[Ticket]:
    return list(
        Ticket.objects.visible_to(user)
        .filter(requester_id=ticket.requester_id)
        .exclude(pk=ticket.pk)
        .order_by("-updated_at", "-id")[:limit]
    )
