"""Reading request bodies and query strings for the API.

Two things Django and ninja do not do for us:
- JSON bodies may carry attachments as base64, so the API accepts a body large enough for one attachment
  of the configured maximum size (Django's DATA_UPLOAD_MAX_MEMORY_SIZE stays as it is for HTML forms);
  anything larger is refused with a 413 before it is read.
- NUL characters are removed from every string of a JSON body (awn.core.nul; query strings lose theirs in
  a middleware): PostgreSQL cannot store them and no text needs them, so a client sending one must get a
  normal answer, not a server error.
"""

from __future__ import annotations

import json
from functools import wraps
from io import BytesIO
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.parser import Parser

from awn.api.errors import InvalidJSON, error_response, request_too_large_response
from awn.core.nul import strip_nul


def json_body_limit() -> int:
    """Bytes a JSON request body may have: one attachment of the maximum size, base64-encoded, plus text."""
    one_attachment = settings.AWN_MAX_ATTACHMENT_BYTES * 4 // 3 + 1024 * 1024
    return max(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0, one_attachment)


class ApiParser(Parser):
    def parse_body(self, request: HttpRequest) -> Any:
        try:
            return strip_nul(json.loads(request.body))
        except (ValueError, UnicodeDecodeError) as exc:
            raise InvalidJSON(str(exc)) from exc

    def parse_querydict(self, data, list_fields, request):
        return strip_nul(super().parse_querydict(data, list_fields, request))


def read_json_body(run):
    """ninja "view" decorator: read a non-multipart body up to `json_body_limit()` bytes, or answer 413.

    Django refuses bodies above DATA_UPLOAD_MAX_MEMORY_SIZE when `request.body` is first read; reading it
    here, within the API's own limit, lets a JSON request carry one full-size base64 attachment.
    """

    @wraps(run)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if (
            request.method in ("POST", "PUT", "PATCH")
            and not hasattr(request, "_body")
            and not (request.content_type or "").startswith("multipart/")
        ):
            limit = json_body_limit()
            try:
                declared = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                return error_response(
                    status=400, code="bad_request", message=_("Content-Length is not a number.")
                )
            if declared > limit:
                return request_too_large_response(limit)
            data = request.read(limit + 1)
            if len(data) > limit:
                return request_too_large_response(limit)
            # The same two attributes HttpRequest.body sets after reading the stream itself.
            request._body = data  # type: ignore[attr-defined]
            request._stream = BytesIO(data)  # type: ignore[attr-defined]
        return run(request, *args, **kwargs)

    return wrapper
