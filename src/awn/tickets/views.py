"""Serving attachments: only after the visibility check, always as a download with a safe content type."""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.views.decorators.http import require_GET

from awn.tickets.models import Attachment, Ticket

# Types a browser may show inline without running anything. Never SVG or HTML: both can carry script.
SAFE_IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})


def _visible_attachment(user, pk: int) -> Attachment:
    attachment = (
        Attachment.objects.select_related("message")
        .filter(pk=pk, message__ticket__in=Ticket.objects.visible_to(user))
        .first()
    )
    if attachment is None:
        raise Http404("No such attachment")
    if attachment.message.internal and not (user.is_authenticated and user.is_staff_member):
        raise Http404("No such attachment")  # an internal note's files exist only for staff
    return attachment


@require_GET
def attachment_download(request, pk: int, filename: str):
    """One attachment, for people who may read its message; 404 for everyone else."""
    attachment = _visible_attachment(request.user, pk)
    if filename != attachment.filename:
        raise Http404("No such attachment")
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404("The file is missing") from exc
    content_type = attachment.content_type.split(";")[0].strip().lower()
    if content_type not in SAFE_IMAGE_TYPES:
        content_type = "application/octet-stream"
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response
