"""Reads for the portal's pages, all inside the visibility scope (DESIGN.md §5)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from awn.accounts.models import User
from awn.tickets.models import UNSOLVED_STATUSES, Status, Ticket

SCOPES = ("mine", "organization")
STATES = ("", "open", "solved")


def shares_organization_tickets(user: User) -> bool:
    return user.organization is not None and user.organization.shared_tickets


def portal_tickets(*, user: User, scope: str = "mine", state: str = "") -> QuerySet[Ticket]:
    """The requests a customer lists: their own (and those they are copied on), or their organization's."""
    qs = Ticket.objects.visible_to(user)
    if shares_organization_tickets(user):
        if scope == "organization":
            qs = qs.filter(organization=user.organization)
        else:
            # The scope holds the organization's tickets too: keep their own and those they follow, followed
            # ones as literal ids as in the scope (PostgreSQL scans every ticket for "… OR id IN (SELECT …)").
            followed = list(
                Ticket.followers.through.objects.filter(user=user).values_list("ticket_id", flat=True)
            )
            qs = qs.filter(Q(requester=user) | Q(pk__in=followed)) if followed else qs.filter(requester=user)
    # Otherwise the scope is exactly their own tickets and those they follow (visible_to): nothing to add.
    if state == "open":
        qs = qs.filter(status__in=UNSOLVED_STATUSES)
    elif state == "solved":
        qs = qs.filter(status__in=(Status.SOLVED, Status.CLOSED))
    return qs.select_related("requester").order_by("-updated_at", "-id")
