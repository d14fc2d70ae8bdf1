"""The ticket page's automation panel (loaded by htmx after the page): rules that fired, tier moves."""

from __future__ import annotations

from django.shortcuts import render

from awn.automation.models import Rule, RuleRun
from awn.core.words import said_again
from awn.desk.views.access import staff_required
from awn.routing.tiers import tier_of
from awn.tickets.selectors import get_ticket_for


def _trigger_name(trigger: str) -> str:
    try:
        return str(Rule.Event(trigger).label)
    except ValueError:
        return trigger


@staff_required
def ticket_panel(request, number: int):
    ticket = get_ticket_for(user=request.user, number=number)
    runs = list(RuleRun.objects.filter(ticket=ticket).exclude(results=[]).order_by("-created_at", "-id")[:20])
    for run in runs:  # what each rule did, in the reader's language (core/words.py)
        run.lines = [
            {"error": item.get("error"), "text": said_again(item.get("words"), str(item.get("result") or ""))}
            for item in run.results
            if isinstance(item, dict)
        ]
        run.trigger_name = _trigger_name(run.trigger)
    tier = tier_of(ticket)
    return render(
        request,
        "automation/_ticket_panel.html",
        {"ticket": ticket, "runs": runs, "tier": tier, "can_escalate": tier < 3, "can_deescalate": tier > 1},
    )
