"""The desk's socket: /ws/desk/ for signed-in staff (session cookie; same-origin pages only).

The connection joins the groups its user may see (groups.DeskScope) and forwards list notices for visible
tickets. On a ticket page the client sends `view`: after a visibility check the connection joins the ticket's
group, where agents see who else is viewing or typing (collision detection) and the ticket's changes with the
new message, and where a chat's visitor typing, page and read receipts arrive. A list page sends `list` (the
tickets it shows, and whether a new message can reorder it): a chat message's notice reaches only those lists
(groups.groups_for_chat_message), not every list of the team. Agents answer chats with `reply`. Presence
needs no shared state: a joining connection announces itself and the others answer.
"""

from __future__ import annotations

import time
from typing import Any

from django.utils.translation import gettext as _

from awn.connectors.chat import presence, services
from awn.connectors.chat.models import ChatSession
from awn.connectors.chat.wire import message_for_desk
from awn.core.errors import NotPermitted, ValidationFailed
from awn.realtime.consumers.base import JsonFrameConsumer, positive_int, short_text
from awn.realtime.groups import DeskScope, listed_group, scope_for, ticket_group, visitor_group
from awn.tickets.models import Attachment, Ticket
from awn.tickets.services import Actor

SCOPE_REFRESH_SECONDS = 60.0
MAX_VIEWED_TICKETS = 10
MAX_LISTED_TICKETS = 200  # a list page shows 50 rows; a frame naming more is cut here


class DeskConsumer(JsonFrameConsumer):
    frame_handlers = {
        "view": "on_view",
        "leave": "on_leave",
        "typing": "on_typing",
        "read": "on_read",
        "reply": "on_reply",
        "list": "on_list",
        "ping": "on_ping",
    }

    scope_info: DeskScope | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        self.scope_info = await self.in_language(scope_for)(user)
        if self.scope_info is None:
            await self.close(code=4403)
            return
        self.user = user
        self.language = user.language or self.language
        self.name = user.display_name
        self.viewing: dict[int, int | None] = {}  # ticket id → visitor id of its live chat
        self.typing: dict[int, bool] = {}
        self.groups_joined: list[str] = []
        self.listed: set[int] = set()  # tickets on the list page of this connection
        self.activity_groups: list[str] = []  # joined while that list is ordered by activity
        self.scope_checked = time.monotonic()
        await self._join(self.scope_info.groups())
        await self.accept()

    async def _join(self, groups: list[str], *, renew: bool = False) -> None:
        # Channel layers drop a membership a day after it was made (group_expiry): `renew` adds again.
        for group in groups:
            if renew or group not in self.groups_joined:
                await self.channel_layer.group_add(group, self.channel_name)
        for group in self.groups_joined:
            if group not in groups:
                await self.channel_layer.group_discard(group, self.channel_name)
        self.groups_joined = list(groups)

    async def disconnect(self, code: int) -> None:
        if self.scope_info is None:
            return
        for ticket_id in list(getattr(self, "viewing", {})):
            await self._leave(ticket_id)
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)
        for group in [*map(listed_group, getattr(self, "listed", ())), *getattr(self, "activity_groups", [])]:
            await self.channel_layer.group_discard(group, self.channel_name)

    # --- frames --------------------------------------------------------------------------------------

    def _ticket_id(self, frame: dict[str, Any]) -> int:
        ticket_id = positive_int(frame.get("ticket"))
        if ticket_id is None:
            raise ValidationFailed(_("Which ticket?"), code="bad_frame")
        return ticket_id

    def _visible_chat(self, ticket_id: int) -> tuple[bool, dict[str, Any] | None]:
        if not Ticket.objects.visible_to(self.user).filter(pk=ticket_id).exists():
            return False, None
        session = (
            ChatSession.objects.filter(ticket_id=ticket_id).select_related("visitor").order_by("-id").first()
        )
        if session is None:
            return True, None
        visitor = session.visitor
        return True, {
            "session": session.pk,
            "state": session.state,
            "visitor": visitor.pk,
            "online": presence.visitor_is_live(visitor.pk),
            "visitor_read": session.visitor_read_id,
            "page": {"url": visitor.current_url, "title": visitor.current_title},
        }

    async def on_view(self, frame: dict[str, Any]) -> None:
        ticket_id = self._ticket_id(frame)
        visible, chat = await self.in_language(self._visible_chat)(ticket_id)
        if not visible:
            raise NotPermitted(_("This ticket is not in your view."))
        if ticket_id not in self.viewing and len(self.viewing) >= MAX_VIEWED_TICKETS:
            await self._leave(next(iter(self.viewing)))
        first = ticket_id not in self.viewing
        self.viewing[ticket_id] = chat["visitor"] if chat else None
        if first:
            await self.channel_layer.group_add(ticket_group(ticket_id), self.channel_name)
            await self._presence(ticket_id, "join")
        await self.send_json({"type": "viewing", "ticket": ticket_id, "chat": chat})

    async def on_leave(self, frame: dict[str, Any]) -> None:
        await self._leave(self._ticket_id(frame))

    async def _leave(self, ticket_id: int) -> None:
        if ticket_id not in self.viewing:
            return
        await self._presence(ticket_id, "leave")
        await self.channel_layer.group_discard(ticket_group(ticket_id), self.channel_name)
        self.viewing.pop(ticket_id, None)
        self.typing.pop(ticket_id, None)

    async def on_typing(self, frame: dict[str, Any]) -> None:
        ticket_id = self._ticket_id(frame)
        if ticket_id not in self.viewing:
            raise ValidationFailed(_("View the ticket first."), code="not_viewing")
        on = frame.get("on") is True
        public = frame.get("public") is not False
        self.typing[ticket_id] = on
        await self._presence(ticket_id, "typing", on=on, public=public)
        visitor_id = self.viewing.get(ticket_id)
        if visitor_id is not None and (public or not on):
            await self.channel_layer.group_send(
                visitor_group(visitor_id),
                {
                    "type": "visitor.event",
                    "event": {"type": "typing", "on": on, "name": self.user.first_name},
                },
            )

    async def on_read(self, frame: dict[str, Any]) -> None:
        ticket_id = self._ticket_id(frame)
        upto = positive_int(frame.get("upto"))
        if upto is None or ticket_id not in self.viewing:
            raise ValidationFailed(_("Unknown message."), code="bad_frame")
        await self.in_language(self._read)(ticket_id, upto)

    def _read(self, ticket_id: int, upto: int) -> None:
        session = (
            ChatSession.objects.filter(ticket_id=ticket_id).select_related("ticket").order_by("-id").first()
        )
        if session is not None:
            services.mark_read(session=session, side="agent", upto=upto, by=Actor.of(self.user))

    async def on_reply(self, frame: dict[str, Any]) -> None:
        session_id = positive_int(frame.get("session"))
        if session_id is None:
            raise ValidationFailed(_("Which chat?"), code="bad_frame")
        text = frame.get("text")
        message = await self.in_language(self._reply)(session_id, text)
        await self.send_json({"type": "ack", "ref": short_text(frame.get("ref"), 64), "message": message})

    def _reply(self, session_id: int, text: Any) -> dict[str, Any]:
        # The service reads the chat under lock (and refuses one that does not exist): no read before it.
        message = services.send_agent_message(
            session=ChatSession(pk=session_id), by=Actor.of(self.user), text=text
        )
        message._prefetched_objects_cache = {
            "attachments": Attachment.objects.none()
        }  # a text frame: no files
        return message_for_desk(message)

    async def on_list(self, frame: dict[str, Any]) -> None:
        raw = frame.get("tickets")
        if not isinstance(raw, list):
            raise ValidationFailed(_("Which tickets?"), code="bad_frame")
        tickets = {t for t in map(positive_int, raw[:MAX_LISTED_TICKETS]) if t is not None}
        # Notices are checked against the connection's scope when they arrive (desk_event): naming a ticket
        # outside it lets nothing through, so joining needs no query.
        for ticket_id in tickets - self.listed:
            await self.channel_layer.group_add(listed_group(ticket_id), self.channel_name)
        for ticket_id in self.listed - tickets:
            await self.channel_layer.group_discard(listed_group(ticket_id), self.channel_name)
        self.listed = tickets
        assert self.scope_info is not None
        await self._follow_activity(
            self.scope_info.activity_groups() if frame.get("activity") is True else []
        )

    async def _follow_activity(self, groups: list[str], *, renew: bool = False) -> None:
        for group in groups:
            if renew or group not in self.activity_groups:
                await self.channel_layer.group_add(group, self.channel_name)
        for group in self.activity_groups:
            if group not in groups:
                await self.channel_layer.group_discard(group, self.channel_name)
        self.activity_groups = groups

    async def on_ping(self, frame: dict[str, Any]) -> None:
        now = time.monotonic()
        if now - self.scope_checked > SCOPE_REFRESH_SECONDS:
            self.scope_checked = now
            fresh = await self.in_language(scope_for)(self.user)
            if fresh is None:
                await self.close(code=4403)
                return
            self.scope_info = fresh
            await self._join(fresh.groups(), renew=True)
            for ticket_id in self.viewing:
                await self.channel_layer.group_add(ticket_group(ticket_id), self.channel_name)
            for ticket_id in self.listed:
                await self.channel_layer.group_add(listed_group(ticket_id), self.channel_name)
            await self._follow_activity(fresh.activity_groups() if self.activity_groups else [], renew=True)
        for ticket_id in list(self.viewing):
            await self._presence(ticket_id, "here", on=self.typing.get(ticket_id, False))
        await self.send_json({"type": "pong"})

    # --- presence ------------------------------------------------------------------------------------

    async def _presence(self, ticket_id: int, action: str, **extra: Any) -> None:
        await self.channel_layer.group_send(
            ticket_group(ticket_id),
            {
                "type": "desk.presence",
                "ticket": ticket_id,
                "action": action,
                "user": self.user.pk,
                "name": self.name,
                "channel": self.channel_name,
                **extra,
            },
        )

    async def desk_presence(self, message: dict[str, Any]) -> None:
        ticket_id = message.get("ticket")
        if message.get("channel") == self.channel_name or ticket_id not in self.viewing:
            return
        await self.send_json(
            {
                "type": "presence",
                "ticket": ticket_id,
                "action": message.get("action"),
                "user": message.get("user"),
                "name": message.get("name"),
                "conn": message.get("channel", "")[-12:],
                "on": bool(message.get("on")),
                "public": message.get("public") is not False,
            }
        )
        if message.get("action") == "join":
            # Answer the newcomer directly, so they see who was here before them.
            await self.channel_layer.send(
                message["channel"],
                {
                    "type": "desk.presence",
                    "ticket": ticket_id,
                    "action": "here",
                    "user": self.user.pk,
                    "name": self.name,
                    "channel": self.channel_name,
                    "on": self.typing.get(ticket_id, False),
                },
            )

    # --- notices -------------------------------------------------------------------------------------

    async def desk_event(self, message: dict[str, Any]) -> None:
        if not self.first_time(message.get("id")):
            return
        # Broadcasts carry `scope` and the serialized `frame`; a visitor's socket sends a small `event`.
        event = message.get("scope") or message.get("event") or {}
        assert self.scope_info is not None
        visible = self.scope_info.can_see(team_id=event.get("team"), assignee_id=event.get("assignee"))
        ticket_id = event.get("ticket")
        if not visible:
            if event.get("kind") in ("ticket", "ticket.page"):
                before = (
                    event.get("old_team") if "team" in (event.get("changed") or []) else event.get("team"),
                    event.get("old_assignee"),
                )
                if ticket_id in self.viewing or self.scope_info.can_see(
                    team_id=before[0], assignee_id=before[1]
                ):
                    await self.send_json({"type": "ticket.gone", "ticket": ticket_id})
                if ticket_id in self.viewing:
                    await self._leave(ticket_id)
            return
        if message.get("frame"):
            await self.send(text_data=message["frame"])
            return
        frame = {key: value for key, value in event.items() if key != "kind"}
        frame["type"] = event.get("kind", "event")
        await self.send_json(frame)
