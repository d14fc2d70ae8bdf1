from django import template
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from awn.tickets.models import Status

register = template.Library()

# Customers need to know whose move it is, not the desk's internal workflow.
_CUSTOMER_STATUS: dict[str, Promise] = {
    Status.NEW: _("Received"),
    Status.OPEN: _("In progress"),
    Status.PENDING: _("Awaiting your reply"),
    Status.ON_HOLD: _("In progress"),
    Status.SOLVED: _("Solved"),
    Status.CLOSED: _("Closed"),
}


@register.filter
def customer_status(status: str) -> str:
    """The status of a request in the customer's words."""
    return str(_CUSTOMER_STATUS.get(status, status))
