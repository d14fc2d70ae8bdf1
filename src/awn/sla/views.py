"""SLA policies in the desk (admins): the ordered list, create and edit, move, delete."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from awn.core.errors import DomainError
from awn.desk.views.access import admin_required
from awn.sla import services
from awn.sla.forms import PolicyForm
from awn.sla.models import SLAPolicy, Target
from awn.tickets.models import Ticket


@admin_required
def policies_list(request):
    policies = list(SLAPolicy.objects.select_related("calendar").order_by("position", "id"))
    labels = dict(Target.choices)
    rows = [
        (policy, [(labels[name], spec) for name, spec in (policy.targets or {}).items() if name in labels])
        for policy in policies
    ]
    breached = Ticket.objects.filter(sla_breached=True).count()
    return render(request, "sla/desk/policies.html", {"rows": rows, "breached": breached, "section": "sla"})


@admin_required
def policy_edit(request, pk: int | None = None):
    policy = get_object_or_404(SLAPolicy, pk=pk) if pk else None
    form = PolicyForm(request.POST or None, initial=PolicyForm.initial_for(policy))
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.save_policy(by=request.user, policy=policy, **form.service_arguments())
            except DomainError as exc:
                field = exc.field if exc.field in form.fields else None
                if exc.field in {t for t in Target.values}:
                    field = f"{exc.field}_minutes"
                form.add_error(field, exc.message)
                status = exc.status
            else:
                messages.success(request, _("Policy saved."))
                return redirect("sla:policies")
    return render(
        request,
        "sla/desk/policy_form.html",
        {"form": form, "policy": policy, "section": "sla"},
        status=status,
    )


@admin_required
@require_POST
def policy_delete(request, pk: int):
    policy = get_object_or_404(SLAPolicy, pk=pk)
    services.delete_policy(by=request.user, policy=policy)
    messages.success(request, _("Policy deleted."))
    return redirect("sla:policies")


@admin_required
@require_POST
def policy_move(request, pk: int):
    policy = get_object_or_404(SLAPolicy, pk=pk)
    services.move_policy(
        by=request.user, policy=policy, step=-1 if request.POST.get("direction") == "up" else 1
    )
    return redirect("sla:policies")
