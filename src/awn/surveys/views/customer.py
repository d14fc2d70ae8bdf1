"""Answering a survey from an email link: no sign-in, the signed token says who and what.

Why a GET never records (docs/surveys.md): mail security scanners (Outlook Safe Links, Mimecast, Proofpoint)
fetch every link of a message before the person reads it, some of them in a full browser that runs scripts. A
rating recorded on GET, or by a page that submits itself, would be whatever link the scanner fetched last. So
the link opens a page with the choice already made and one button; the POST of that form records it.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from awn.core.errors import DomainError
from awn.surveys import services, tokens
from awn.surveys.forms import NpsForm, RatingForm
from awn.surveys.links import RATING_SLUGS, SLUG_RATINGS
from awn.surveys.models import NpsResponse, SatisfactionRating
from awn.surveys.selectors import ratable_reply
from awn.tickets.models import Message, Ticket


def _private(response):
    # The token is in the URL: keep it out of other sites' Referer headers, caches and search engines.
    # "same-origin", not "no-referrer": with no referrer at all browsers send `Origin: null` on the form's
    # POST, which Django's CSRF check rightly refuses.
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _link_error(request, reason: str):
    status = 410 if reason == "expired" else 404
    return _private(render(request, "surveys/link_error.html", {"reason": reason}, status=status))


class _Rated:
    """What a CSAT token points at, checked: the ticket, the reply (or None), the customer."""

    def __init__(self, token: str):
        claim = tokens.read_csat_token(token)
        ticket = Ticket.objects.select_related("requester", "team").filter(pk=claim.ticket_id).first()
        # A link made for one customer answers for that customer only, and only while they are the requester.
        if ticket is None or ticket.requester_id != claim.customer_id or not ticket.requester.is_active:
            raise tokens.InvalidSurveyLink("invalid")
        message: Message | None = None
        if claim.message_id is not None:
            message = ratable_reply(ticket, claim.message_id)
            if message is None:
                raise tokens.InvalidSurveyLink("invalid")
        self.token, self.ticket, self.message, self.customer = token, ticket, message, ticket.requester

    def existing(self) -> SatisfactionRating | None:
        return SatisfactionRating.objects.filter(
            ticket=self.ticket, message=self.message, customer=self.customer
        ).first()

    def language(self) -> str:
        return self.customer.language or translation.get_language()


def _rating_page(request, rated: _Rated, form: RatingForm, *, done: bool, status: int = 200):
    with translation.override(rated.language()):
        context = {
            "form": form,
            "ticket": rated.ticket,
            "message": rated.message,
            "done": done,
            "existing": rated.existing(),
            "token": rated.token,
        }
        return _private(render(request, "surveys/rate.html", context, status=status))


@never_cache
@require_safe
def rate_confirm(request, token: str, choice: str):
    """The page a rating link opens: the choice made, a comment box, one button. Records nothing."""
    if choice not in SLUG_RATINGS:
        raise Http404("No such rating")
    try:
        rated = _Rated(token)
    except tokens.InvalidSurveyLink as exc:
        return _link_error(request, exc.reason)
    existing = rated.existing()
    form = RatingForm(initial={"rating": choice, "comment": existing.comment if existing else ""})
    return _rating_page(request, rated, form, done=False)


# No CSRF check on the two answering POSTs: they act for whoever holds the signed token in the URL, never
# for the browser's session, so a forged cross-site request could do nothing the token's holder cannot do
# directly; the check would only add failures (cookies blocked, privacy modes, mail apps' in-app browsers).
@csrf_exempt
@require_POST
def rate_submit(request, token: str):
    try:
        rated = _Rated(token)
    except tokens.InvalidSurveyLink as exc:
        return _link_error(request, exc.reason)
    form = RatingForm(request.POST)
    if not form.is_valid():
        return _rating_page(request, rated, form, done=False, status=422)
    try:
        services.rate(
            ticket=rated.ticket,
            message=rated.message,
            customer=rated.customer,
            rating=SLUG_RATINGS[form.cleaned_data["rating"]],
            comment=form.cleaned_data["comment"],
        )
    except DomainError as exc:
        form.add_error(None, exc.message)
        return _rating_page(request, rated, form, done=False, status=exc.status)
    return redirect("surveys:rate_thanks", token=token)


@never_cache
@require_safe
def rate_thanks(request, token: str):
    try:
        rated = _Rated(token)
    except tokens.InvalidSurveyLink as exc:
        return _link_error(request, exc.reason)
    existing = rated.existing()
    if existing is None:
        return redirect("surveys:rate", token=token, choice="good")
    form = RatingForm(initial={"rating": RATING_SLUGS[existing.rating], "comment": existing.comment})
    return _rating_page(request, rated, form, done=True)


def _nps_response(token: str) -> NpsResponse:
    response = NpsResponse.objects.select_related("customer").filter(pk=tokens.read_nps_token(token)).first()
    if response is None or not response.customer.is_active:
        raise tokens.InvalidSurveyLink("invalid")
    return response


def _nps_page(request, response: NpsResponse, form: NpsForm, token: str, *, done: bool, status: int = 200):
    with translation.override(response.customer.language or translation.get_language()):
        context = {"form": form, "response": response, "token": token, "done": done}
        return _private(render(request, "surveys/nps.html", context, status=status))


@never_cache
@require_safe
def nps_confirm(request, token: str, score: int):
    """The page an NPS link opens: the score chosen, a comment box, one button. Records nothing."""
    if not 0 <= score <= 10:
        raise Http404("No such score")
    try:
        response = _nps_response(token)
    except tokens.InvalidSurveyLink as exc:
        return _link_error(request, exc.reason)
    form = NpsForm(initial={"score": str(score), "comment": response.comment})
    return _nps_page(request, response, form, token, done=False)


@csrf_exempt
@require_POST
def nps_submit(request, token: str):
    try:
        response = _nps_response(token)
    except tokens.InvalidSurveyLink as exc:
        return _link_error(request, exc.reason)
    form = NpsForm(request.POST)
    if not form.is_valid():
        return _nps_page(request, response, form, token, done=False, status=422)
    services.answer_nps(
        response=response, score=form.cleaned_data["score"], comment=form.cleaned_data["comment"]
    )
    return redirect("surveys:nps_thanks", token=token)


@never_cache
@require_safe
def nps_thanks(request, token: str):
    try:
        response = _nps_response(token)
    except tokens.InvalidSurveyLink as exc:
        return _link_error(request, exc.reason)
    if response.score is None:
        return redirect("surveys:nps", token=token, score=10)
    form = NpsForm(initial={"score": str(response.score), "comment": response.comment})
    return _nps_page(request, response, form, token, done=True)
