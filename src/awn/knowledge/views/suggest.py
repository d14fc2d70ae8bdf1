"""Deflection: articles suggested while a request is typed, and the reader's "this answered my question"."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET, require_POST

from awn.accounts.throttle import client_ip
from awn.core import ratelimit
from awn.knowledge import deflection
from awn.knowledge.models import SuggestionSession
from awn.knowledge.selectors import article_for_slug

SUGGEST_LIMIT = 120  # suggestion requests per IP per minute: typing fires one every few hundred ms at most


@require_GET
@xframe_options_exempt  # the contact form is embeddable, and asks for suggestions from inside its frame
def suggestions(request):
    """An htmx partial: the articles matching the subject and text typed so far (empty when none)."""
    source = request.GET.get("source", "")
    if source not in SuggestionSession.Source.values:
        source = SuggestionSession.Source.PORTAL
    language = request.GET.get("lang", "")
    if language in dict(settings.LANGUAGES):
        translation.activate(language)
    language = translation.get_language() or settings.LANGUAGE_CODE
    text = " ".join(request.GET.get(name, "")[:1000] for name in ("subject", "message")).strip()
    ip = client_ip(request)
    if ratelimit.hit("kb-suggest", ip, window=60) > SUGGEST_LIMIT:
        return render(request, "knowledge/help/_suggestions.html", {"articles": [], "token": ""})
    session, articles = deflection.suggest(
        user=request.user,
        token=request.GET.get("kb_session", ""),
        source=source,
        language=language,
        text=text,
        email=request.GET.get("email", ""),
    )
    return render(
        request,
        "knowledge/help/_suggestions.html",
        {
            "articles": articles,
            "token": session.token if session else request.GET.get("kb_session", "")[:40],
            "embed": source == SuggestionSession.Source.CONTACT and request.GET.get("embed") == "1",
        },
    )


@require_POST
def answered(request, slug: str):
    """The reader opened a suggestion and says it answered their question: the request is not needed."""
    found = article_for_slug(user=request.user, slug=slug, language=translation.get_language()).translation
    deflection.confirm_answered(token=request.POST.get("kb_session", ""))
    return redirect(reverse("knowledge:article", args=[found.slug]) + "?answered=1")
