"""/api/v1/attachments/{id}: downloads after a visibility check; decoding of base64 attachments in JSON."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router

from awn.api.auth import request_user
from awn.api.schemas import ERRORS, AttachmentIn
from awn.core.errors import AttachmentTooLarge, ValidationFailed
from awn.tickets.inbound import IncomingFile
from awn.tickets.models import Attachment, Ticket
from awn.tickets.services.messages import check_attachments

router = Router(tags=["attachments"])

# Types a browser may show inline without risk; everything else (HTML, SVG, XML, scripts…) is sent as
# opaque bytes, always as a download, so an attachment can never run in our origin.
SAFE_CONTENT_TYPES = {
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "application/pdf",
    "text/plain",
}


def decode_attachments(items: Sequence[AttachmentIn]) -> list[IncomingFile]:
    """Decode base64 attachments and check count and size before anything is written."""
    files = []
    for index, item in enumerate(items):
        encoded = "".join(item.content_base64.split())  # line-wrapped base64 (RFC 2045) is fine too
        try:
            content = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValidationFailed(
                _("Attachment “%(name)s” is not valid base64.") % {"name": item.filename[:100]},
                field=f"attachments.{index}.content_base64",
            ) from exc
        files.append(
            IncomingFile(
                filename=item.filename,
                content=content,
                content_type=item.content_type or "application/octet-stream",
            )
        )
    check_attachments(files)
    return files


def read_uploads(uploads: Sequence[UploadedFile]) -> list[IncomingFile]:
    """Read multipart uploads, refusing an oversized file before it is loaded into memory."""
    limit = settings.AWN_MAX_ATTACHMENT_BYTES
    for upload in uploads:
        size = upload.size or 0
        if size > limit:
            raise AttachmentTooLarge(
                _("“%(name)s” is %(size)s MB; the limit is %(limit)s MB.")
                % {"name": upload.name, "size": round(size / 1048576, 1), "limit": round(limit / 1048576, 1)},
                field="attachments",
            )
    files = [IncomingFile.from_upload(upload) for upload in uploads]
    check_attachments(files)
    return files


@router.get(
    "/{attachment_id}",
    response={200: None, **ERRORS},
    url_name="attachment",
    summary="Download an attachment",
)
def download_attachment(request: HttpRequest, attachment_id: int):
    """The file, as a download. Customers cannot fetch files of internal notes."""
    user = request_user(request)
    visible = Q(message__ticket__in=Ticket.objects.visible_to(user))
    if not user.is_staff_member:
        visible &= Q(message__internal=False)
    attachment = Attachment.objects.filter(visible, pk=attachment_id).first()
    if attachment is None:
        raise Http404("No such attachment")
    content_type = (
        attachment.content_type
        if attachment.content_type in SAFE_CONTENT_TYPES
        else "application/octet-stream"
    )
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type=content_type,
    )
