"""Rating from the portal: the customer is signed in, so one click (a POST form) records the rating."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from awn.core.errors import DomainError
from awn.portal.views.access import customer_page
from awn.surveys import services
from awn.surveys.forms import PortalRatingForm
from awn.tickets.models import Message
from awn.tickets.selectors import get_ticket_for


@require_POST
@customer_page
def rate(request, number: int):
    ticket = get_ticket_for(user=request.user, number=number)  # 404 for a ticket the customer cannot see
    back = reverse("portal:ticket", args=[ticket.number])
    form = PortalRatingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose good, okay or bad."))
        return redirect(back)
    message = None
    if form.cleaned_data["message"]:
        message = Message.objects.filter(pk=form.cleaned_data["message"], ticket=ticket).first()
        if message is None:
            messages.error(request, _("Only replies from the support team can be rated."))
            return redirect(back)
    comment = form.cleaned_data["comment"] if "comment" in request.POST else None
    try:
        services.rate(
            ticket=ticket,
            message=message,
            customer=request.user,
            rating=form.cleaned_data["rating"],
            comment=comment,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    messages.success(request, _("Thank you for your rating."))
    anchor = f"#message-{message.pk}" if message else "#rate-request"
    return redirect(back + anchor)
