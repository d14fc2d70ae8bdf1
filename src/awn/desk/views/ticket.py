"""The ticket page and its actions: reply or note, side-panel changes, merge. One service call each."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from awn.accounts.models import Team, User
from awn.core.errors import DomainError
from awn.desk.forms.tickets import (
    AssigneeForm,
    MergeForm,
    PriorityForm,
    ReplyForm,
    StatusForm,
    TagsForm,
    TeamForm,
)
from awn.desk.history import describe_events
from awn.desk.views.access import is_htmx, staff_required
from awn.tickets import services
from awn.tickets.inbound import IncomingFile
from awn.tickets.models import Status, Ticket
from awn.tickets.selectors import get_ticket_for, other_tickets_of_requester, thread_for
from awn.tickets.services import Actor
from awn.tickets.states import ALLOWED


def _ticket_context(request, ticket: Ticket, **extra: Any) -> dict[str, Any]:
    user = request.user
    status_choices = [
        (value, label)
        for value, label in Status.choices
        if value == ticket.status or value in ALLOWED.get(ticket.status, ())
    ]
    tag_names = sorted(tag.name for tag in ticket.tags.all())
    context = {
        "ticket": ticket,
        "thread": list(thread_for(user=user, ticket=ticket)),
        "history": describe_events(ticket.events.select_related("actor").order_by("created_at", "id")),
        "tags": tag_names,
        "requester": ticket.requester,
        "other_tickets": other_tickets_of_requester(user=user, ticket=ticket),
        "status_choices": status_choices,
        "priority_form": PriorityForm(initial={"priority": ticket.priority}, auto_id="id_side_%s"),
        "assignee_form": AssigneeForm(initial={"assignee": ticket.assignee_id}, auto_id="id_side_%s"),
        "team_form": TeamForm(initial={"team": ticket.team_id}, auto_id="id_side_%s"),
        "tags_form": TagsForm(initial={"tags": " ".join(tag_names)}, auto_id="id_side_%s"),
        "reply_form": ReplyForm(),
        "merge_form": MergeForm(),
        "is_closed": ticket.status == Status.CLOSED,
    }
    context.update(extra)
    return context


def _render(request, ticket: Ticket, *, status: int = 200, **extra: Any) -> HttpResponse:
    template = "desk/_ticket_body.html" if is_htmx(request) else "desk/ticket.html"
    return render(request, template, _ticket_context(request, ticket, **extra), status=status)


def _leave(request, number: int) -> HttpResponse:
    """The change took the ticket out of the user's scope (another team): back to the inbox."""
    text = _("Ticket #%(number)s is no longer in your view.") % {"number": number}
    messages.info(request, text)
    if is_htmx(request):
        response = HttpResponse()
        response["HX-Redirect"] = reverse("desk:inbox")
        return response
    return redirect("desk:inbox")


def _after_change(request, number: int, *, notice: str) -> HttpResponse:
    try:
        ticket = get_ticket_for(user=request.user, number=number)
    except Http404:
        return _leave(request, number)
    if is_htmx(request):
        return _render(request, ticket, notice=notice)
    messages.success(request, notice)
    return redirect("desk:ticket", number=number)


def _refused(request, number: int, text: str, status: int, **extra: Any) -> HttpResponse:
    """Re-read the ticket (the failed transaction changed nothing) and show why."""
    ticket = get_ticket_for(user=request.user, number=number)
    return _render(request, ticket, error=text, status=status, **extra)


def _first_error(form: forms.Form) -> str:
    for errors in form.errors.values():
        if errors:
            return str(errors[0])
    return _("The form is not valid.")


@staff_required
def ticket_detail(request, number: int):
    ticket = get_ticket_for(user=request.user, number=number)
    return _render(request, ticket)


@staff_required
@require_POST
def ticket_reply(request, number: int):
    """A public reply or an internal note, with attachments, optionally setting the status too."""
    ticket = get_ticket_for(user=request.user, number=number)
    form = ReplyForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render(request, ticket, reply_form=form, error=_first_error(form), status=422)
    data = form.cleaned_data
    by = Actor.of(request.user)
    files = [IncomingFile.from_upload(upload) for upload in data["attachments"]]
    try:
        with transaction.atomic():  # a note and its status change land together or not at all
            if data["kind"] == "note":
                services.add_internal_note(ticket=ticket, by=by, body=data["body"], attachments=files)
                if data["status"]:
                    services.change_status(ticket=ticket, status=data["status"], by=by)
            else:
                services.reply_to_ticket(
                    ticket=ticket, by=by, body=data["body"], attachments=files, status=data["status"] or None
                )
    except DomainError as exc:
        return _refused(request, number, exc.message, exc.status, reply_form=form)
    notice = _("Internal note added.") if data["kind"] == "note" else _("Reply sent.")
    return _after_change(request, number, notice=notice)


def _side_change(form_class: type[forms.Form], apply: Callable[[Ticket, Any, Actor], object]):
    """A side-panel action: parse one small form, call one service, show the ticket again."""

    @staff_required
    @require_POST
    def view(request, number: int):
        ticket = get_ticket_for(user=request.user, number=number)
        form = form_class(request.POST)
        if not form.is_valid():
            return _render(request, ticket, error=_first_error(form), status=422)
        try:
            apply(ticket, form, Actor.of(request.user))
        except DomainError as exc:
            return _refused(request, number, exc.message, exc.status)
        return _after_change(request, number, notice=_("Saved."))

    return view


def _set_status(ticket: Ticket, form: StatusForm, by: Actor) -> None:
    services.change_status(ticket=ticket, status=form.cleaned_data["status"], by=by)


def _set_priority(ticket: Ticket, form: PriorityForm, by: Actor) -> None:
    services.change_priority(ticket=ticket, priority=form.cleaned_data["priority"], by=by)


def _set_assignee(ticket: Ticket, form: AssigneeForm, by: Actor) -> None:
    pk = form.cleaned_data["assignee"]
    assignee = User.objects.filter(pk=pk).first() if pk else None
    services.assign_ticket(ticket=ticket, assignee=assignee, by=by)


def _set_team(ticket: Ticket, form: TeamForm, by: Actor) -> None:
    pk = form.cleaned_data["team"]
    team = Team.objects.filter(pk=pk).first() if pk else None
    services.change_team(ticket=ticket, team=team, by=by)


def _set_tags(ticket: Ticket, form: TagsForm, by: Actor) -> None:
    services.set_tags(ticket=ticket, tags=form.tag_list(), by=by)


ticket_status = _side_change(StatusForm, _set_status)
ticket_priority = _side_change(PriorityForm, _set_priority)
ticket_assignee = _side_change(AssigneeForm, _set_assignee)
ticket_team = _side_change(TeamForm, _set_team)
ticket_tags = _side_change(TagsForm, _set_tags)


@staff_required
@require_POST
def ticket_take(request, number: int):
    """Assign the ticket to oneself (the most common side-panel action, one click)."""
    ticket = get_ticket_for(user=request.user, number=number)
    try:
        services.assign_ticket(ticket=ticket, assignee=request.user, by=Actor.of(request.user))
    except DomainError as exc:
        return _refused(request, number, exc.message, exc.status)
    return _after_change(request, number, notice=_("Saved."))


@staff_required
@require_POST
def ticket_merge(request, number: int):
    """Merge this ticket into another one, named by number; a first post asks for confirmation."""
    ticket = get_ticket_for(user=request.user, number=number)
    form = MergeForm(request.POST)
    if not form.is_valid():
        return _render(request, ticket, merge_form=form, error=_first_error(form), status=422)
    target_number = form.cleaned_data["target"]
    try:
        target = get_ticket_for(user=request.user, number=target_number)
    except Http404:
        form.add_error(
            "target", _("There is no ticket #%(number)s that you can see.") % {"number": target_number}
        )
        return _render(request, ticket, merge_form=form, error=_first_error(form), status=422)
    if target.pk == ticket.pk:
        form.add_error("target", _("A ticket cannot be merged into itself."))
        return _render(request, ticket, merge_form=form, error=_first_error(form), status=422)
    if not form.cleaned_data["confirm"]:
        return render(request, "desk/merge_confirm.html", {"ticket": ticket, "target": target})
    try:
        services.merge_tickets(source=ticket, target=target, by=Actor.of(request.user))
    except DomainError as exc:
        return _refused(request, number, exc.message, exc.status, merge_form=form)
    messages.success(
        request,
        _("Ticket #%(source)s was merged into #%(target)s.") % {"source": ticket.pk, "target": target.pk},
    )
    if is_htmx(request):
        response = HttpResponse()
        response["HX-Redirect"] = reverse("desk:ticket", kwargs={"number": target.pk})
        return response
    return redirect("desk:ticket", number=target.pk)
