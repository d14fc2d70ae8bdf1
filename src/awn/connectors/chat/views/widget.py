"""The widget's HTTP endpoints, called from other websites: its settings, and file uploads.

Both answer only pages on the widget's allowed origins (CORS with the exact origin, never `*`). They carry
no cookies and change nothing on behalf of a signed-in user: the visitor token in the request names the
visitor, so they are exempt from CSRF.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.translation import get_language_bidi, pgettext
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from awn.connectors.chat import limits, services
from awn.connectors.chat.identity import visitor_id_from_token
from awn.connectors.chat.models import ChatVisitor, ChatWidget
from awn.connectors.chat.services.assignment import agents_available, queue_position
from awn.connectors.chat.wire import message_for_visitor, session_for_visitor
from awn.core.errors import DomainError
from awn.tickets.inbound import IncomingFile


def _cors(response: HttpResponse, origin: str) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = origin
    response["Access-Control-Allow-Methods"] = "GET, POST"
    response["Access-Control-Max-Age"] = "600"
    response["Vary"] = "Origin"
    response["Cache-Control"] = "no-store"
    return response


def _error(code: str, message: str, status: int, origin: str = "") -> JsonResponse:
    response = JsonResponse({"error": {"code": code, "message": message}}, status=status)
    return _cors(response, origin) if origin else response


def _widget_for(request: HttpRequest, key: str) -> tuple[ChatWidget | None, str]:
    origin = request.headers.get("Origin", "")
    widget = ChatWidget.objects.filter(key=key, active=True).select_related("team").first()
    if widget is None or not widget.allows_origin(origin):
        return None, origin
    return widget, origin


def _language(widget: ChatWidget, requested: str) -> str:
    if widget.language:
        return widget.language
    code = (requested or "").lower().split("-")[0]
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def widget_strings() -> dict[str, str]:
    """Everything the widget shows, in the active language (the catalogs translate them)."""
    return {
        "open": _("Open the chat"),
        "close": _("Close the chat"),
        "title": _("Chat with us"),
        "placeholder": _("Write a message…"),
        "message_label": _("Your message"),
        "send": _("Send"),
        "attach": _("Attach a file"),
        "reply_time": _("We usually reply in %(time)s."),
        "hours": _("Our hours: %(hours)s"),
        "queue": _("You are number %(position)s in the queue."),
        "waiting": _("Waiting for an agent…"),
        "joined": _("%(name)s joined the chat."),
        "typing": _("%(name)s is typing…"),
        "agent": _("Agent"),
        "you": _("You"),
        "seen": _("Seen"),
        "sent": pgettext("chat message receipt", "Sent"),
        "ended": _("The chat has ended."),
        "end": _("End the chat"),
        "transcript": _("Email me the transcript"),
        "transcript_sent": _("The transcript is on its way to %(email)s."),
        "name": _("Your name"),
        "email": _("Your email"),
        "start": _("Start the chat"),
        "prechat_intro": _("Tell us who you are, so we can follow up by email."),
        "offline_intro": _("We are offline right now. Leave a message and we will answer by email."),
        "offline_send": _("Leave the message"),
        "offline_sent": _("Thank you! We will answer by email (request #%(number)s)."),
        "continue_email": _("Continue by email"),
        "continue_email_intro": _("Leave your email address and we will answer there."),
        "saved_email": _("We will answer at %(email)s if you leave."),
        "connecting": _("Connecting…"),
        "offline_net": _("Connection lost. Reconnecting…"),
        "file_too_large": _("This file is too large (at most %(size)s MB)."),
        "new_messages": _("New messages"),
        "conversation": _("Conversation"),
        "file": _("File"),
        "required": _("Required"),
    }


@require_GET
def widget_config(request: HttpRequest, key: str) -> HttpResponse:
    widget, origin = _widget_for(request, key)
    if widget is None:
        return _error("widget_unavailable", _("This chat is not available."), 404)
    language = _language(widget, request.GET.get("lang", ""))
    with translation.override(language):
        strings = widget_strings()
        data = {
            "key": widget.key,
            "language": language,
            "dir": "rtl" if get_language_bidi() else "ltr",
            "title": widget.title or strings["title"],
            "greeting": widget.greeting,
            "colour": widget.brand_colour,
            "position": widget.position,
            "prechat": widget.prechat,
            "business_hours": widget.business_hours,
            "reply_time": widget.reply_time,
            "offline_mode": widget.offline_mode,
            "online": agents_available(widget.team_id),
            "triggers": [
                {"path": t.path_pattern, "delay": t.delay_seconds, "message": t.message}
                for t in widget.triggers.filter(active=True)
            ],
            "max_chars": settings.AWN_CHAT_MAX_MESSAGE_CHARS,
            "max_file_bytes": settings.AWN_CHAT_MAX_FILE_BYTES,
            "strings": strings,
        }
    return _cors(JsonResponse(data, json_dumps_params={"ensure_ascii": False}), origin)


@csrf_exempt
@require_http_methods(["POST", "OPTIONS"])
def widget_upload(request: HttpRequest, key: str) -> HttpResponse:
    """A file from the widget (multipart: token, file, optional text): a message with the attachment."""
    widget, origin = _widget_for(request, key)
    if widget is None:
        return _error("origin_not_allowed", _("This website may not use this chat."), 403)
    if request.method == "OPTIONS":
        return _cors(HttpResponse(status=204), origin)
    language = _language(widget, request.POST.get("lang", ""))
    with translation.override(language):
        visitor_id = visitor_id_from_token(request.POST.get("token", ""), widget=widget)
        visitor = ChatVisitor.objects.filter(pk=visitor_id, widget=widget).first() if visitor_id else None
        if visitor is None:
            return _error("bad_token", _("Reconnect the chat and try again."), 403, origin)
        upload = request.FILES.get("file")
        if upload is None:
            return _error("validation_error", _("Choose a file."), 422, origin)
        limit = settings.AWN_CHAT_MAX_FILE_BYTES
        if upload.size is None or upload.size > limit:
            return _error(
                "attachment_too_large",
                _("This file is too large (at most %(size)s MB).") % {"size": limit // 1048576},
                413,
                origin,
            )
        ip = request.META.get("REMOTE_ADDR", "")
        try:
            limits.check_upload(visitor_id=visitor.pk, ip=ip)
            session, message = services.post_visitor_message(
                visitor=visitor,
                text=request.POST.get("text", ""),
                attachments=[IncomingFile.from_upload(upload)],
                ip=ip,
            )
        except DomainError as exc:
            return _error(exc.code, exc.message, exc.status, origin)
        session.refresh_from_db()
        data = {
            "message": message_for_visitor(message),
            "session": session_for_visitor(session, position=queue_position(session)),
        }
    return _cors(JsonResponse(data, status=201, json_dumps_params={"ensure_ascii": False}), origin)
