"""One JSON shape for every API error: `{"error": {"code", "message", "field"?, "details"?}}`.

Whatever refuses a request — ninja's parsing and validation, a service's DomainError, a selector's Http404 or
PermissionDenied, an oversized body — ends up here, so clients handle one format and never see an HTML page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from awn.core.errors import DomainError


class InvalidJSON(ValueError):
    """The request body could not be read as JSON."""


class ApiAuthenticationError(AuthenticationError):
    """401 with a machine code saying why: no token at all, or one we do not accept."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(status_code=401, message=message)
        self.code = code


def error_response(
    *,
    status: int,
    code: str,
    message: str,
    field: str | None = None,
    details: list[dict[str, Any]] | None = None,
) -> JsonResponse:
    error: dict[str, Any] = {"code": code, "message": str(message)}
    if field:
        error["field"] = field
    if details:
        error["details"] = details
    return JsonResponse({"error": error}, status=status)


def not_authenticated_response() -> JsonResponse:
    response = error_response(
        status=401,
        code="not_authenticated",
        message=_("Send a personal API token: “Authorization: Bearer awn_…”."),
    )
    response["WWW-Authenticate"] = 'Bearer realm="awn"'
    return response


def _field_of(loc: list | tuple) -> str:
    # ninja reports where a value came from ("body", "query", "path") and the view's parameter name
    # ("payload"); clients think in terms of their JSON keys, so keep only those.
    parts = [str(part) for part in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "form", "file", "cookie"}:
        parts = parts[1:]
    if parts and parts[0] in {"payload", "filters"}:
        parts = parts[1:]
    return ".".join(parts)


def _problem(error: dict[str, Any]) -> str:
    message = str(error.get("msg", "")) or _("Invalid value.")
    # pydantic prefixes messages raised by our own validators; the prefix says nothing to a client.
    for prefix in ("Value error, ", "Assertion failed, "):
        if message.startswith(prefix):
            message = message[len(prefix) :]
    return message


def handle_validation_error(request: HttpRequest, exc: ValidationError) -> JsonResponse:
    details = [
        {"field": _field_of(error.get("loc", ())), "message": _problem(error), "type": error.get("type", "")}
        for error in exc.errors
    ]
    first = details[0] if details else {"field": "", "message": _("Invalid input.")}
    message = f"{first['field']}: {first['message']}" if first["field"] else first["message"]
    return error_response(
        status=422, code="validation_error", message=message, field=first["field"] or None, details=details
    )


def handle_http_error(request: HttpRequest, exc: HttpError) -> JsonResponse:
    if isinstance(exc, ApiAuthenticationError):
        response = error_response(status=401, code=exc.code, message=exc.message)
        response["WWW-Authenticate"] = 'Bearer realm="awn", error="invalid_token"'
        return response
    if isinstance(exc, AuthenticationError):
        return not_authenticated_response()
    if isinstance(exc, Throttled):
        return error_response(status=429, code="throttled", message=_("Too many requests; slow down."))
    if exc.status_code == 400 and isinstance(exc.__cause__, (ValueError, InvalidJSON)):
        # ninja wraps a body it cannot parse; say what is wrong in terms a client can act on.
        return error_response(
            status=400, code="invalid_json", message=_("The request body is not valid JSON (UTF-8).")
        )
    codes = {
        400: "bad_request",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        409: "conflict",
        413: "request_too_large",
        415: "unsupported_media_type",
    }
    code = codes.get(exc.status_code, "error")
    return error_response(status=exc.status_code, code=code, message=exc.message)


def handle_domain_error(request: HttpRequest, exc: DomainError) -> JsonResponse:
    return error_response(status=exc.status, code=exc.code, message=exc.message, field=exc.field)


def handle_not_found(request: HttpRequest, exc: Exception) -> JsonResponse:
    return error_response(status=404, code="not_found", message=_("Not found."))


def handle_permission_denied(request: HttpRequest, exc: PermissionDenied) -> JsonResponse:
    message = str(exc) or _("You are not allowed to do this.")
    return error_response(status=403, code="forbidden", message=message)


def request_too_large_response(limit: int) -> JsonResponse:
    return error_response(
        status=413,
        code="request_too_large",
        message=_("The request body is larger than %(limit)s MB; send large files as multipart uploads.")
        % {"limit": round(limit / 1048576, 1)},
    )


def handle_suspicious(request: HttpRequest, exc: SuspiciousOperation) -> JsonResponse:
    if isinstance(exc, RequestDataTooBig):
        from django.conf import settings

        return request_too_large_response(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0)
    return error_response(status=400, code="bad_request", message=_("The request could not be read."))


def handle_unreadable_multipart(request: HttpRequest, exc: MultiPartParserError) -> JsonResponse:
    # A multipart body without a boundary, or one cut short: Django would answer with its HTML 400 page.
    return error_response(
        status=400, code="bad_request", message=_("The multipart request body could not be read.")
    )


HANDLERS: list[tuple[type[Exception], Callable[..., HttpResponse]]] = [
    (ValidationError, handle_validation_error),
    (HttpError, handle_http_error),
    (DomainError, handle_domain_error),
    (Http404, handle_not_found),
    (PermissionDenied, handle_permission_denied),
    (SuspiciousOperation, handle_suspicious),
    (MultiPartParserError, handle_unreadable_multipart),
]


def install_error_handlers(api: NinjaAPI) -> None:
    for exception_class, handler in HANDLERS:
        api.add_exception_handler(exception_class, handler)
