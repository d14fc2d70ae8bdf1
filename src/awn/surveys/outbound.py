"""The survey emails, delivered through the outbox: "how did we do?" after a ticket is solved, and NPS.

Both are mail a program sends (Auto-Submitted: auto-generated, RFC 3834), so well-behaved auto-responders do
not answer them, and both are built at delivery time in the customer's language.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from awn.connectors.email import outbound as email_outbound
from awn.connectors.email.models import email_domain
from awn.outbox import registry
from awn.outbox.models import OutboxItem
from awn.outbox.registry import PermanentFailure
from awn.surveys import links, selectors
from awn.surveys.models import NpsResponse, SatisfactionRating
from awn.surveys.services import CSAT_SOLVED_MAIL, NPS_MAIL
from awn.tickets.models import Status, Ticket


def register() -> None:
    registry.register(CSAT_SOLVED_MAIL, deliver_solved_survey)
    registry.register(NPS_MAIL, deliver_nps_survey)


def _language(customer, ticket: Ticket | None) -> str:
    return customer.language or (ticket.language if ticket else "") or settings.LANGUAGE_CODE


def _mail(
    *, subject: str, text: str, html: str, to: str, ticket: Ticket | None, key: str
) -> EmailMultiAlternatives:
    mailbox = email_outbound.mailbox_for_ticket(ticket) if ticket is not None else None
    sender, envelope = email_outbound._from_header(mailbox, None)
    headers = {
        # The same Message-ID on every attempt: a retry after an accepted-but-unrecorded send is recognisable.
        "Message-ID": f"<awn.{key}@{email_domain()}>",
        "Auto-Submitted": "auto-generated",
        "X-Auto-Response-Suppress": "All",
        "X-Awn-Loop": email_domain(),
    }
    if ticket is not None:
        headers["X-Awn-Ticket"] = str(ticket.number)
    mail = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=sender,
        to=[to],
        headers=headers,
        connection=email_outbound.connection_for(mailbox),
    )
    mail.attach_alternative(html, "text/html")
    mail.extra_headers["Sender"] = envelope
    return mail


def deliver_solved_survey(item: OutboxItem) -> None:
    ticket = Ticket.objects.select_related("requester").filter(pk=item.payload.get("ticket")).first()
    if ticket is None:
        raise PermanentFailure("the ticket was deleted before its survey was sent")
    # Reopened meanwhile, or already rated (in the portal, from a reply's links): nothing to ask.
    if ticket.status != Status.SOLVED or not selectors.may_survey_ticket(ticket):
        return
    if SatisfactionRating.objects.filter(ticket=ticket, message__isnull=True).exists():
        return
    customer = ticket.requester
    with translation.override(_language(customer, ticket)):
        context = {
            "ticket": ticket,
            "customer": customer,
            "links": links.csat_links(ticket_id=ticket.pk, message_id=None, customer_id=customer.pk),
            "url": email_outbound.portal_url(ticket),
            "helpdesk_name": settings.AWN_HELPDESK_NAME,
        }
        subject = _("[#%(number)s] How did we do?") % {"number": ticket.number}
        text = render_to_string("surveys/email/solved.txt", context)
        html = render_to_string("surveys/email/solved.html", context)
    email_outbound._send(
        _mail(
            subject=subject,
            text=text,
            html=html,
            to=customer.email,
            ticket=ticket,
            key=f"csat.{ticket.pk}.{item.pk}",
        )
    )


def deliver_nps_survey(item: OutboxItem) -> None:
    response = (
        NpsResponse.objects.select_related("customer", "ticket")
        .filter(pk=item.payload.get("response"))
        .first()
    )
    if response is None:
        raise PermanentFailure("the survey was deleted before it was sent")
    customer = response.customer
    if response.score is not None or not selectors.may_survey(customer):
        return
    with translation.override(_language(customer, response.ticket)):
        context = {
            "customer": customer,
            "ticket": response.ticket,
            "links": links.nps_links(response),
            "helpdesk_name": settings.AWN_HELPDESK_NAME,
        }
        subject = _("How likely are you to recommend %(name)s?") % {"name": settings.AWN_HELPDESK_NAME}
        text = render_to_string("surveys/email/nps.txt", context)
        html = render_to_string("surveys/email/nps.html", context)
    email_outbound._send(
        _mail(
            subject=subject,
            text=text,
            html=html,
            to=customer.email,
            ticket=response.ticket,
            key=f"nps.{response.pk}",
        )
    )
