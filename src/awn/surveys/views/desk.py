"""Surveys in the desk: the settings (admins), and the ratings panels of a ticket and of a customer.

The panels load after the ticket page (htmx), so the page keeps its fixed query count.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from awn.accounts.models import Role, Team, User
from awn.core.errors import DomainError
from awn.core.ids import row_id
from awn.desk.views.access import admin_required, staff_required
from awn.surveys import selectors, services
from awn.surveys.forms import SurveySettingsForm
from awn.surveys.models import SurveySettings
from awn.tickets.models import Ticket


@staff_required
def feedback(request):
    """The latest ratings on the tickets the viewer may see, to follow up on (not a leaderboard)."""
    slugs = {"good": 3, "okay": 2, "bad": 1}
    choice = request.GET.get("rating", "")
    before = request.GET.get("before", "")
    rows, more = selectors.recent_ratings(
        viewer=request.user,
        rating=slugs.get(choice),
        with_comment=request.GET.get("comments") == "1",
        before=row_id(before),
    )
    return render(
        request,
        "surveys/desk/feedback.html",
        {
            "rows": rows,
            "more": more,
            "choice": choice if choice in slugs else "",
            "comments": request.GET.get("comments") == "1",
        },
    )


@admin_required
def settings_page(request):
    asked = request.GET.get("team") or request.POST.get("team") or None
    team_id = row_id(asked)
    if asked and team_id is None:
        raise Http404("No such team")
    team = get_object_or_404(Team, pk=team_id) if team_id is not None else None
    current = SurveySettings.objects.filter(team=team).first() or (
        SurveySettings(**{f: getattr(selectors.global_settings(), f) for f in services.SETTING_FIELDS})
        if team
        else selectors.global_settings()
    )
    form = SurveySettingsForm(
        request.POST or None, instance=None, initial={f: getattr(current, f) for f in services.SETTING_FIELDS}
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.save_settings(by=request.user, team=team, **form.cleaned_data)
            except DomainError as exc:
                form.add_error(None, exc.message)
                status = exc.status
            else:
                messages.success(request, _("Survey settings saved."))
                return redirect(f"{request.path}?team={team.pk}" if team else request.path)
    own = set(SurveySettings.objects.filter(team__isnull=False).values_list("team_id", flat=True))
    teams = [(t, t.pk in own) for t in Team.objects.order_by("tier", "name")]
    return render(
        request,
        "surveys/desk/settings.html",
        {
            "form": form,
            "team": team,
            "teams": teams,
            "has_own": team is not None and team.pk in own,
            "section": "surveys",
        },
        status=status,
    )


@admin_required
@require_POST
def reset_team(request, team_id: int):
    team = get_object_or_404(Team, pk=team_id)
    services.reset_team_settings(by=request.user, team=team)
    messages.success(request, _("The team now uses the global survey settings."))
    return redirect(reverse("surveys:settings") + f"?team={team.pk}")


@staff_required
def ticket_ratings(request, number: int):
    ticket = Ticket.objects.visible_to(request.user).filter(pk=number).first()
    if ticket is None:
        raise Http404("No such ticket")
    ratings = selectors.ratings_for_ticket(ticket)
    return render(request, "surveys/desk/_ticket_ratings.html", {"ticket": ticket, "ratings": ratings})


@staff_required
def customer_ratings(request, customer_id: int):
    customer = get_object_or_404(User, pk=customer_id, role=Role.CUSTOMER)
    summary = selectors.customer_summary(viewer=request.user, customer=customer)
    return render(request, "surveys/desk/_customer_ratings.html", {"customer": customer, **summary})
