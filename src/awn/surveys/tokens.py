"""Signed survey links: who may answer what, carried in the link itself so nobody has to sign in.

A token is Django's signed JSON (HMAC with the secret key, its own salt per survey kind), so changing any byte
of it — another ticket, another reply, another customer — breaks the signature. It carries its own expiry,
computed from `clock.now()` when it is made (not the signer's wall-clock timestamp), so tests and the demo's
simulated clock agree with it. The rating itself is not in the token: the links for "good" and for "bad" carry
the same token, and which one the customer picked is theirs to choose.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.core import signing

from awn.core import clock

CSAT_SALT = "awn.surveys.csat"
NPS_SALT = "awn.surveys.nps"
LINK_LIFETIME = timedelta(days=30)


class InvalidSurveyLink(Exception):
    """A link that cannot be answered; `reason` is "expired" or "invalid"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class CsatClaim:
    ticket_id: int
    message_id: int | None  # None: the rating of the solved ticket
    customer_id: int


def _expiry() -> int:
    return int((clock.now() + LINK_LIFETIME).timestamp())


def make_csat_token(*, ticket_id: int, message_id: int | None, customer_id: int) -> str:
    payload = {"t": ticket_id, "m": message_id or 0, "c": customer_id, "x": _expiry()}
    return signing.dumps(payload, salt=CSAT_SALT, compress=False)


def make_nps_token(*, response_id: int) -> str:
    return signing.dumps({"n": response_id, "x": _expiry()}, salt=NPS_SALT, compress=False)


def _load(token: str, salt: str, keys: tuple[str, ...]) -> dict:
    try:
        payload = signing.loads(token, salt=salt)
    except signing.BadSignature as exc:
        raise InvalidSurveyLink("invalid") from exc
    if not isinstance(payload, dict) or not all(isinstance(payload.get(key), int) for key in (*keys, "x")):
        raise InvalidSurveyLink("invalid")
    if payload["x"] < clock.now().timestamp():
        raise InvalidSurveyLink("expired")
    return payload


def read_csat_token(token: str) -> CsatClaim:
    payload = _load(token, CSAT_SALT, ("t", "m", "c"))
    return CsatClaim(ticket_id=payload["t"], message_id=payload["m"] or None, customer_id=payload["c"])


def read_nps_token(token: str) -> int:
    """The NpsResponse id the link answers."""
    return _load(token, NPS_SALT, ("n",))["n"]
