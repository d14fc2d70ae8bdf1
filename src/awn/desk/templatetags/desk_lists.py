"""The rows of the desk's ticket tables, prepared once per page rather than looked up cell by cell."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils import dateformat, formats
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from awn.tickets.models import Priority, Status, Ticket

register = template.Library()

_PLACEHOLDER = 9_081_726_354  # a ticket number no URL prefix contains, replaced by each row's number


@register.simple_tag
def ticket_rows(tickets: list[Ticket]) -> list[dict[str, Any]]:
    """What each row of desk/_ticket_table.html shows, as plain values (dicts: the template engine looks keys
    up before attributes). Labels are translated and the date format read once per table, the ticket URL
    reversed once; dates are in the viewer's timezone, as the `date` filter gives them.
    """
    if not tickets:
        return []
    statuses = {value: str(label) for value, label in Status.choices}
    priorities = {value: str(label) for value, label in Priority.choices}
    select_label = _("Select ticket #%(number)s")
    short_format = formats.get_format("SHORT_DATETIME_FORMAT")
    url = reverse("desk:ticket", args=[_PLACEHOLDER]).replace(str(_PLACEHOLDER), "{}")
    rows = []
    for ticket in tickets:
        number = str(ticket.pk)
        updated = localtime(ticket.updated_at)
        tags = getattr(ticket, "tag_names", None)
        if tags is None:
            tags = [tag.name for tag in ticket.tags.all()]
        rows.append(
            {
                "ticket": ticket,
                "number": number,
                "url": url.format(number),
                "select_label": select_label % {"number": number},
                "subject": ticket.subject,
                "tags": tags,
                "sla": ticket.next_sla_breach_at is not None or ticket.sla_policy_id is not None,
                "requester": ticket.requester.display_name,
                "status": ticket.status,
                "status_label": statuses.get(ticket.status, ticket.status),
                "priority": ticket.priority,
                "priority_label": priorities.get(ticket.priority, ticket.priority),
                "team": ticket.team.name if ticket.team_id is not None else None,
                "assignee": ticket.assignee.display_name if ticket.assignee_id is not None else None,
                "updated_iso": updated.isoformat(),
                "updated": dateformat.format(updated, short_format),
            }
        )
    return rows
