"""Work that starts at the desk: logging a phone call, opening a ticket on behalf of a customer."""

from __future__ import annotations

from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from awn.accounts.models import Team
from awn.accounts.selectors import find_user_by_email
from awn.core.errors import DomainError
from awn.desk.forms.tickets import NewTicketForm, PhoneCallForm
from awn.desk.views.access import staff_required
from awn.tickets import services
from awn.tickets.inbound import IncomingFile
from awn.tickets.selectors import get_ticket_for
from awn.tickets.services import Actor
from awn.tickets.services.messages import get_or_create_customer


def _add_domain_error(form, exc: DomainError) -> None:
    field = exc.field if exc.field in form.fields else None
    if exc.field == "requester":
        field = "email"
    form.add_error(field, exc.message)


@staff_required
def log_call(request):
    """A phone call: a new ticket on the phone channel, or a call added to the caller's existing ticket."""
    initial = {"ticket": request.GET.get("ticket") or None, "email": request.GET.get("email", "")}
    form = PhoneCallForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            ticket = None
            if data["ticket"]:
                try:
                    ticket = get_ticket_for(user=request.user, number=data["ticket"])
                except Http404:
                    form.add_error(
                        "ticket",
                        _("There is no ticket #%(number)s that you can see.") % {"number": data["ticket"]},
                    )
            if ticket is not None:
                caller = find_user_by_email(data["email"])
                if caller is None or caller.pk != ticket.requester_id:
                    form.add_error("email", _("The caller is not this ticket's requester."))
            if not form.errors:
                try:
                    with transaction.atomic():  # a caller created on the fly goes away if the call is refused
                        caller = get_or_create_customer(
                            email=data["email"], name=data["name"], phone=data["phone"]
                        )
                        ticket = services.log_phone_call(
                            by=Actor.of(request.user),
                            requester=caller,
                            summary=data["summary"],
                            subject=data["subject"],
                            ticket=ticket,
                            priority=data["priority"],
                        )
                except DomainError as exc:
                    _add_domain_error(form, exc)
                    status = exc.status
                else:
                    return redirect("desk:ticket", number=ticket.pk)
    return render(request, "desk/call_form.html", {"form": form}, status=status)


@staff_required
def new_ticket(request):
    """Open a ticket for a customer who wrote or called elsewhere; the first message is theirs."""
    form = NewTicketForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            team = Team.objects.filter(pk=data["team"]).first() if data["team"] else None
            if data["team"] and team is None:
                form.add_error("team", _("That team does not exist."))
            else:
                files = [IncomingFile.from_upload(upload) for upload in data["attachments"]]
                try:
                    with transaction.atomic():
                        requester = get_or_create_customer(
                            email=data["email"], name=data["name"], phone=data["phone"]
                        )
                        ticket = services.create_ticket(
                            requester=requester,
                            subject=data["subject"],
                            body=data["body"],
                            channel=data["channel"],
                            priority=data["priority"],
                            team=team,
                            attachments=files,
                            by=Actor.of(request.user),
                        )
                except DomainError as exc:
                    _add_domain_error(form, exc)
                    status = exc.status
                else:
                    return redirect("desk:ticket", number=ticket.pk)
    return render(request, "desk/new_ticket.html", {"form": form}, status=status)
