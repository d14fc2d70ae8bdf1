"""Full-text search over tickets (DESIGN.md §7), within the visibility scope of DESIGN.md §5."""

from __future__ import annotations

from awn.search.backends import Hit, get_backend
from awn.search.query import parse_query
from awn.search.scope import visibility_keys
from awn.tickets.models import Ticket

MAX_LIMIT = 500
# How many of the newest matching documents the user may see are ranked. When a query matches fewer, the
# ranking is exact; when it matches more (a common word at a million tickets), relevance is ranked among the
# newest ones: that keeps search time flat however common the word and however many tickets there are.
WINDOW = 200


def rank_tickets(hits: list[Hit], limit: int) -> list[int]:
    """Ticket ids by their best-matching document's relevance, then by their most recent match."""
    best: dict[int, tuple[float, int]] = {}
    for hit in hits:
        score, newest = best.get(hit.ticket_id, (float("-inf"), 0))
        best[hit.ticket_id] = (max(score, hit.score), max(newest, hit.document_id))
    ordered = sorted(best.items(), key=lambda item: (item[1][0], item[1][1]), reverse=True)
    return [ticket_id for ticket_id, _ in ordered[:limit]]


def search_tickets(*, user, query: str, limit: int = 25) -> list[Ticket]:
    """Tickets `user` may see that match `query`, most relevant first; a ticket number typed alone leads."""
    limit = min(limit, MAX_LIMIT)
    parsed = parse_query(query)
    if parsed.is_empty or limit <= 0:
        return []
    scope = Ticket.objects.visible_to(user)
    if scope.query.is_empty():
        return []
    ids: list[int] = []
    if parsed.number is not None:
        ids.extend(scope.filter(pk=parsed.number).values_list("pk", flat=True))
    if parsed.terms is not None:
        backend = get_backend()
        # The index answers within the user's visibility keys (awn.search.scope): what it returns is then
        # read through the scope once more below, so the keys can only ever hide a ticket, never show one.
        keys = visibility_keys(user) if scope.query.where else None
        hits = backend.find(
            terms=parsed.terms,
            keys=keys,
            include_internal=user.is_staff_member,
            window=max(WINDOW, limit * 4),
        )
        ids.extend(ticket_id for ticket_id in rank_tickets(hits, limit + len(ids)) if ticket_id not in ids)
    ids = ids[:limit]
    # Read the tickets through the scope once more: what is shown never rests on the index alone.
    tickets = scope.filter(pk__in=ids).select_related("requester", "assignee", "team").order_by()
    by_id = {ticket.pk: ticket for ticket in tickets}
    return [by_id[ticket_id] for ticket_id in ids if ticket_id in by_id]
