"""The SLA badge of a ticket (desk lists and the ticket page): time left to its next breach, or breached."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.utils.translation import gettext as _

from awn.core import clock
from awn.sla.models import Target
from awn.sla.policies import active_policies

register = template.Library()


def format_span(seconds: float) -> str:
    """3 d 4 h · 2 h 5 min · 4 min 30 s: the two largest units, as the badge's script writes them too."""
    seconds = max(int(seconds), 0)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return _("%(d)s d %(h)s h") % {"d": days, "h": hours}
    if hours:
        return _("%(h)s h %(m)s min") % {"h": hours, "m": minutes}
    return _("%(m)s min %(s)s s") % {"m": minutes, "s": secs}


def _warning_seconds(policy_id: int | None) -> int:
    """From the compiled policies this process keeps: a list of 50 badges costs no query."""
    policy = next((p for p in active_policies() if p.id == policy_id), None)
    return policy.warning_minutes * 60 if policy else 0


@register.inclusion_tag("sla/_badge.html")
def sla_badge(ticket: Any, now: datetime | None = None) -> dict[str, Any]:
    """Nothing when no SLA applies; "paused" when every clock waits; else a countdown to the next breach."""
    state = ticket.sla_state or {}
    due = ticket.next_sla_breach_at
    if due is None:
        return {"paused": bool(ticket.sla_policy_id and state.get("paused")), "ticket": ticket}
    now = now or clock.now()
    target = state.get("next") or "resolution"
    label = str(Target(target).label) if target in Target.values else _("SLA")
    left = (due - now).total_seconds()
    warn = _warning_seconds(ticket.sla_policy_id)
    # The script fills %(time)s in; the target's name is put in here, in the page's language.
    left_text = _("%(target)s: %(time)s left") % {"target": label, "time": "%(time)s"}
    over_text = _("%(target)s: breached %(time)s ago") % {"target": label, "time": "%(time)s"}
    if left > 0:
        text, state_name = left_text.replace("%(time)s", format_span(left)), "ok"
        if warn and left <= warn:
            state_name = "warning"
    else:
        text, state_name = over_text.replace("%(time)s", format_span(-left)), "breached"
    return {
        "ticket": ticket,
        "due": due,
        "text": text,
        "state": state_name,
        "left_text": left_text,
        "over_text": over_text,
        "warn": warn,
    }


@register.inclusion_tag("sla/_targets.html")
def sla_targets(ticket: Any) -> dict[str, Any]:
    """Each target's due time on the ticket page, in the viewer's timezone."""
    rows = [
        (Target.FIRST_RESPONSE.label, ticket.first_response_due_at),
        (Target.NEXT_RESPONSE.label, ticket.next_response_due_at),
        (Target.PERIODIC_UPDATE.label, ticket.periodic_update_due_at),
        (Target.RESOLUTION.label, ticket.resolution_due_at),
    ]
    policy = next((p for p in active_policies() if p.id == ticket.sla_policy_id), None)
    return {
        "ticket": ticket,
        "policy_name": policy.name if policy else "",
        "rows": [(label, due) for label, due in rows if due is not None],
    }
