"""The desk's notifications: the signed-in agent's own, newest first; mark read."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from awn.automation.models import Notification
from awn.automation.notifications import mark_read
from awn.core.ids import row_id
from awn.desk.views.access import staff_required


@staff_required
def notifications_list(request):
    rows = (
        Notification.objects.filter(recipient=request.user)
        .select_related("ticket")
        .order_by("-created_at", "-id")
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "automation/notifications.html", {"page": page})


@staff_required
@require_POST
def notifications_read(request):
    ids = [number for number in map(row_id, request.POST.getlist("id")) if number is not None] or None
    mark_read(user=request.user, ids=ids)
    return redirect("automation:notifications")


@staff_required
def desk_status(request):
    """The top bar's live part (htmx): unread notifications and the agent's availability."""
    from django.utils.http import url_has_allowed_host_and_scheme

    from awn.automation.notifications import unread_count
    from awn.routing.models import AgentProfile, Availability

    profile = AgentProfile.objects.filter(user=request.user).only("availability").first()
    next_url = request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    return render(
        request,
        "automation/_desk_status.html",
        {
            "unread": unread_count(request.user),
            "next": next_url,
            "availability": profile.availability if profile else Availability.OFFLINE,
            "availability_choices": Availability.choices,
        },
    )
