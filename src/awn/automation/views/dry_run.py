"""The dry run: pick or describe a ticket, see which rules would fire and what they would change."""

from __future__ import annotations

from django.db.models import Q
from django.shortcuts import render

from awn.accounts.models import Role, User
from awn.automation.conditions import Facts
from awn.automation.engine import simulate
from awn.automation.forms import DryRunForm
from awn.automation.language import detect_language
from awn.desk.views.access import admin_required
from awn.tickets.models import Message, Ticket
from awn.tickets.services.changes import normalize_tag


def _sample_ticket(data: dict) -> Facts:
    """An unsaved ticket built from the form: nothing is written, not even the requester."""
    requester = None
    if data.get("requester"):
        requester = User.objects.filter(Q(email=data["requester"].lower())).first()
        if requester is None:
            requester = User(email=data["requester"].lower(), role=Role.CUSTOMER)
    body = data.get("body") or ""
    language = (data.get("language") or "").strip().lower() or detect_language(
        body or data.get("subject", "")
    )
    ticket = Ticket(
        subject=data.get("subject") or "",
        channel=data["channel"],
        priority=data["priority"],
        status=data["status"],
        language=language,
    )
    if requester is not None:
        ticket.requester = requester
        ticket.organization_id = requester.organization_id
    tags = []
    for name in (data.get("tags") or "").replace(",", " ").split():
        try:
            tags.append(normalize_tag(name))
        except Exception:  # noqa: S112 - a sample tag that is not valid simply is not on the sample
            continue
    return Facts(ticket, tags=tags, body=body)


@admin_required
def dry_run(request):
    form = DryRunForm(request.GET or None)
    results, ticket, error = None, None, None
    if request.GET and form.is_valid():
        data = form.cleaned_data
        if data.get("number"):
            ticket = (
                Ticket.objects.visible_to(request.user)
                .select_related("requester", "team")
                .filter(pk=data["number"])
                .first()
            )
            if ticket is None:
                error = True
            else:
                message = (
                    Message.objects.filter(ticket=ticket, internal=False)
                    .order_by("-created_at", "-id")
                    .first()
                )
                facts = Facts(ticket, trigger=data["event"], message=message)
        else:
            facts = _sample_ticket(data)
        if not error:
            results = simulate(facts, data["event"])
    status = 422 if (request.GET and not form.is_valid()) else 404 if error else 200
    return render(
        request,
        "automation/dry_run.html",
        {"form": form, "results": results, "ticket": ticket, "not_found": error, "section": "dry_run"},
        status=status,
    )
