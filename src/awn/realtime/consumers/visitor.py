"""The widget's socket: /ws/chat/<widget key>/ (docs/chat.md lists the frames).

The page embedding the widget must be on one of the widget's allowed origins; connections per IP are
limited. The first frame is `hello` (the stored visitor token, an optional signed identity, the page and the
pages seen in this browsing session); the answer is `welcome` with a new or refreshed token and the current
conversation. Everything else the visitor does goes through the chat services.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from awn.connectors.chat import limits, presence, services
from awn.connectors.chat.errors import OriginNotAllowed, WidgetUnavailable
from awn.connectors.chat.identity import Identity, visitor_token
from awn.connectors.chat.models import ChatSession, ChatVisitor, ChatWidget
from awn.connectors.chat.services.assignment import agents_available, queue_position
from awn.connectors.chat.services.conversations import end_visitor_chat, latest_session
from awn.connectors.chat.services.visitors import clean_page
from awn.connectors.chat.wire import history, message_for_visitor, session_for_visitor, visitor_profile
from awn.core.errors import DomainError, ValidationFailed
from awn.realtime.consumers.base import JsonFrameConsumer, positive_int, short_text
from awn.realtime.groups import ticket_group, visitor_group
from awn.tickets.models import Attachment

log = logging.getLogger(__name__)
TYPING_INTERVAL_SECONDS = 1.0
HEARTBEAT_SECONDS = presence.TTL_SECONDS / 3
GROUP_RENEW_SECONDS = 600.0


def header(scope: dict[str, Any], name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return ""


def widget_language(widget: ChatWidget, requested: Any) -> str:
    if widget.language:
        return widget.language
    codes = dict(settings.LANGUAGES)
    if isinstance(requested, str):
        code = requested.lower().split("-")[0]
        if code in codes:
            return code
    return settings.LANGUAGE_CODE


def _open_widget(key: str, origin: str, ip: str) -> ChatWidget:
    widget = ChatWidget.objects.filter(key=key, active=True).first()
    if widget is None:
        raise WidgetUnavailable(_("This chat is not available."))
    if not widget.allows_origin(origin):
        raise OriginNotAllowed(_("This website may not use this chat."))
    limits.check_connection(ip=ip)
    return widget


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


class VisitorConsumer(JsonFrameConsumer):
    frame_handlers = {
        "hello": "on_hello",
        "message": "on_message",
        "typing": "on_typing",
        "read": "on_read",
        "page": "on_page",
        "contact": "on_contact",
        "offline": "on_offline",
        "transcript": "on_transcript",
        "end": "on_end",
        "ping": "on_ping",
    }

    widget: ChatWidget | None = None
    visitor: ChatVisitor | None = None
    ticket_id: int | None = None
    session_id: int | None = None
    heartbeat_at = 0.0  # when the "connected" count was last refreshed (time.monotonic)
    group_renewed_at = 0.0

    async def connect(self) -> None:
        key = self.scope["url_route"]["kwargs"].get("widget_key", "")
        origin = header(self.scope, b"origin")
        self.ip = (self.scope.get("client") or ("", 0))[0] or ""
        await self.accept()
        try:
            self.widget = await self.in_language(_open_widget)(key, origin, self.ip)
        except DomainError as exc:
            await self.send_error(exc.code, exc.message)
            await self.close(code=4403)
            return
        self.last_typing = 0.0

    async def disconnect(self, code: int) -> None:
        if self.visitor is not None:
            await self.channel_layer.group_discard(visitor_group(self.visitor.pk), self.channel_name)
            await self.in_language(presence.visitor_disconnected)(self.visitor.pk)
            if self.ticket_id is not None:
                await self._to_agents({"kind": "visitor", "online": False})

    # --- frames --------------------------------------------------------------------------------------

    def _require_visitor(self) -> ChatVisitor:
        if self.widget is None:
            raise WidgetUnavailable(_("This chat is not available."))
        if self.visitor is None:
            raise ValidationFailed(_("Say hello first."), code="hello_first")
        return self.visitor

    async def on_hello(self, frame: dict[str, Any]) -> None:
        if self.widget is None:
            raise WidgetUnavailable(_("This chat is not available."))
        if self.visitor is not None:
            raise ValidationFailed(_("Already connected."), code="already_greeted")
        self.language = widget_language(self.widget, frame.get("language"))
        raw_identity = frame.get("identity")
        identity = None
        if isinstance(raw_identity, dict):
            identity = Identity(
                email=short_text(raw_identity.get("email"), 254),
                name=short_text(raw_identity.get("name"), 200),
                signature=short_text(raw_identity.get("signature"), 128),
            )
        page = None
        if isinstance(frame.get("page"), dict):
            page = clean_page(
                short_text(frame["page"].get("url"), 1000), short_text(frame["page"].get("title"), 300)
            )
        pages = []
        for item in (frame.get("pages") or [])[:20] if isinstance(frame.get("pages"), list) else []:
            if isinstance(item, dict):
                cleaned = clean_page(
                    short_text(item.get("url"), 1000),
                    short_text(item.get("title"), 300),
                    _parse_time(item.get("at")),
                )
                if cleaned is not None:
                    pages.append(cleaned)
        welcome = await self.in_language(self._greet)(
            token=short_text(frame.get("token"), 300),
            identity=identity,
            page=page,
            pages=pages,
            user_agent=header(self.scope, b"user-agent"),
        )
        await self.channel_layer.group_add(visitor_group(self.visitor.pk), self.channel_name)
        self.heartbeat_at = self.group_renewed_at = time.monotonic()
        await self.send_json(welcome)
        if self.ticket_id is not None and page is not None:
            await self._to_agents(
                {"kind": "visitor", "online": True, "page": {"url": page.url, "title": page.title}}
            )

    def _greet(self, *, token, identity, page, pages, user_agent) -> dict[str, Any]:
        assert self.widget is not None
        greeting = services.greet_visitor(
            widget=self.widget,
            token=token,
            identity=identity,
            page=page,
            pages=pages,
            language=self.language,
            user_agent=user_agent,
            ip=self.ip,
        )
        self.visitor = greeting.visitor
        presence.visitor_connected(self.visitor.pk)
        # An ended chat stays on screen (for the transcript) until the visitor writes again.
        session = latest_session(self.visitor)
        self._follow(session if session is not None and session.is_live else None)
        return {
            "type": "welcome",
            "token": visitor_token(self.visitor),
            "visitor": visitor_profile(self.visitor),
            "session": session_for_visitor(session, position=queue_position(session) if session else None),
            "messages": history(session),
            "online": agents_available(self.widget.team_id),
            "language": self.language,
            "identity_rejected": greeting.identity_rejected,
        }

    def _follow(self, session: ChatSession | None) -> None:
        self.session_id = session.pk if session is not None else None
        self.ticket_id = session.ticket_id if session is not None else None

    async def on_message(self, frame: dict[str, Any]) -> None:
        self._require_visitor()
        text = frame.get("text")
        result = await self.in_language(self._post)(text)
        result["ref"] = frame.get("ref") if isinstance(frame.get("ref"), (str, int)) else None
        await self.send_json(result)

    def _post(self, text: Any) -> dict[str, Any]:
        assert self.visitor is not None
        following = self.session_id
        session, message = services.post_visitor_message(visitor=self.visitor, text=text, ip=self.ip)
        if session.pk != following or session.state == ChatSession.State.QUEUED:
            # A chat that started (or waited) here: routing may have offered it to an agent meanwhile, on
            # another copy of the chat. A chat in progress was read under lock with its agent, as it is.
            session = ChatSession.objects.select_related("agent").get(pk=session.pk)
        # A text frame carries no files: the answer needs no query for them.
        message._prefetched_objects_cache = {"attachments": Attachment.objects.none()}
        self._follow(session)
        return {
            "type": "ack",
            "message": message_for_visitor(message),
            "session": session_for_visitor(session, position=queue_position(session)),
        }

    async def on_typing(self, frame: dict[str, Any]) -> None:
        self._require_visitor()
        now = time.monotonic()
        on = frame.get("on") is True
        if self.ticket_id is None or (on and now - self.last_typing < TYPING_INTERVAL_SECONDS):
            return
        self.last_typing = now if on else 0.0
        await self._to_agents({"kind": "typing", "who": "visitor", "on": on})

    async def on_read(self, frame: dict[str, Any]) -> None:
        self._require_visitor()
        upto = positive_int(frame.get("upto"))
        if upto is None:
            raise ValidationFailed(_("Unknown message."), code="bad_frame")
        if self.session_id is not None:
            await self.in_language(self._read)(upto)

    def _read(self, upto: int) -> None:
        session = ChatSession.objects.filter(pk=self.session_id).first()
        if session is not None:
            services.mark_read(session=session, side="visitor", upto=upto)

    async def on_page(self, frame: dict[str, Any]) -> None:
        visitor = self._require_visitor()
        page = clean_page(short_text(frame.get("url"), 1000), short_text(frame.get("title"), 300))
        if page is None:
            raise ValidationFailed(_("Not a web page address."), code="bad_frame")
        await self.in_language(services.record_page_view)(visitor=visitor, page=page)
        if self.ticket_id is not None:
            await self._to_agents(
                {"kind": "visitor", "online": True, "page": {"url": page.url, "title": page.title}}
            )

    async def on_contact(self, frame: dict[str, Any]) -> None:
        visitor = self._require_visitor()
        await self.in_language(services.set_visitor_contact)(
            visitor=visitor, email=frame.get("email"), name=frame.get("name") or ""
        )
        await self.send_json({"type": "contact", "visitor": visitor_profile(visitor)})

    async def on_offline(self, frame: dict[str, Any]) -> None:
        visitor = self._require_visitor()
        session = await self.in_language(services.leave_offline_message)(
            visitor=visitor,
            email=frame.get("email"),
            name=frame.get("name") or "",
            text=frame.get("text"),
            ip=self.ip,
        )
        await self.send_json(
            {"type": "offline.sent", "ticket": session.ticket_id, "visitor": visitor_profile(visitor)}
        )

    async def on_transcript(self, frame: dict[str, Any]) -> None:
        visitor = self._require_visitor()
        await self.in_language(services.request_transcript)(
            visitor=visitor, email=frame.get("email") or "", ip=self.ip
        )
        await self.send_json({"type": "transcript.sent", "visitor": visitor_profile(visitor)})

    async def on_end(self, frame: dict[str, Any]) -> None:
        visitor = self._require_visitor()
        await self.in_language(end_visitor_chat)(visitor=visitor)

    async def on_ping(self, frame: dict[str, Any]) -> None:
        # The widget pings every 25 s: 40 frames a second for 1,000 visitors. The "connected" count (a cache
        # write, in a thread) lives TTL_SECONDS and needs refreshing only a few times within it, and the
        # group membership (dropped a day after it was made) once in a while.
        now = time.monotonic()
        if self.visitor is not None and now - self.heartbeat_at >= HEARTBEAT_SECONDS:
            self.heartbeat_at = now
            await self.in_language(presence.visitor_heartbeat)(self.visitor.pk)
        if self.visitor is not None and now - self.group_renewed_at >= GROUP_RENEW_SECONDS:
            self.group_renewed_at = now
            await self.channel_layer.group_add(visitor_group(self.visitor.pk), self.channel_name)
        await self.send_json({"type": "pong"})

    # --- to agents on the ticket -------------------------------------------------------------------------

    async def _to_agents(self, event: dict[str, Any]) -> None:
        if self.ticket_id is None:
            return
        await self.channel_layer.group_send(
            ticket_group(self.ticket_id),
            {
                "type": "desk.event",
                "event": {
                    **event,
                    "ticket": self.ticket_id,
                    "session": self.session_id,
                    "team": None,
                    "assignee": None,
                },
            },
        )

    # --- from the channel layer ----------------------------------------------------------------------

    async def visitor_event(self, message: dict[str, Any]) -> None:
        event = message.get("event") or {}
        kind = event.get("type")
        if kind == "session":
            session = event.get("session") or {}
            if session.get("state") in ChatSession.LIVE_STATES or session.get("id") == self.session_id:
                self.session_id = session.get("id")
                self.ticket_id = session.get("ticket")
        with translation.override(self.language):
            await self.send_json(event)
