"""Admin writes on mailboxes and on stored mail: admin-only, keyword-only, one transaction each."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from awn.accounts.models import User
from awn.accounts.permissions import can_administer
from awn.connectors.email import ingest
from awn.connectors.email.models import Mailbox, RawEmail
from awn.core.errors import NotPermitted, ValidationFailed

MAILBOX_FIELDS = (
    "name",
    "address",
    "team",
    "signature",
    "send_acknowledgement",
    "expected_response",
    "inbound",
    "active",
    "imap_host",
    "imap_port",
    "imap_security",
    "imap_username",
    "imap_folder",
    "imap_archive_folder",
    "smtp_host",
    "smtp_port",
    "smtp_security",
    "smtp_username",
)


def _require_admin(by: User) -> None:
    if not can_administer(by):
        raise NotPermitted(_("Only administrators can manage mailboxes."))


def _apply(
    mailbox: Mailbox, fields: dict[str, Any], imap_password: str | None, smtp_password: str | None
) -> None:
    for name, value in fields.items():
        if name not in MAILBOX_FIELDS:
            raise ValidationFailed(_("Unknown field."), field=name)
        setattr(mailbox, name, value)
    mailbox.address = (mailbox.address or "").strip().lower()
    if "+" in mailbox.address.split("@")[0]:
        raise ValidationFailed(
            _("A mailbox address cannot contain “+”: Awn uses it for ticket numbers."), field="address"
        )
    duplicate = Mailbox.objects.filter(address__iexact=mailbox.address).exclude(pk=mailbox.pk).exists()
    if duplicate:
        raise ValidationFailed(_("Another mailbox already has this address."), field="address")
    if mailbox.inbound == Mailbox.Inbound.IMAP and not (mailbox.imap_host and mailbox.imap_username):
        raise ValidationFailed(_("IMAP needs a server and a user name."), field="imap_host")
    if imap_password:
        mailbox.imap_password = imap_password
    if smtp_password:
        mailbox.smtp_password = smtp_password


@transaction.atomic
def create_mailbox(
    *, by: User, imap_password: str | None = None, smtp_password: str | None = None, **fields: Any
) -> Mailbox:
    """Add a mailbox; it gets its webhook secret at once."""
    _require_admin(by)
    mailbox = Mailbox()
    _apply(mailbox, fields, imap_password, smtp_password)
    mailbox.new_webhook_secret()
    mailbox.save()
    return mailbox


@transaction.atomic
def update_mailbox(
    *,
    by: User,
    mailbox: Mailbox,
    imap_password: str | None = None,
    smtp_password: str | None = None,
    **fields: Any,
) -> Mailbox:
    """Change a mailbox; a blank password keeps the stored one."""
    _require_admin(by)
    _apply(mailbox, fields, imap_password, smtp_password)
    if not mailbox.webhook_secret_encrypted:
        mailbox.new_webhook_secret()
    mailbox.save()
    return mailbox


@transaction.atomic
def rotate_webhook_secret(*, by: User, mailbox: Mailbox) -> str:
    """A new webhook secret; the old one stops working at once."""
    _require_admin(by)
    secret = mailbox.new_webhook_secret()
    mailbox.save(update_fields=["webhook_secret_encrypted"])
    return secret


def retry_raw_email(*, by: User, raw: RawEmail) -> RawEmail:
    """Try a quarantined message again (after a fix, or a changed setting)."""
    _require_admin(by)
    if raw.status != RawEmail.Status.QUARANTINED:
        raise ValidationFailed(_("Only quarantined messages can be retried."))
    return ingest.retry_quarantined(raw)


@transaction.atomic
def delete_raw_email(*, by: User, raw: RawEmail) -> None:
    """Delete a stored message that will not be ingested (quarantined, refused or ignored)."""
    _require_admin(by)
    if raw.status in (RawEmail.Status.INGESTED, RawEmail.Status.RECEIVED):
        raise ValidationFailed(_("Only messages that were not ingested can be deleted here."))
    ingest.delete_raw_email(raw)
