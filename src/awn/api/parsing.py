"""Reading request bodies and query strings for the API.

Two things Django and ninja do not do for us:
- JSON bodies may carry attachments as base64, so the API accepts a body large enough for one attachment
  of the configured maximum size (Django's DATA_UPLOAD_MAX_MEMORY_SIZE stays as it is for HTML forms);
  anything larger is refused with a 413 before it is read.
- NUL characters are removed from every string: PostgreSQL cannot store them and no text needs them, so a
  client sending one must get a normal answer, not a server error.
"""

from __future__ import annotations

import json
from functools import wraps
from io import BytesIO
from typing import Any

from django.conf import settings
from django.http import HttpRequest, QueryDict
from django.utils.translation import gettext as _
from ninja.parser import Parser

from awn.api.errors import InvalidJSON, error_response, request_too_large_response


def json_body_limit() -> int:
    """Bytes a JSON request body may have: one attachment of the maximum size, base64-encoded, plus text."""
    one_attachment = settings.AWN_MAX_ATTACHMENT_BYTES * 4 // 3 + 1024 * 1024
    return max(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0, one_attachment)


def strip_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if isinstance(value, list):
        return [strip_nul(item) for item in value]
    if isinstance(value, dict):
        return {strip_nul(key): strip_nul(item) for key, item in value.items()}
    return value


def clean_query(params: QueryDict) -> QueryDict:
    """A copy of the query string without NUL characters (only copied when one is there)."""
    if not any("\x00" in key or any("\x00" in value for value in values) for key, values in params.lists()):
        return params
    cleaned = QueryDict(mutable=True)
    for key, values in params.lists():
        cleaned.setlist(strip_nul(key), [strip_nul(value) for value in values])
    return cleaned


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
