"""Personal API tokens: created for a person (the CLI's `awn token create`), checked by the REST API.

Only a SHA-256 of the secret is stored, so a leaked database does not leak working tokens; the secret is
returned once, at creation.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from awn.accounts.models import ApiToken, User
from awn.core import clock
from awn.core.errors import NotPermitted
from awn.core.prepared import PreparedRead

# Writing last_used_at on every request would turn every API read into a write; once a minute is enough
# to tell a live integration from a forgotten one.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@transaction.atomic
def create_api_token(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Create a personal token for `user`; returns the stored row and the secret, which is shown only once."""
    if not user.is_active:
        raise NotPermitted(_("This account is disabled."))
    key = ApiToken.generate_key()
    token = ApiToken.objects.create(
        user=user,
        name=(name or "").strip()[:100],
        prefix=key[:12],
        key_hash=ApiToken.hash_key(key),
    )
    return token, key


def revoke_api_token(*, token: ApiToken) -> ApiToken:
    """Refuse the token from now on (the row stays, for the record)."""
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        token.save(update_fields=["revoked_at"])
    return token


_LIVE_TOKEN = PreparedRead(
    lambda key_hash: (
        ApiToken.objects.select_related("user", "user__organization")
        .filter(key_hash=key_hash, revoked_at__isnull=True, user__is_active=True)
        .order_by("pk")[:1]
    ),
    key_hash="\x00key_hash",
)


def authenticate_api_key(key: str) -> ApiToken | None:
    """The live token behind a secret, with its user loaded, or None (unknown, revoked or disabled user)."""
    key = (key or "").strip()
    if not key.startswith(ApiToken.PREFIX) or len(key) > 200:
        return None
    # Read on every request (a revocation or a disabled account counts at once, in every process); only the
    # SQL is kept.
    token = _LIVE_TOKEN.first(key_hash=ApiToken.hash_key(key))
    if token is None:
        return None
    now = clock.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        # A bare UPDATE: no read-modify-write race with a revocation happening at the same moment.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
