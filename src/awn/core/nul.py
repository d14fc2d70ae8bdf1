"""NUL characters: PostgreSQL cannot store or compare text holding them (psycopg raises DataError, a 500),
and no text a person writes needs one. They are dropped from every query string before a view reads it
(`NulFreeQueryMiddleware`), and from the API's JSON bodies (awn.api.parsing); HTML forms refuse them
(Django's CharField validates against them)."""

from __future__ import annotations

from typing import Any

from django.http import QueryDict


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
    cleaned._mutable = False
    return cleaned


class NulFreeQueryMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # A NUL can only arrive percent-encoded; the raw query string is checked first, so requests without
        # one cost a substring search.
        if "%00" in request.META.get("QUERY_STRING", ""):
            request.GET = clean_query(request.GET)
        return self.get_response(request)
