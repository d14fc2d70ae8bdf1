"""Secrets at rest (IMAP/SMTP passwords, webhook secrets): Fernet with a key derived from SECRET_KEY.

The key is derived with HKDF-SHA256 from SECRET_KEY; the keys of SECRET_KEY_FALLBACKS still decrypt, so a
rotated SECRET_KEY keeps stored passwords readable until they are saved again. Losing SECRET_KEY loses them:
re-enter the passwords (docs/email.md).
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_INFO = b"awn.connectors.email credentials v1"


def _fernet_for(secret: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"awn", info=_INFO).derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def _keys() -> MultiFernet:
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet_for(secret) for secret in secrets])


def encrypt(value: str) -> str:
    if not value:
        return ""
    return _keys().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    """The stored secret, or "" when it cannot be decrypted (SECRET_KEY changed): re-enter it."""
    if not token:
        return ""
    try:
        return _keys().decrypt(token.encode()).decode()
    except InvalidToken:
        return ""
