"""/api/v1/search: full-text search over the tickets the token's owner may see."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from awn.api.auth import request_user
from awn.api.schemas import ERRORS, SearchResults, ticket_out
from awn.core.errors import ValidationFailed
from awn.search.selectors import search_tickets
from awn.tickets.models import Ticket

router = Router(tags=["search"])


class SearchQuery(Schema):
    q: str = Field(..., max_length=500, description="Words to find in subjects and messages.")
    limit: int = Field(25, ge=1, le=100)


@router.get("", response={200: SearchResults, **ERRORS}, url_name="search", summary="Search tickets")
def search(request: HttpRequest, query: Query[SearchQuery]):
    user = request_user(request)
    text = query.q.strip()
    if not text:
        raise ValidationFailed(_("Type something to search for."), field="q")
    found = list(search_tickets(user=user, query=text, limit=query.limit))[: query.limit]
    # The search backend scopes by visibility itself; checking again costs one indexed query and keeps
    # a bug there from ever leaking a ticket through the API.
    ids = [ticket.pk for ticket in found]
    visible = {
        t.pk: t
        for t in Ticket.objects.visible_to(user)
        .filter(pk__in=ids)
        .select_related("requester", "assignee", "team", "organization")
        .prefetch_related("tags")
    }
    return {"items": [ticket_out(visible[pk], request) for pk in ids if pk in visible]}
