"""The public contact form: no account needed, embeddable in an iframe on any website."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt

from awn.accounts.throttle import client_ip
from awn.core import ratelimit
from awn.core.errors import DomainError
from awn.portal.forms import ContactForm, incoming_files
from awn.tickets.inbound import InboundMessage
from awn.tickets.models import Channel
from awn.tickets.services import receive_message

RATE_WINDOW = 600  # AWN_CONTACT_RATE_LIMIT counts submissions per IP in this many seconds
RECEIPT_SALT = "awn.portal.contact-receipt"
RECEIPT_MAX_AGE = 3600


def _done_url(*, number: int | None, embed: bool, lang: str) -> str:
    params = {"done": signing.dumps(number, salt=RECEIPT_SALT)}
    if embed:
        params["embed"] = "1"
    if lang:
        params["lang"] = lang
    return f"{reverse('portal:contact')}?{urlencode(params)}"


def _receipt(value: str) -> tuple[bool, int | None]:
    """(a valid receipt, the ticket number it names, if any)."""
    try:
        return True, signing.loads(value, salt=RECEIPT_SALT, max_age=RECEIPT_MAX_AGE)
    except signing.BadSignature:
        return False, None


# Framed by other sites, where the browser withholds our SameSite cookies, so Django's cookie-based CSRF check
# would refuse every embedded submission. Nothing here acts for a signed-in session: the sender is whoever the
# form names, exactly as with an email, so there is nothing for a forged request to borrow. The honeypot and
# the per-IP rate limit guard the form instead.
@csrf_exempt
@xframe_options_exempt
def contact(request):
    embed = request.GET.get("embed") == "1"
    language = request.GET.get("lang", "")
    if language and language in dict(settings.LANGUAGES):
        # The embedding site knows its page's language; the visitor's browser may not say it.
        translation.activate(language)
        request.LANGUAGE_CODE = language
    template = "portal/contact_embed.html" if embed else "portal/contact.html"
    if request.method == "GET" and "done" in request.GET:
        valid, number = _receipt(request.GET["done"])
        if valid:
            return render(request, template, {"done": True, "number": number, "embed": embed})
    form = ContactForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        ip = client_ip(request)
        status = 400
        if ratelimit.is_limited("contact", ip, limit=settings.AWN_CONTACT_RATE_LIMIT):
            form = ContactForm(request.POST)  # keep what they typed; files must be chosen again anyway
            form.is_valid()
            form.add_error(
                None,
                _(
                    "You have sent several messages in a short time. Please wait ten minutes "
                    "and try again, or write to us by email."
                ),
            )
            status = 429
        elif form.is_valid():
            ratelimit.hit("contact", ip, window=RATE_WINDOW)
            if form.is_bot:
                return redirect(_done_url(number=None, embed=embed, lang=language))
            data = form.cleaned_data
            try:
                message = receive_message(
                    InboundMessage(
                        channel=Channel.WEB,
                        sender_email=data["email"],
                        sender_name=data["name"],
                        subject=data["subject"],
                        body=data["message"],
                        attachments=incoming_files(data["attachments"]),
                    )
                )
            except DomainError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
                status = error.status
            else:
                return redirect(_done_url(number=message.ticket_id, embed=embed, lang=language))
    return render(request, template, {"form": form, "embed": embed}, status=status)
