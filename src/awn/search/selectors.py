"""Full-text search over tickets (DESIGN.md §7), within the visibility scope of DESIGN.md §5."""

from __future__ import annotations

from awn.search.backends import Hit, Scope, SearchBackend, get_backend
from awn.search.query import parse_query
from awn.tickets.models import Ticket

MAX_LIMIT = 500
# How many of the newest matching documents are ranked. When a query matches fewer, the ranking is exact;
# when it matches more (a common word at a million tickets), relevance is ranked among the newest ones: that
# keeps search time flat however common the word and however many tickets there are.
WINDOW = 200


def _scope_for(scope, backend: SearchBackend) -> Scope | None:
    if not scope.query.where:
        return None  # admins, and agents on a team that sees all tickets: no join at all
    threshold = backend.small_scope_tickets
    ids = tuple(scope.order_by().values_list("id", flat=True)[: threshold + 1])
    if len(ids) <= threshold:
        return Scope(ticket_ids=ids)
    sql, params = scope.order_by().values("id").query.sql_with_params()
    return Scope(sql=sql, params=tuple(params))


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
        hits = backend.find(
            terms=parsed.terms,
            scope=_scope_for(scope, backend),
            include_internal=user.is_staff_member,
            window=max(WINDOW, limit * 4),
            enough=limit,
        )
        ids.extend(ticket_id for ticket_id in rank_tickets(hits, limit + len(ids)) if ticket_id not in ids)
    ids = ids[:limit]
    # Read the tickets through the scope once more: what is shown never rests on the index alone.
    tickets = scope.filter(pk__in=ids).select_related("requester", "assignee", "team").order_by()
    by_id = {ticket.pk: ticket for ticket in tickets}
    return [by_id[ticket_id] for ticket_id in ids if ticket_id in by_id]
