"""The reports dashboard and its CSV exports (staff; each viewer within their scope)."""

from __future__ import annotations

import csv
from datetime import date

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from awn.accounts.models import Role
from awn.core import clock
from awn.desk.views.access import staff_required
from awn.reports import charts, selectors
from awn.reports.exports import TABLES, series_names
from awn.reports.forms import ReportFilterForm
from awn.reports.models import DigestSubscription
from awn.reports.overview import overview
from awn.reports.templatetags.reports import duration


def _form(request) -> ReportFilterForm:
    zone = timezone.get_current_timezone()
    today = clock.now().astimezone(zone).date()
    return ReportFilterForm(
        request.GET or None, scope=selectors.scope_for(request.user), today=today, timezone=str(zone)
    )


def _weekday_names() -> list[str]:
    """Monday to Sunday, abbreviated in the active language (1 January 2024 was a Monday)."""
    return [formats.date_format(date(2024, 1, 1 + d), "D") for d in range(7)]


@staff_required
def dashboard(request):
    form = _form(request)
    if request.GET and not form.is_valid():
        return render(request, "reports/dashboard.html", {"form": form, "invalid": True}, status=400)
    if not request.GET:
        form = ReportFilterForm({}, scope=form.scope, today=form.today, timezone=form.timezone)
        form.is_valid()
    scope, filters, by = form.scope, form.filters(), form.cleaned_data["by"]
    rtl = translation.get_language_bidi()

    def day_label(day):
        return formats.date_format(day, "M j")

    data = overview(scope, filters, by=by)
    numbers, days, series = data.summary, data.days, data.series
    names = series_names(by, series.keys())
    ranked = sorted(series.items(), key=lambda item: -sum(item[1]))
    shown = ranked[:6]
    if len(ranked) > 6:
        rest = [sum(values[i] for _key, values in ranked[6:]) for i in range(len(days))]
        shown_series = [(names[k], v) for k, v in shown] + [(_("Others"), rest)]
    else:
        shown_series = [(names[k], v) for k, v in shown]
    volume_chart = charts.line_chart(days, shown_series, rtl=rtl, day_label=day_label)
    backlog_chart = charts.line_chart(days, [(_("Unsolved"), data.backlog)], rtl=rtl, day_label=day_label)

    def times(dist):
        return charts.bar_chart(
            [
                (_("Mean"), dist.mean, duration(dist.mean)),
                (_("Median"), dist.median, duration(dist.median)),
                (_("90th percentile"), dist.p90, duration(dist.p90)),
            ],
            rtl=rtl,
        )

    counts, means = data.heat_counts, data.heat_means
    weekdays = _weekday_names()
    volume_heatmap = charts.heatmap(
        counts,
        row_labels=weekdays,
        rtl=rtl,
        title=lambda d, h, v: (
            _("%(day)s %(hour)s:00 — %(count)s tickets")
            % {"day": weekdays[d], "hour": h, "count": int(v or 0)}
        ),
    )
    response_heatmap = charts.heatmap(
        means,
        row_labels=weekdays,
        rtl=rtl,
        title=lambda d, h, v: (
            _("%(day)s %(hour)s:00 — mean first response %(time)s")
            % {"day": weekdays[d], "hour": h, "time": duration(v)}
        ),
    )
    context = {
        "form": form,
        "scope": scope,
        "filters": filters,
        "numbers": numbers,
        "volume_chart": volume_chart,
        "volume_by": dict(form.fields["by"].choices)[by],
        "backlog_chart": backlog_chart,
        "first_response_chart": times(numbers.first_response),
        "first_response_business_chart": times(numbers.first_response_business),
        "resolution_chart": times(numbers.resolution),
        "resolution_business_chart": times(numbers.resolution_business),
        "volume_heatmap": volume_heatmap,
        "response_heatmap": response_heatmap,
        "agents": data.agents,
        "query": form.query(),
        "exports": list(TABLES),
        "digest": _digest_frequency(request.user),
        "digest_choices": DigestSubscription.Frequency.choices,
    }
    return render(request, "reports/dashboard.html", context)


def _digest_frequency(user) -> str | None:
    if user.role not in (Role.MANAGER, Role.ADMIN):
        return None
    row = DigestSubscription.objects.filter(user=user).values_list("frequency", flat=True).first()
    if row:
        return row
    return (
        DigestSubscription.Frequency.WEEKLY
        if user.role == Role.MANAGER
        else DigestSubscription.Frequency.NEVER
    )


@staff_required
def export(request, report: str):
    """One report as CSV, with the dashboard's filters."""
    table = TABLES.get(report)
    if table is None:
        raise Http404
    form = _form(request)
    if not form.is_valid():
        errors = "; ".join(str(e) for errors in form.errors.values() for e in errors)
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    filters = form.filters()
    header, rows = table(form.scope, filters, by=form.cleaned_data["by"])
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"awn-{report}-{filters.start.isoformat()}-{filters.end.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response.write("\ufeff")  # a BOM, so spreadsheet programs read Arabic and Persian names as UTF-8
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response


@staff_required
@require_POST
def digest_settings(request):
    """A manager or admin chooses how often they get the digest."""
    if request.user.role not in (Role.MANAGER, Role.ADMIN):
        return HttpResponse(_("Only managers and administrators get the digest."), status=403)
    frequency = request.POST.get("frequency", "")
    if frequency not in DigestSubscription.Frequency.values:
        return HttpResponse(_("Choose daily, weekly or never."), status=400)
    DigestSubscription.objects.update_or_create(user=request.user, defaults={"frequency": frequency})
    from django.contrib import messages

    messages.success(request, _("Digest setting saved."))
    return redirect("reports:dashboard")
