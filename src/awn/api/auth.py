"""Bearer-token authentication for the API: `Authorization: Bearer awn_…` (a personal API token).

No session authentication: a browser's cookies never authorize an API call, which is also why the API needs
no CSRF token.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from awn.accounts.api_tokens import authenticate_api_key
from awn.accounts.models import User
from awn.api.errors import ApiAuthenticationError


class TokenAuth(HttpBearer):
    def __call__(self, request: HttpRequest) -> User | None:
        header = request.headers.get("Authorization", "")
        if not header.strip():
            return None  # ninja answers with AuthenticationError: "not_authenticated"
        scheme, _space, key = header.strip().partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            raise ApiAuthenticationError(
                "invalid_authorization", _("Use the Bearer scheme: “Authorization: Bearer awn_…”.")
            )
        return self.authenticate(request, key.strip())

    def authenticate(self, request: HttpRequest, token: str) -> User:
        api_token = authenticate_api_key(token)
        if api_token is None:
            raise ApiAuthenticationError("invalid_token", _("This API token is unknown or was revoked."))
        user = api_token.user
        request.user = user
        request.api_token = api_token  # type: ignore[attr-defined]
        if user.language:
            # The person's own language choice wins, as in the web interface.
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return user


def request_user(request: HttpRequest) -> User:
    """The user the token belongs to (set by TokenAuth before any endpoint runs)."""
    return request.auth  # type: ignore[attr-defined, return-value]
