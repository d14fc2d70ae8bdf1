"""One-time sign-in links: a signed, timestamped token bound to the account's current sign-in state.

The signed value carries a fingerprint of the user's password hash, last sign-in time, email and active
flag (as Django's PasswordResetTokenGenerator does). Signing in updates `last_login`, so a link works once;
changing the password or the email also kills links already sent. The timestamp bounds a link's life to
settings.AWN_MAGIC_LINK_MAX_AGE seconds.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

from awn.accounts.models import User

SALT = "awn.accounts.sign-in-link"


class InvalidSignInLink(Exception):
    """A link that cannot sign anyone in; `reason` is "expired", "used" or "invalid"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _fingerprint(user: User) -> str:
    # Full microseconds: both supported databases keep them, so two sign-ins in one second still differ.
    last_login = user.last_login.isoformat() if user.last_login else ""
    state = f"{user.pk}|{user.password}|{last_login}|{user.email}|{int(user.is_active)}"
    return salted_hmac(SALT, state, algorithm="sha256").hexdigest()[:32]


def make_sign_in_token(user: User) -> str:
    return signing.dumps({"u": user.pk, "f": _fingerprint(user)}, salt=SALT, compress=False)


def user_for_sign_in_token(token: str) -> User:
    """The active user a token signs in, or InvalidSignInLink saying why not."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=settings.AWN_MAGIC_LINK_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise InvalidSignInLink("expired") from exc
    except signing.BadSignature as exc:
        raise InvalidSignInLink("invalid") from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("u"), int):
        raise InvalidSignInLink("invalid")
    user = User.objects.filter(pk=payload["u"], is_active=True).first()
    if user is None:
        raise InvalidSignInLink("invalid")
    if not constant_time_compare(str(payload.get("f", "")), _fingerprint(user)):
        raise InvalidSignInLink("used")
    return user
