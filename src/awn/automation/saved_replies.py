"""Saved replies: search, render for a ticket (language variant + placeholders), and their actions on send."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import Q, QuerySet

from awn.accounts.models import User
from awn.automation.models import SavedReply, SavedReplyUse
from awn.automation.placeholders import choose_variant, render
from awn.core import clock
from awn.core.errors import DomainError
from awn.tickets import services as tickets
from awn.tickets.models import Message, Ticket
from awn.tickets.services import Actor
from awn.tickets.services.changes import add_tags

USE_WINDOW = timedelta(hours=2)  # an inserted reply's actions apply if the agent sends within this time


def replies_for(user: User) -> QuerySet[SavedReply]:
    """The shared saved replies and the user's own."""
    return SavedReply.objects.filter(Q(owner__isnull=True) | Q(owner=user))


def search_saved_replies(*, user: User, query: str = "", limit: int = 20) -> list[SavedReply]:
    replies = replies_for(user).prefetch_related("variants")
    query = (query or "").strip()[:100]
    if query:
        replies = replies.filter(
            Q(title__icontains=query)
            | Q(shortcut__icontains=query)
            | Q(body__icontains=query)
            | Q(variants__body__icontains=query)
        ).distinct()
    return list(replies.order_by("title", "id")[:limit])


def text_of(saved_reply_id: int, *languages: str | None) -> str | None:
    reply = SavedReply.objects.filter(pk=saved_reply_id).prefetch_related("variants").first()
    if reply is None:
        return None
    return choose_variant(reply.body, {v.language: v.body for v in reply.variants.all()}, *languages)


def render_for(*, reply: SavedReply, ticket: Ticket, agent: User) -> str:
    """The reply's text for this ticket: the variant in the ticket's language, placeholders filled."""
    variants = {v.language: v.body for v in reply.variants.all()}
    template = choose_variant(reply.body, variants, ticket.language, ticket.requester.language)
    return render(template, ticket=ticket, agent=agent, language=ticket.language or ticket.requester.language)


def record_use(*, reply: SavedReply, ticket: Ticket, agent: User) -> SavedReplyUse | None:
    """Remember the insertion, so the reply's actions apply when the agent sends (none if it has none)."""
    if not reply.actions:
        return None
    return SavedReplyUse.objects.create(saved_reply=reply, ticket=ticket, agent=agent)


@transaction.atomic
def apply_pending_actions(message: Message) -> None:
    """An agent sent a public reply: apply the actions of the saved replies they inserted into it."""
    if message.internal or message.author is None:
        return
    since = clock.now() - USE_WINDOW
    uses = list(
        SavedReplyUse.objects.select_for_update(of=("self",))
        .select_related("saved_reply")
        .filter(
            ticket_id=message.ticket_id, agent=message.author, applied_at__isnull=True, created_at__gte=since
        )
    )
    if not uses:
        return
    SavedReplyUse.objects.filter(pk__in=[use.pk for use in uses]).update(applied_at=clock.now())
    ticket = Ticket.objects.get(pk=message.ticket_id)
    by = Actor.of(message.author)
    for use in uses:
        actions = use.saved_reply.actions or {}
        if actions.get("add_tags"):
            add_tags(ticket=ticket, tags=actions["add_tags"], by=by)
        if actions.get("status") and actions["status"] != ticket.status:
            try:
                with transaction.atomic():
                    tickets.change_status(ticket=ticket, status=actions["status"], by=by)
            except DomainError:  # an illegal move now (e.g. already closed) must not lose the tags
                ticket.refresh_from_db()
