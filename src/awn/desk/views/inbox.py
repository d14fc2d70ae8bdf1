"""The inbox: desk views with counts, filters, sorts, keyset pages and bulk actions."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from awn.accounts.models import User
from awn.accounts.selectors import find_user_by_email
from awn.core.errors import DomainError
from awn.desk.forms.tickets import BulkActionForm, QueueFilterForm, staff_choices
from awn.desk.views.access import staff_required
from awn.tickets import services
from awn.tickets.models import Ticket
from awn.tickets.selectors import SORT_LABELS, VIEWS, TicketFilters, ticket_queue, view_counts
from awn.tickets.services import Actor
from awn.tickets.services.changes import add_tags

PAGE_SIZE = 50


def _filters_from(form: QueueFilterForm) -> tuple[TicketFilters | None, str | None]:
    """The selector's filters from a valid form; a requester address nobody uses matches no ticket."""
    data = form.cleaned_data
    requester_id = None
    if data.get("requester"):
        person = find_user_by_email(data["requester"])
        if person is None:
            return None, _("Nobody uses the address %(email)s.") % {"email": data["requester"]}
        requester_id = person.pk
    filters = TicketFilters(
        status=[data["status"]] if data.get("status") else [],
        priority=[data["priority"]] if data.get("priority") else [],
        team=data.get("team"),
        assignee=data.get("assignee"),
        tag=(data.get("tag") or "").strip() or None,
        channel=data.get("channel") or None,
        requester=requester_id,
    )
    return filters, None


@staff_required
def inbox(request):
    """One desk view of tickets: `?view=` picks the queue, the form narrows it, `?cursor=` pages it."""
    view = request.GET.get("view") or "mine"
    if view not in VIEWS:
        raise Http404("Unknown view")
    staff = staff_choices()
    form = QueueFilterForm(request.GET, staff=staff)
    scope = Ticket.objects.visible_to(
        request.user
    )  # one read of the agent's teams for the list and the counts
    status, error, page = 200, None, None
    sort = "updated"
    if form.is_valid():
        sort = form.cleaned_data.get("sort") or ("updated" if view in ("all", "recent") else "oldest")
        filters, error = _filters_from(form)
        if filters is not None:
            try:
                page = ticket_queue(
                    user=request.user,
                    view=view,
                    filters=filters,
                    sort=sort,
                    cursor=request.GET.get("cursor") or None,
                    limit=PAGE_SIZE,
                    scope=scope,
                    for_list=True,
                )
            except DomainError as exc:
                error, status = exc.message, exc.status
    else:
        error, status = _("Some filters are not valid."), 400
    counts = view_counts(request.user, scope=scope)
    context = {
        "views": [(name, label, counts.get(name)) for name, label in VIEWS.items()],
        "view": view,
        "view_label": VIEWS[view],
        "sort": sort,
        "sorts": [] if view in ("recent", "sla") else list(SORT_LABELS.items()),
        "form": form,
        "page": page,
        "tickets": page.tickets if page else [],
        "error": error,
        "bulk_form": BulkActionForm(staff=staff),
        "filtered": any(form.data.get(name) for name in form.fields if name != "sort"),
    }
    return render(request, "desk/inbox.html", context, status=status)


def _back_to_list(request) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("desk:inbox")


@staff_required
@require_POST
def bulk_update(request):
    """Assign, set the status of, or tag the selected tickets, each through its service; report the rest."""
    form = BulkActionForm(request.POST)
    if not form.is_valid():
        for field_errors in form.errors.values():
            for text in field_errors:
                messages.error(request, text)
        return redirect(_back_to_list(request))
    data = form.cleaned_data
    by = Actor.of(request.user)
    numbers = data["tickets"]
    tickets = {t.pk: t for t in Ticket.objects.visible_to(request.user).filter(pk__in=numbers)}
    assignee = None
    if data["action"] == "assign" and data["assignee"]:
        assignee = User.objects.filter(pk=data["assignee"]).first()
        if assignee is None:
            messages.error(request, _("That assignee does not exist."))
            return redirect(_back_to_list(request))
    changed, refused = 0, []
    for number in numbers:
        ticket = tickets.get(number)
        if ticket is None:
            refused.append(_("#%(number)s: no such ticket.") % {"number": number})
            continue
        before = ticket.updated_at
        try:
            if data["action"] == "assign":
                services.assign_ticket(ticket=ticket, assignee=assignee, by=by)
            elif data["action"] == "status":
                services.change_status(ticket=ticket, status=data["status"], by=by)
            else:
                add_tags(ticket=ticket, tags=[data["tag"]], by=by)
        except DomainError as exc:
            refused.append(_("#%(number)s: %(reason)s") % {"number": number, "reason": exc.message})
            continue
        if ticket.updated_at != before:
            changed += 1
    messages.success(
        request,
        ngettext("%(count)d ticket changed.", "%(count)d tickets changed.", changed) % {"count": changed},
    )
    for text in refused:
        messages.error(request, text)
    return redirect(_back_to_list(request))
