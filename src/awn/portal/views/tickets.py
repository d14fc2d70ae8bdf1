"""A customer's requests: list, new request, one request's thread, reply, solve, reopen."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from awn.core.errors import DomainError, InvalidTransition
from awn.core.ids import row_id
from awn.portal.forms import ReplyForm, RequestForm, incoming_files
from awn.portal.selectors import SCOPES, STATES, portal_tickets, shares_organization_tickets
from awn.portal.views.access import customer_page
from awn.tickets.models import Channel, Status, Ticket
from awn.tickets.selectors import get_ticket_for, thread_for
from awn.tickets.services import Actor, add_customer_message, change_status, create_ticket

PAGE_SIZE = 25


def _form_error(form, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


@customer_page
def ticket_list(request):
    user = request.user
    scope = request.GET.get("scope", "mine")
    state = request.GET.get("state", "")
    if scope not in SCOPES or (scope == "organization" and not shares_organization_tickets(user)):
        scope = "mine"
    if state not in STATES:
        state = ""
    page = Paginator(portal_tickets(user=user, scope=scope, state=state), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "portal/ticket_list.html",
        {
            "page": page,
            "scope": scope,
            "state": state,
            "organization_tab": shares_organization_tickets(user),
        },
    )


@customer_page
def ticket_new(request):
    """Submit a request through the web form."""
    user = request.user
    initial = {}
    follow_up = row_id(request.GET.get("follow_up"))
    if follow_up is not None:
        previous = Ticket.objects.visible_to(user).filter(pk=follow_up).first()
        if previous is not None:
            initial["subject"] = _("Follow-up to #%(number)s: %(subject)s") % {
                "number": previous.number,
                "subject": previous.subject,
            }
    form = RequestForm(request.POST or None, request.FILES or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                ticket = create_ticket(
                    requester=user,
                    subject=form.cleaned_data["subject"],
                    body=form.cleaned_data["message"],
                    channel=Channel.WEB,
                    attachments=incoming_files(form.cleaned_data["attachments"]),
                    by=Actor.of(user),
                )
            except DomainError as error:
                _form_error(form, error)
                status = error.status
            else:
                messages.success(
                    request, _("Thank you! We received your request #%(number)s.") % {"number": ticket.number}
                )
                return redirect("portal:ticket", number=ticket.number)
    return render(request, "portal/ticket_new.html", {"form": form}, status=status)


def _detail(request, ticket: Ticket, *, reply_form: ReplyForm | None = None, status: int = 200):
    user = request.user
    merged_into = None
    if ticket.merged_into_id:
        merged_into = Ticket.objects.visible_to(user).filter(pk=ticket.merged_into_id).first()
    return render(
        request,
        "portal/ticket_detail.html",
        {
            "ticket": ticket,
            "thread": thread_for(user=user, ticket=ticket),
            "reply_form": reply_form or ReplyForm(),
            "merged_into": merged_into,
            "can_reply": ticket.status != Status.CLOSED,
            "can_solve": ticket.status not in (Status.SOLVED, Status.CLOSED),
            "can_reopen": ticket.status == Status.SOLVED,
        },
        status=status,
    )


@customer_page
def ticket_detail(request, number: int):
    return _detail(request, get_ticket_for(user=request.user, number=number))


@require_POST
@customer_page
def ticket_reply(request, number: int):
    """A reply from the customer; replying to a solved or pending request reopens it."""
    ticket = get_ticket_for(user=request.user, number=number)
    form = ReplyForm(request.POST, request.FILES)
    if not form.is_valid():
        return _detail(request, ticket, reply_form=form, status=400)
    try:
        add_customer_message(
            ticket=ticket,
            author=request.user,
            body=form.cleaned_data["message"],
            attachments=incoming_files(form.cleaned_data["attachments"]),
            channel=Channel.WEB,
        )
    except DomainError as error:
        _form_error(form, error)
        return _detail(request, ticket, reply_form=form, status=error.status)
    messages.success(request, _("Your reply was sent."))
    return redirect("portal:ticket", number=ticket.number)


def _move(request, number: int, *, to: str, allowed_from: tuple[str, ...], refusal: str, done: str):
    ticket = get_ticket_for(user=request.user, number=number)
    try:
        if ticket.status not in allowed_from:
            raise InvalidTransition(refusal, field="status")
        change_status(ticket=ticket, status=to, by=Actor.of(request.user))
    except DomainError as error:
        messages.error(request, error.message)
        return _detail(request, ticket, status=error.status)
    messages.success(request, done)
    return redirect("portal:ticket", number=ticket.number)


@require_POST
@customer_page
def ticket_solve(request, number: int):
    """The customer says the request is solved."""
    return _move(
        request,
        number,
        to=Status.SOLVED,
        allowed_from=(Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD),
        refusal=_("This request is already solved or closed."),
        done=_("Marked as solved. Thank you!"),
    )


@require_POST
@customer_page
def ticket_reopen(request, number: int):
    """The customer says a solved request is not solved after all."""
    return _move(
        request,
        number,
        to=Status.OPEN,
        allowed_from=(Status.SOLVED,),
        refusal=_("Only a solved request can be reopened."),
        done=_("Reopened. We will get back to you."),
    )
