"""Visitors: recognise the browser behind a token, apply a signed identity, keep the pages it saw."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from awn.connectors.chat import limits
from awn.connectors.chat.identity import Identity, visitor_id_from_token
from awn.connectors.chat.models import ChatVisitor, ChatWidget, PageView
from awn.core import clock
from awn.tickets.services.messages import get_or_create_customer

MAX_PAGES_PER_HELLO = 20
MAX_PAGES_PER_VISITOR_PER_DAY = 200
_url = URLValidator(schemes=["http", "https"])


@dataclass(frozen=True)
class Page:
    url: str
    title: str = ""
    at: datetime | None = None


def clean_page(url: str, title: str = "", at: datetime | None = None) -> Page | None:
    """A page as the widget reported it, or None when it is not an http(s) URL we want to store."""
    url = (url or "").strip()[:1000]
    try:
        _url(url)
    except ValidationError:
        return None
    parts = urlsplit(url)
    # The fragment is the page's own business and can carry tokens (OAuth implicit flows): drop it.
    url = parts._replace(fragment="").geturl()
    title = " ".join((title or "").split())[:300]
    return Page(url=url, title=title, at=at)


@dataclass
class Greeting:
    visitor: ChatVisitor
    identity_rejected: bool = False


@transaction.atomic
def greet_visitor(
    *,
    widget: ChatWidget,
    token: str = "",
    identity: Identity | None = None,
    language: str = "",
    user_agent: str = "",
    page: Page | None = None,
    pages: list[Page] | None = None,
    ip: str = "",
) -> Greeting:
    """The visitor a widget speaks for: the one its token names, else a new one.

    A verified identity never mixes with another person's conversation: a token that belongs to someone else
    (or to a signed-in user, when no identity comes now) starts a fresh visitor.
    """
    rejected = False
    if identity is not None and not identity.is_valid_for(widget):
        identity, rejected = None, True
    visitor = None
    visitor_id = visitor_id_from_token(token, widget=widget)
    if visitor_id is not None:
        visitor = ChatVisitor.objects.filter(pk=visitor_id, widget=widget).select_related("user").first()
    if visitor is not None:
        if identity is not None and (not visitor.verified or visitor.email != identity.email.strip().lower()):
            visitor = None  # another person signed in on this browser
        elif identity is None and visitor.verified:
            visitor = None  # the signed-in user left; the next person must not see their chats
    now = clock.now()
    if visitor is None:
        limits.check_new_visitor(ip=ip)
        visitor = ChatVisitor.objects.create(widget=widget, created_at=now, last_seen_at=now)
        if identity is not None:
            email = identity.email.strip().lower()
            user = get_or_create_customer(email=email, name=identity.name)
            visitor.user, visitor.email, visitor.verified = user, email, True
            visitor.name = (identity.name or user.name or "").strip()[:200]
    visitor.language = (language or visitor.language or "")[:8]
    visitor.user_agent = (user_agent or visitor.user_agent)[:300]
    visitor.last_seen_at = now
    if page is not None:
        visitor.current_url, visitor.current_title = page.url, page.title
    visitor.save()
    for earlier in (pages or [])[-MAX_PAGES_PER_HELLO:]:
        _store_page(visitor, earlier)
    if page is not None:
        _store_page(visitor, page)
    return Greeting(visitor=visitor, identity_rejected=rejected)


def _store_page(visitor: ChatVisitor, page: Page) -> None:
    now = clock.now()
    at = page.at if page.at is not None and now - timedelta(days=1) <= page.at <= now else now
    recent = PageView.objects.filter(visitor=visitor, viewed_at__gte=now - timedelta(days=1))
    if recent.filter(
        url=page.url, viewed_at__gte=at - timedelta(seconds=2), viewed_at__lte=at + timedelta(seconds=2)
    ).exists():
        return  # the same view reported again (a reconnect, a second tab)
    if recent.count() >= MAX_PAGES_PER_VISITOR_PER_DAY:
        return
    PageView.objects.create(visitor=visitor, url=page.url, title=page.title, viewed_at=at)


@transaction.atomic
def record_page_view(*, visitor: ChatVisitor, page: Page) -> ChatVisitor:
    """The visitor is on a new page now (the agent sees it live)."""
    visitor.current_url, visitor.current_title = page.url, page.title
    visitor.last_seen_at = clock.now()
    visitor.save(update_fields=["current_url", "current_title", "last_seen_at"])
    _store_page(visitor, page)
    return visitor
