"""Errors of the chat channel, on top of the domain errors every caller already turns into responses."""

from awn.core.errors import DomainError


class RateLimited(DomainError):
    code = "rate_limited"
    status = 429


class WidgetUnavailable(DomainError):
    code = "widget_unavailable"
    status = 404


class OriginNotAllowed(DomainError):
    code = "origin_not_allowed"
    status = 403
