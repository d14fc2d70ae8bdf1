"""Jobs of the portal (Huey): reply notifications to customers."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from huey.contrib.djhuey import db_task

from awn.tickets.models import Message

SENT_MARK_SECONDS = 7 * 24 * 3600


@db_task(retries=3, retry_delay=60)
def send_reply_notification(message_id: int) -> None:
    """Mail a public staff reply to the requester and followers, each in their own language."""
    message = (
        Message.objects.select_related("ticket", "ticket__requester", "author")
        .prefetch_related("attachments")
        .filter(pk=message_id, internal=False)
        .first()
    )
    if message is None or not message.is_from_staff:
        return
    ticket = message.ticket
    people = [ticket.requester, *ticket.followers.all()]
    seen: set[int] = set()
    url = settings.AWN_BASE_URL + reverse("portal:ticket", args=[ticket.number])
    for person in people:
        if person.pk in seen or person.pk == message.author_id or not person.is_active:
            continue
        seen.add(person.pk)
        # A retried job skips whoever was already mailed, so nobody gets the same reply twice.
        mark = f"awn:reply-mailed:{message.pk}:{person.pk}"
        if cache.get(mark):
            continue
        language = person.language or ticket.language or settings.LANGUAGE_CODE
        with translation.override(language):
            context = {"person": person, "ticket": ticket, "message": message, "url": url,
                       "attachments": list(message.attachments.all()),
                       "helpdesk_name": settings.AWN_HELPDESK_NAME}
            subject = _("[#%(number)s] %(subject)s") % {"number": ticket.number, "subject": ticket.subject}
            body = render_to_string("portal/email/reply_notification.txt", context)
        EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[person.email],
                     headers={"X-Awn-Ticket": str(ticket.number), "Content-Language": language}).send()
        cache.set(mark, 1, SENT_MARK_SECONDS)
