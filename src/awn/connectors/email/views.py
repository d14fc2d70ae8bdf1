"""Email screens in the desk (mailboxes, quarantine, a message's original) and the inbound HTTP endpoint."""

from __future__ import annotations

import base64
import hmac

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from awn.accounts.permissions import is_staff
from awn.connectors.email import services
from awn.connectors.email.forms import MailboxForm
from awn.connectors.email.ingest import header_summary, receive_raw_email, too_large
from awn.connectors.email.models import Mailbox, MessageEmail, RawEmail
from awn.connectors.email.parsing import MalformedEmail, parse_email
from awn.core.errors import DomainError
from awn.core.sanitize import sanitize_html
from awn.desk.views.access import admin_required, staff_required
from awn.tickets.models import Ticket

PAGE_SIZE = 50
RAW_FIELDS = ("email", "body-mime", "message", "mime", "raw")  # what providers call the raw message field


# --- the inbound HTTP endpoint ----------------------------------------------------------------------


def _presented_secret(request) -> str:
    auth = request.headers.get("Authorization", "")
    if auth.startswith("Bearer "):
        return auth[7:].strip()
    if auth.startswith("Basic "):
        try:
            return base64.b64decode(auth[6:]).decode().partition(":")[2]
        except (ValueError, UnicodeDecodeError):
            return ""
    return request.GET.get("key", "")


def _raw_from(request) -> bytes:
    if request.content_type == "multipart/form-data":
        for name in RAW_FIELDS:
            if name in request.FILES:
                return request.FILES[name].read(settings.AWN_EMAIL_MAX_MESSAGE_BYTES + 1)
            if name in request.POST:
                return request.POST[name].encode("utf-8", "surrogateescape")
        return b""
    # request.read() rather than request.body: mail may be larger than DATA_UPLOAD_MAX_MEMORY_SIZE.
    return request.read(settings.AWN_EMAIL_MAX_MESSAGE_BYTES + 1)


@csrf_exempt
@require_POST
def inbound_webhook(request, mailbox_id: int):
    """A provider posts one raw MIME message (body, or a multipart field), authenticated by the mailbox's
    secret (Bearer, Basic password, or ?key=). 202 once the message is stored."""
    mailbox = Mailbox.objects.filter(pk=mailbox_id, active=True).first()
    presented = _presented_secret(request)
    expected = mailbox.webhook_secret if mailbox else ""
    if not expected or not presented or not hmac.compare_digest(presented.encode(), expected.encode()):
        return JsonResponse(
            {"error": "unauthorized", "message": "Unknown mailbox or wrong secret."}, status=401
        )
    declared = int(request.META.get("CONTENT_LENGTH") or 0)
    limit = settings.AWN_EMAIL_MAX_MESSAGE_BYTES
    if declared > limit + 64 * 1024 and mailbox is not None:
        return _too_large(mailbox, declared)
    raw = _raw_from(request)
    if not raw.strip():
        return JsonResponse({"error": "empty", "message": "No message in the request."}, status=400)
    row = receive_raw_email(raw=raw, source=RawEmail.Source.HTTP, mailbox=mailbox)
    status = 413 if row.status == RawEmail.Status.REFUSED else 202
    return JsonResponse({"id": row.pk, "status": row.status, "reason": row.reason}, status=status)


def _too_large(mailbox: Mailbox, size: int) -> JsonResponse:
    why = too_large(size)
    row = RawEmail.objects.create(
        mailbox=mailbox,
        source=RawEmail.Source.HTTP,
        size=size,
        sha256="",
        status=RawEmail.Status.REFUSED,
        reason=why.english(),
        reasons=[why.as_json()],
    )
    return JsonResponse({"id": row.pk, "status": row.status, "reason": row.reason}, status=413)


# --- mailboxes ---------------------------------------------------------------------------------------


@admin_required
def mailboxes(request):
    rows = Mailbox.objects.select_related("team").order_by("address")
    return render(request, "email/mailboxes.html", {"mailboxes": rows, "section": "mailboxes"})


def _webhook_url(request, mailbox: Mailbox) -> str:
    return settings.AWN_BASE_URL + reverse("email:inbound", args=[mailbox.pk])


@admin_required
def mailbox_form(request, pk: int | None = None):
    mailbox = get_object_or_404(Mailbox, pk=pk) if pk else None
    form = MailboxForm(request.POST or None, instance=mailbox)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                if mailbox is None:
                    saved = services.create_mailbox(
                        by=request.user,
                        imap_password=data["imap_password"],
                        smtp_password=data["smtp_password"],
                        **form.mailbox_fields(),
                    )
                else:
                    saved = services.update_mailbox(
                        by=request.user,
                        mailbox=mailbox,
                        imap_password=data["imap_password"],
                        smtp_password=data["smtp_password"],
                        **form.mailbox_fields(),
                    )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                status = exc.status
            else:
                messages.success(
                    request, _("The mailbox %(address)s was saved.") % {"address": saved.address}
                )
                return redirect("email:mailbox", saved.pk)
    context = {
        "form": form,
        "mailbox": mailbox,
        "section": "mailboxes",
        "webhook_url": _webhook_url(request, mailbox) if mailbox else "",
    }
    return render(request, "email/mailbox_form.html", context, status=status)


@admin_required
@require_POST
def mailbox_rotate_secret(request, pk: int):
    mailbox = get_object_or_404(Mailbox, pk=pk)
    services.rotate_webhook_secret(by=request.user, mailbox=mailbox)
    messages.success(request, _("A new webhook secret was made; the old one no longer works."))
    return redirect("email:mailbox", mailbox.pk)


# --- quarantine ---------------------------------------------------------------------------------------

QUARANTINE_STATUSES = (RawEmail.Status.QUARANTINED, RawEmail.Status.REFUSED, RawEmail.Status.IGNORED)


@admin_required
def quarantine(request):
    status = request.GET.get("status") or RawEmail.Status.QUARANTINED
    if status not in QUARANTINE_STATUSES:
        status = RawEmail.Status.QUARANTINED
    rows = RawEmail.objects.filter(status=status).select_related("mailbox").order_by("-received_at", "-id")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = {s: RawEmail.objects.filter(status=s).count() for s in QUARANTINE_STATUSES}
    tabs = [(value, label, counts[value]) for value, label in RawEmail.Status.choices if value in counts]
    return render(
        request,
        "email/quarantine.html",
        {"page": page, "status": status, "tabs": tabs, "section": "quarantine"},
    )


@admin_required
def raw_email_detail(request, pk: int):
    raw = get_object_or_404(RawEmail.objects.select_related("mailbox", "message"), pk=pk)
    content = raw.read_bytes()
    return render(
        request,
        "email/raw_email.html",
        {"raw": raw, "headers": header_summary(content), "section": "quarantine"},
    )


@admin_required
def raw_email_download(request, pk: int):
    raw = get_object_or_404(RawEmail, pk=pk)
    response = HttpResponse(raw.read_bytes(), content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="message-{raw.pk}.eml"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@admin_required
@require_POST
def raw_email_retry(request, pk: int):
    raw = get_object_or_404(RawEmail, pk=pk)
    try:
        raw = services.retry_raw_email(by=request.user, raw=raw)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("email:raw_email", pk)
    if raw.status == RawEmail.Status.INGESTED and raw.message_id:
        messages.success(request, _("The message was ingested."))
    else:
        messages.error(
            request,
            _("The message is still %(status)s: %(reason)s")
            % {"status": raw.get_status_display(), "reason": raw.reason_shown},
        )
    return redirect("email:raw_email", pk)


@admin_required
@require_POST
def raw_email_delete(request, pk: int):
    raw = get_object_or_404(RawEmail, pk=pk)
    try:
        services.delete_raw_email(by=request.user, raw=raw)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("email:raw_email", pk)
    messages.success(request, _("The message was deleted."))
    return redirect("email:quarantine")


# --- a message's original email (staff, within their visibility) -------------------------------------


@staff_required
def message_original(request, message_pk: int):
    record = get_object_or_404(MessageEmail.objects.select_related("message", "raw"), message__pk=message_pk)
    ticket = Ticket.objects.visible_to(request.user).filter(pk=record.message.ticket_id).first()
    if ticket is None or not is_staff(request.user):
        raise Http404
    if record.raw is None:
        raise Http404
    content = record.raw.read_bytes()
    try:
        parsed = parse_email(content)
        text, html = parsed.text, sanitize_html(parsed.html)
    except MalformedEmail:
        text, html = content.decode("utf-8", "replace"), ""
    return render(
        request,
        "email/original.html",
        {
            "ticket": ticket,
            "record": record,
            "headers": header_summary(content),
            "text": text,
            "html": html,
        },
    )
