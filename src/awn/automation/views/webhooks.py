"""Webhook endpoints rules may call (admins)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from awn.automation import services
from awn.automation.forms import WebhookForm
from awn.automation.models import Webhook
from awn.core.errors import DomainError
from awn.desk.views.access import admin_required
from awn.outbox.models import OutboxItem


@admin_required
def webhooks_list(request):
    recent = OutboxItem.objects.filter(kind="automation.webhook").order_by("-created_at", "-id")[:20]
    return render(
        request,
        "automation/webhooks.html",
        {"webhooks": Webhook.objects.all(), "recent": recent, "section": "webhooks"},
    )


@admin_required
def webhook_edit(request, pk: int | None = None):
    webhook = get_object_or_404(Webhook, pk=pk) if pk else None
    initial = {"name": webhook.name, "url": webhook.url, "is_active": webhook.is_active} if webhook else {}
    form = WebhookForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.save_webhook(by=request.user, webhook=webhook, **form.cleaned_data)
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                status = exc.status
            else:
                messages.success(request, _("Webhook saved."))
                return redirect("automation:webhooks")
    return render(
        request,
        "automation/webhook_form.html",
        {"form": form, "webhook": webhook, "section": "webhooks"},
        status=status,
    )
