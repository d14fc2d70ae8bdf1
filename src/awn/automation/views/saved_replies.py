"""Saved replies: manage them, and find and insert them from a ticket's reply box (keyboard-first)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from awn.automation import services
from awn.automation.forms import SavedReplyForm
from awn.automation.saved_replies import record_use, render_for, replies_for, search_saved_replies
from awn.core.errors import DomainError
from awn.desk.views.access import staff_required
from awn.tickets.selectors import get_ticket_for


@staff_required
def saved_replies_list(request):
    query = (request.GET.get("q") or "").strip()[:100]
    replies = search_saved_replies(user=request.user, query=query, limit=200)
    return render(
        request,
        "automation/saved_replies.html",
        {"replies": replies, "query": query, "section": "saved_replies"},
    )


@staff_required
def saved_reply_edit(request, pk: int | None = None):
    reply = get_object_or_404(replies_for(request.user), pk=pk) if pk else None
    if reply is not None and not services.may_edit_saved_reply(request.user, reply):
        raise Http404
    languages = [code for code, _name in _languages()]
    initial: dict = {}
    if reply is not None:
        actions = reply.actions or {}
        initial = {
            "title": reply.title,
            "shortcut": reply.shortcut,
            "body": reply.body,
            "shared": reply.owner_id is None,
            "set_status": actions.get("status", ""),
            "add_tags": " ".join(actions.get("add_tags", [])),
        }
        initial.update({f"variant_{v.language}": v.body for v in reply.variants.all()})
    form = SavedReplyForm(request.POST or None, initial=initial)
    variants = {
        code: (
            request.POST.get(f"variant_{code}")
            if request.method == "POST"
            else initial.get(f"variant_{code}", "")
        )
        or ""
        for code in languages
    }
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            actions = {"status": data["set_status"], "add_tags": data["add_tags"].replace(",", " ").split()}
            try:
                services.save_saved_reply(
                    by=request.user,
                    title=data["title"],
                    body=data["body"],
                    shared=data["shared"],
                    shortcut=data["shortcut"],
                    actions=actions,
                    variants=variants,
                    reply=reply,
                )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                status = exc.status
            else:
                messages.success(request, _("Saved reply saved."))
                return redirect("automation:saved_replies")
    return render(
        request,
        "automation/saved_reply_form.html",
        {
            "form": form,
            "reply": reply,
            "variants": [(code, name, variants[code]) for code, name in _languages()],
            "section": "saved_replies",
        },
        status=status,
    )


def _languages():
    from django.conf import settings

    return [(code, name) for code, name in settings.LANGUAGES]


@staff_required
@require_POST
def saved_reply_delete(request, pk: int):
    reply = get_object_or_404(replies_for(request.user), pk=pk)
    try:
        services.delete_saved_reply(by=request.user, reply=reply)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("automation:saved_replies")


@staff_required
def saved_reply_picker(request, number: int):
    """The picker's result list (htmx partial): the user's matching replies, keyboard-navigable."""
    ticket = get_ticket_for(user=request.user, number=number)
    query = request.GET.get("saved_reply_q") or request.GET.get("q") or ""
    replies = search_saved_replies(user=request.user, query=query, limit=12)
    return render(request, "automation/_saved_reply_results.html", {"replies": replies, "ticket": ticket})


@staff_required
@require_POST
def saved_reply_insert(request, number: int, pk: int):
    """The reply's text for this ticket (variant + placeholders); its actions apply when the agent sends."""
    ticket = get_ticket_for(user=request.user, number=number)
    reply = get_object_or_404(replies_for(request.user).prefetch_related("variants"), pk=pk)
    text = render_for(reply=reply, ticket=ticket, agent=request.user)
    record_use(reply=reply, ticket=ticket, agent=request.user)
    return JsonResponse({"text": text, "title": reply.title, "actions": reply.actions or {}})
