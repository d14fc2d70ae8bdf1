"""The knowledge base on the ticket page: find an article, insert it into the reply, see what was sent."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from awn.desk.views.access import staff_required
from awn.knowledge.models import Visibility
from awn.knowledge.selectors import articles_sent_on, display_translations, search_help_center
from awn.tickets.selectors import get_ticket_for

LOOKUP_RESULTS = 8


def _language_of(request, ticket=None) -> str:
    language = request.GET.get("lang", "")
    if language in dict(settings.LANGUAGES):
        return language
    if ticket is not None:
        for candidate in (ticket.language, ticket.requester.language):
            if candidate in dict(settings.LANGUAGES):
                return candidate
    return settings.LANGUAGE_CODE


@require_GET
@staff_required
def lookup(request):
    """Articles matching the agent's words (internal ones too), each with what "insert" puts in the reply."""
    query = request.GET.get("q", "").strip()[:200]
    language = _language_of(request)
    results = (
        search_help_center(user=request.user, query=query, language=language, limit=LOOKUP_RESULTS)
        if query
        else []
    )
    items = []
    for found in results:
        url = settings.AWN_BASE_URL + reverse("knowledge:article", args=[found.slug])
        internal = found.article.visibility == Visibility.INTERNAL
        items.append(
            {
                "translation": found,
                "internal": internal,
                "url": url,
                "link_text": f"{found.title}: {url}",
                # The quoted text ends with the article's link, so the reply still counts as sending it.
                "full_text": found.text if internal else f"{found.text}\n\n{found.title}: {url}",
            }
        )
    return render(request, "knowledge/desk/_lookup.html", {"items": items, "query": query})


@require_GET
@staff_required
def panel(request, number: int):
    """The ticket page's knowledge panel (loaded by htmx, so the ticket page itself costs no query more)."""
    ticket = get_ticket_for(user=request.user, number=number)
    shares = articles_sent_on(ticket=ticket)
    language = _language_of(request, ticket)
    titles = display_translations(list({share.article_id for share in shares}), language)
    sent = [(share, titles.get(share.article_id)) for share in shares]
    return render(
        request,
        "knowledge/desk/_ticket_panel.html",
        {
            "ticket": ticket,
            "sent": sent,
            "language": language,
            "languages": settings.LANGUAGES,
        },
    )
