"""Mail the accounts app sends: one-time sign-in links. Runs in the job worker (Huey)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from huey.contrib.djhuey import db_task

from awn.accounts.models import User
from awn.accounts.tokens import make_sign_in_token

REASONS = ("sign_in", "sign_up")


@db_task(retries=3, retry_delay=60)
def send_sign_in_link(user_id: int, language: str = "", reason: str = "sign_in") -> None:
    """Email `user_id` a one-time sign-in link, in their language (else the one they asked in)."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return
    mail_language = user.language or language or settings.LANGUAGE_CODE
    with translation.override(mail_language):
        context = {
            "user": user,
            "url": settings.AWN_BASE_URL + reverse("accounts:link_sign_in", args=[make_sign_in_token(user)]),
            "minutes": max(1, settings.AWN_MAGIC_LINK_MAX_AGE // 60),
            "helpdesk_name": settings.AWN_HELPDESK_NAME,
            "reason": reason if reason in REASONS else "sign_in",
        }
        subject = " ".join(render_to_string("accounts/email/sign_in_link_subject.txt", context).split())
        body = render_to_string("accounts/email/sign_in_link.txt", context)
    EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers={"Content-Language": mail_language},
    ).send()
