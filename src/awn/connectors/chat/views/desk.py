"""The desk's chat screens: the chat console (availability, incoming chats, a conversation) and widget admin.

One view per action, one service call; the console refreshes its lists over the desk socket and answers
through it, with these forms as the no-script path.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from awn.connectors.chat import presence, selectors, services
from awn.connectors.chat.forms import (
    AvailabilityForm,
    ChatReplyForm,
    TransferForm,
    TriggerFormSet,
    WidgetForm,
)
from awn.connectors.chat.identity import identity_signature
from awn.connectors.chat.models import ChatWidget
from awn.connectors.chat.services.agents import availability_of
from awn.connectors.chat.services.widgets import rotate_widget_secret, save_widget
from awn.core.errors import DomainError
from awn.core.ids import row_id
from awn.desk.views.access import admin_required, is_htmx, staff_required
from awn.tickets.services import Actor


def _console_context(request: HttpRequest, **extra):
    status = selectors.status_for(request.user)
    context = {
        "lists": selectors.chat_lists(request.user),
        "status": status,
        "availability_form": AvailabilityForm(
            initial={"availability": availability_of(request.user), "capacity": status.capacity}
        ),
    }
    context.update(extra)
    return context


@staff_required
def console(request: HttpRequest) -> HttpResponse:
    return render(request, "chat/desk/console.html", _console_context(request))


@staff_required
def console_lists(request: HttpRequest) -> HttpResponse:
    current = request.GET.get("current", "")
    return render(
        request,
        "chat/desk/_lists.html",
        {"lists": selectors.chat_lists(request.user), "current": row_id(current) or 0},
    )


@staff_required
def conversation(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.get_session_for(user=request.user, pk=pk)
    context = _console_context(
        request,
        session=session,
        current=session.pk,
        thread=selectors.conversation(session),
        pages=selectors.pages_seen(session.visitor),
        visitor_online=presence.visitor_is_live(session.visitor_id),
        reply_form=ChatReplyForm(),
        transfer_form=TransferForm(),
    )
    template = "chat/desk/_conversation.html" if is_htmx(request) else "chat/desk/console.html"
    return render(request, template, context)


def _done(request: HttpRequest, pk: int | None, *, error: str = "") -> HttpResponse:
    if error:
        messages.error(request, error)
    if pk is None:
        return redirect("chat:console")
    return redirect("chat:conversation", pk=pk)


@require_POST
@staff_required
def set_availability(request: HttpRequest) -> HttpResponse:
    form = AvailabilityForm(request.POST)
    if not form.is_valid():
        return _done(request, None, error=_("Choose an availability and a capacity."))
    try:
        services.set_availability(
            user=request.user,
            availability=form.cleaned_data["availability"],
            capacity=form.cleaned_data["capacity"],
        )
    except DomainError as exc:
        return _done(request, None, error=exc.message)
    return redirect(
        request.POST.get("next") if request.POST.get("next", "").startswith("/desk/") else "chat:console"
    )


@require_POST
@staff_required
def accept(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.get_session_for(user=request.user, pk=pk)
    try:
        services.accept_chat(session=session, by=Actor.of(request.user))
    except DomainError as exc:
        return _done(request, pk, error=exc.message)
    return _done(request, pk)


@require_POST
@staff_required
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.get_session_for(user=request.user, pk=pk)
    form = ChatReplyForm(request.POST)
    if not form.is_valid():
        return _done(request, pk, error=_("Write a message first."))
    try:
        services.send_agent_message(
            session=session, by=Actor.of(request.user), text=form.cleaned_data["text"]
        )
    except DomainError as exc:
        return _done(request, pk, error=exc.message)
    return _done(request, pk)


@require_POST
@staff_required
def transfer(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.get_session_for(user=request.user, pk=pk)
    form = TransferForm(request.POST)
    if not form.is_valid():
        return _done(request, pk, error=_("Choose an agent or a team."))
    try:
        services.transfer_chat(
            session=session,
            by=Actor.of(request.user),
            to_agent=form.cleaned_data["agent"],
            to_team=form.cleaned_data["team"],
        )
    except DomainError as exc:
        return _done(request, pk, error=exc.message)
    messages.success(request, _("The chat was transferred."))
    return redirect("chat:console")


@require_POST
@staff_required
def end(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.get_session_for(user=request.user, pk=pk)
    try:
        services.end_chat(session=session, by=Actor.of(request.user))
    except DomainError as exc:
        return _done(request, pk, error=exc.message)
    return _done(request, pk)


# --- widget admin ---------------------------------------------------------------------------------------


@admin_required
def widgets(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "chat/desk/widgets.html",
        {"widgets": ChatWidget.objects.select_related("team"), "section": "chat_widgets"},
    )


def _widget_page(request: HttpRequest, widget: ChatWidget | None) -> HttpResponse:
    form = WidgetForm(request.POST or None, instance=widget)
    triggers = TriggerFormSet(request.POST or None, instance=widget or ChatWidget(), prefix="triggers")
    if request.method == "POST" and form.is_valid() and triggers.is_valid():
        try:
            saved = save_widget(form=form, triggers=triggers, by=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The widget was saved."))
            return redirect("chat:widget", pk=saved.pk)
    example = identity_signature(widget.secret, "customer@example.com") if widget else ""
    return render(
        request,
        "chat/desk/widget_form.html",
        {
            "form": form,
            "triggers": triggers,
            "widget": widget,
            "section": "chat_widgets",
            "base_url": request.build_absolute_uri("/").rstrip("/"),
            "example_signature": example,
        },
        status=400 if request.method == "POST" else 200,
    )


@admin_required
def widget_new(request: HttpRequest) -> HttpResponse:
    return _widget_page(request, None)


@admin_required
def widget_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _widget_page(request, get_object_or_404(ChatWidget, pk=pk))


@require_POST
@admin_required
def widget_rotate_secret(request: HttpRequest, pk: int) -> HttpResponse:
    widget = get_object_or_404(ChatWidget, pk=pk)
    rotate_widget_secret(widget=widget, by=request.user)
    messages.success(request, _("A new identity secret was made; update your website's signing code."))
    return redirect("chat:widget", pk=pk)
