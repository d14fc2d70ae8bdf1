"""The ticket life cycle. Status changes only through `transition`, which refuses illegal moves."""

from django.utils.translation import gettext as _

from awn.core.errors import InvalidTransition
from awn.tickets.models import Status

ALLOWED: dict[str, frozenset[str]] = {
    Status.NEW: frozenset({Status.OPEN, Status.PENDING, Status.ON_HOLD, Status.SOLVED, Status.CLOSED}),
    Status.OPEN: frozenset({Status.PENDING, Status.ON_HOLD, Status.SOLVED, Status.CLOSED}),
    Status.PENDING: frozenset({Status.OPEN, Status.ON_HOLD, Status.SOLVED, Status.CLOSED}),
    Status.ON_HOLD: frozenset({Status.OPEN, Status.PENDING, Status.SOLVED, Status.CLOSED}),
    Status.SOLVED: frozenset({Status.OPEN, Status.CLOSED}),
    # Closed is final: a customer writing again starts a follow-up ticket.
    Status.CLOSED: frozenset(),
}


def can_transition(current: str, to: str) -> bool:
    return to in ALLOWED.get(current, frozenset())


def check_transition(current: str, to: str) -> None:
    if to not in Status.values:
        raise InvalidTransition(_("Unknown status “%(status)s”.") % {"status": to}, field="status")
    if current != to and not can_transition(current, to):
        raise InvalidTransition(
            _("A ticket cannot go from %(old)s to %(new)s.")
            % {"old": Status(current).label, "new": Status(to).label},
            field="status",
        )
