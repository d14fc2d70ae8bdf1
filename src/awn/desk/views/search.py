"""Full-text search from the desk's search box."""

from __future__ import annotations

import re

from django.shortcuts import redirect, render

from awn.desk.views.access import staff_required
from awn.search.selectors import search_tickets
from awn.tickets.models import Ticket
from awn.tickets.selectors import LIST_COLUMNS, with_tag_names

LIMIT = 50
_TICKET_NUMBER = re.compile(r"^#?(\d{1,18})$")


@staff_required
def search(request):
    query = (request.GET.get("q") or "").strip()[:200]
    tickets: list[Ticket] = []
    number = _TICKET_NUMBER.match(query)
    if number and Ticket.objects.visible_to(request.user).filter(pk=int(number.group(1))).exists():
        return redirect("desk:ticket", number=int(number.group(1)))  # "#1234" in the box opens the ticket
    if query:
        found = [ticket.pk for ticket in search_tickets(user=request.user, query=query, limit=LIMIT)]
        # Re-read the hits through the visibility scope with the list's joins, keeping the ranking order.
        rows = (
            Ticket.objects.visible_to(request.user)
            .filter(pk__in=found)
            .select_related("requester", "assignee", "team")
            .only(*LIST_COLUMNS)
        )
        by_pk = {ticket.pk: ticket for ticket in rows}
        tickets = with_tag_names([by_pk[pk] for pk in found if pk in by_pk])
    return render(request, "desk/search.html", {"query": query, "tickets": tickets})
