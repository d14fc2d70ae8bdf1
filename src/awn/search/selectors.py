"""Full-text search over tickets. PLACEHOLDER until the FTS5 / tsvector backends land: matches nothing."""

from awn.tickets.models import Ticket


def search_tickets(*, user, query: str, limit: int = 25) -> list[Ticket]:
    return []
