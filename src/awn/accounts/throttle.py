"""Sign-in throttling: too many failures for one address or from one IP lock further tries for a while."""

import hashlib

from django.conf import settings
from django.core.cache import cache


def _keys(email: str, ip: str) -> list[str]:
    digest = hashlib.sha256((email or "").strip().lower().encode()).hexdigest()[:32]
    return [f"awn:login-fail:email:{digest}", f"awn:login-fail:ip:{ip}"]


def is_locked(email: str, ip: str) -> bool:
    limit = settings.AWN_LOGIN_MAX_FAILURES
    email_key, ip_key = _keys(email, ip)
    # An IP gets more room than one address: offices share addresses.
    return (cache.get(email_key, 0) >= limit) or (cache.get(ip_key, 0) >= limit * 4)


def record_failure(email: str, ip: str) -> None:
    for key in _keys(email, ip):
        if not cache.add(key, 1, settings.AWN_LOGIN_LOCKOUT_SECONDS):
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, settings.AWN_LOGIN_LOCKOUT_SECONDS)


def clear_failures(email: str, ip: str) -> None:
    cache.delete(_keys(email, ip)[0])


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"
