"""What the knowledge base does when tickets change (registered in the domain events registry).

- "ticket.created" (in the ticket's transaction): the requester's open suggestion sessions end in a request,
  not a deflection.
- "ticket.message_added" (an agent's public reply): the help-center articles it links to are recorded as sent
  on the ticket, whether the agent inserted a link or the article's text (which ends with its link).
"""

from __future__ import annotations

import logging
import re
from urllib.parse import unquote

from django.db import IntegrityError, transaction
from django.urls import reverse

from awn.core.events import DomainEvent, subscribe, subscribe_in_transaction
from awn.knowledge import deflection, metrics
from awn.knowledge.models import ArticleShare, ArticleTranslation
from awn.tickets.models import Message, Ticket

log = logging.getLogger(__name__)


def _article_link() -> re.Pattern[str]:
    prefix = reverse("knowledge:article", args=["SLUG"]).split("SLUG")[0]
    return re.compile(re.escape(prefix) + r"([^/\s<>\"')\]]+)/")


def linked_translations(text: str) -> list[ArticleTranslation]:
    """The published translations whose help-center URLs appear in `text`, once each, in order."""
    slugs = list(dict.fromkeys(unquote(match) for match in _article_link().findall(text or "")))
    if not slugs:
        return []
    found = {t.slug: t for t in ArticleTranslation.objects.filter(slug__in=slugs[:20])}
    seen: set[int] = set()
    result = []
    for slug in slugs:
        translation = found.get(slug)
        if translation is not None and translation.article_id not in seen:
            seen.add(translation.article_id)
            result.append(translation)
    return result


def record_articles_sent(message: Message) -> list[ArticleShare]:
    shares = []
    for translation in linked_translations(message.body):
        try:
            with transaction.atomic():
                share = ArticleShare.objects.create(
                    ticket_id=message.ticket_id,
                    message=message,
                    article_id=translation.article_id,
                    language=translation.language,
                )
        except IntegrityError:  # the same message handled twice
            continue
        metrics.record_sent(article_id=translation.article_id, language=translation.language)
        shares.append(share)
    return shares


def on_message_added(event: DomainEvent) -> None:
    if event.data.get("internal") or not event.data.get("from_staff"):
        return
    message = Message.objects.filter(pk=event.data.get("message_id")).first()
    if message is not None:
        record_articles_sent(message)


def on_ticket_created(event: DomainEvent) -> None:
    """In the ticket's own transaction: one UPDATE riding its commit rather than a write of its own after it;
    a failed UPDATE is logged and undoes nothing but itself (a savepoint). The read before it, a lookup by
    index like the ticket's own and almost always empty, takes no savepoint: two statements fewer for
    every new ticket."""
    if event.ticket_id is None:
        return
    if "requester_id" in event.data:
        requester = (event.data["requester_id"], event.data.get("requester_email", ""))
    else:
        requester = (
            Ticket.objects.filter(pk=event.ticket_id).values_list("requester_id", "requester__email").first()
        )
    if requester is None:
        return
    found = deflection.open_sessions(requester_id=requester[0], email=requester[1])
    if not found:
        return
    try:
        with transaction.atomic():
            deflection.mark_sessions_submitted(found, ticket_id=event.ticket_id)
    except Exception:
        log.exception("marking suggestion sessions submitted failed for ticket %s", event.ticket_id)


def register() -> None:
    subscribe("ticket.message_added", on_message_added)
    subscribe_in_transaction("ticket.created", on_ticket_created)
