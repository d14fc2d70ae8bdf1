"""Who a visitor is: the signed visitor token the widget keeps, and the signed identity a site may pass.

The visitor token is a Django-signed value naming one ChatVisitor of one widget; the widget stores it in the
host page's localStorage so the conversation follows the visitor from page to page. A site that knows its
user passes `email` and `signature = hex(HMAC-SHA256(widget secret, lower-cased email))`, computed server-side
(docs/chat.md); only then does the chat join that customer's history as a verified identity.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.core import signing

from awn.connectors.chat.models import ChatVisitor, ChatWidget

TOKEN_SALT = "awn.chat.visitor"
# Placeholder requesters for visitors who gave no address use the reserved `.invalid` top-level domain
# (RFC 2606): it can never receive mail, so nothing is ever sent to a made-up person.
PLACEHOLDER_DOMAIN = "visitors.invalid"


def visitor_token(visitor: ChatVisitor) -> str:
    return signing.dumps({"v": visitor.pk, "w": visitor.widget_id}, salt=TOKEN_SALT, compress=True)


def visitor_id_from_token(token: str, *, widget: ChatWidget) -> int | None:
    """The visitor id a token names, or None when it is forged, expired or from another widget."""
    if not token or len(token) > 300:
        return None
    try:
        data = signing.loads(token, salt=TOKEN_SALT, max_age=settings.AWN_CHAT_VISITOR_DAYS * 86400)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("w") != widget.pk or not isinstance(data.get("v"), int):
        return None
    return data["v"]


def identity_signature(secret: str, email: str) -> str:
    """What the site's server computes for a signed-in user (also shown on the widget's settings page)."""
    return hmac.new(secret.encode(), email.strip().lower().encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Identity:
    email: str
    name: str = ""
    signature: str = ""

    def is_valid_for(self, widget: ChatWidget) -> bool:
        if not self.email or not self.signature or len(self.signature) > 128:
            return False
        return hmac.compare_digest(identity_signature(widget.secret, self.email), self.signature.lower())


def is_placeholder_email(email: str) -> bool:
    return (email or "").lower().endswith("@" + PLACEHOLDER_DOMAIN)
