"""In-app notifications for agents (the desk's bell), emailed too when asked."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import QuerySet

from awn.accounts.models import STAFF_ROLES, Role, User
from awn.automation.models import Notification
from awn.core import clock
from awn.tickets.models import Ticket


def recipients_for(
    ticket: Ticket, *, to: Iterable[str], users: Iterable[int] = (), teams: Iterable[int] = ()
) -> list[User]:
    """Active staff named by roles on the ticket ("assignee", "team", "managers"), ids of people and teams."""
    wanted = set(to)
    staff = User.objects.filter(is_active=True, role__in=STAFF_ROLES)
    found: dict[int, User] = {}

    def take(queryset: QuerySet[User]) -> None:
        for person in queryset:
            found.setdefault(person.pk, person)

    if "assignee" in wanted and ticket.assignee_id:
        take(staff.filter(pk=ticket.assignee_id))
    if "team" in wanted and ticket.team_id:
        take(staff.filter(teams=ticket.team_id))
    if "managers" in wanted:
        managers = staff.filter(role=Role.MANAGER)
        in_team = managers.filter(teams=ticket.team_id) if ticket.team_id else managers.none()
        take(in_team if in_team.exists() else managers)
    user_ids, team_ids = list(users), list(teams)
    if user_ids:
        take(staff.filter(pk__in=user_ids))
    if team_ids:
        take(staff.filter(teams__in=team_ids).distinct())
    return sorted(found.values(), key=lambda person: person.pk)


@transaction.atomic
def notify(
    *, recipients: Iterable[User], text: str, ticket: Ticket | None = None, email: bool = False
) -> list[Notification]:
    """Write one notification per person; email is sent after commit when asked."""
    now = clock.now()
    rows = Notification.objects.bulk_create(
        [
            Notification(recipient=person, ticket=ticket, text=text[:500], email=email, created_at=now)
            for person in recipients
        ]
    )
    if email:
        from awn.automation.outbound import queue_notification_email

        for row in rows:  # bulk_create returns primary keys on SQLite and PostgreSQL
            queue_notification_email(row)
    return rows


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=clock.now())
