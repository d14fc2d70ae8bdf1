from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from awn.connectors.email import crypto
from awn.core import clock


class Mailbox(models.Model):
    """A support address: where its mail comes from, which team it feeds, how replies from it look."""

    class Inbound(models.TextChoices):
        IMAP = "imap", _("IMAP (Awn fetches the mail)")
        SMTP = "smtp", _("SMTP/LMTP (a mail server delivers to `awn mail serve`)")
        HTTP = "http", _("HTTP (a provider posts each message)")

    class Security(models.TextChoices):
        SSL = "ssl", _("TLS from the start (IMAPS 993, SMTPS 465)")
        STARTTLS = "starttls", _("STARTTLS")
        NONE = "none", _("None (only on a trusted network)")

    name = models.CharField(
        _("name in replies"), max_length=120, help_text=_("Replies are from “Agent Name via this name”.")
    )
    address = models.EmailField(_("address"), unique=True)
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mailboxes",
        help_text=_("New tickets from this address go to this team."),
    )
    signature = models.TextField(_("signature"), blank=True)
    send_acknowledgement = models.BooleanField(
        _("send an acknowledgement"),
        default=False,
        help_text=_("Answer each new request with its ticket number (never to automatic mail)."),
    )
    expected_response = models.CharField(
        _("expected response"),
        max_length=120,
        blank=True,
        help_text=_("For the acknowledgement, e.g. “within one business day”."),
    )
    inbound = models.CharField(
        _("how mail arrives"), max_length=8, choices=Inbound.choices, default=Inbound.IMAP
    )
    active = models.BooleanField(_("active"), default=True)

    imap_host = models.CharField(_("IMAP server"), max_length=255, blank=True)
    imap_port = models.PositiveIntegerField(_("IMAP port"), default=993)
    imap_security = models.CharField(
        _("IMAP security"), max_length=8, choices=Security.choices, default=Security.SSL
    )
    imap_username = models.CharField(_("IMAP user name"), max_length=255, blank=True)
    imap_password_encrypted = models.TextField(blank=True)
    imap_folder = models.CharField(_("IMAP folder"), max_length=255, default="INBOX")
    imap_archive_folder = models.CharField(
        _("move imported mail to"),
        max_length=255,
        blank=True,
        help_text=_("Empty: imported mail stays in the folder, marked as read and flagged."),
    )
    # Where the last poll stopped: messages with a higher UID in this UIDVALIDITY are new.
    imap_uidvalidity = models.BigIntegerField(null=True, blank=True)
    imap_last_uid = models.BigIntegerField(default=0)

    smtp_host = models.CharField(
        _("SMTP server"),
        max_length=255,
        blank=True,
        help_text=_("Empty: replies go out through the server set by AWN_SMTP_HOST."),
    )
    smtp_port = models.PositiveIntegerField(_("SMTP port"), default=587)
    smtp_security = models.CharField(
        _("SMTP security"), max_length=8, choices=Security.choices, default=Security.STARTTLS
    )
    smtp_username = models.CharField(_("SMTP user name"), max_length=255, blank=True)
    smtp_password_encrypted = models.TextField(blank=True)

    webhook_secret_encrypted = models.TextField(blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["address"]
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")

    def __str__(self) -> str:
        return f"{self.name} <{self.address}>"

    @property
    def imap_password(self) -> str:
        return crypto.decrypt(self.imap_password_encrypted)

    @imap_password.setter
    def imap_password(self, value: str) -> None:
        self.imap_password_encrypted = crypto.encrypt(value)

    @property
    def smtp_password(self) -> str:
        return crypto.decrypt(self.smtp_password_encrypted)

    @smtp_password.setter
    def smtp_password(self, value: str) -> None:
        self.smtp_password_encrypted = crypto.encrypt(value)

    @property
    def webhook_secret(self) -> str:
        return crypto.decrypt(self.webhook_secret_encrypted)

    def new_webhook_secret(self) -> str:
        secret = secrets.token_urlsafe(32)
        self.webhook_secret_encrypted = crypto.encrypt(secret)
        return secret


def raw_email_path(instance: RawEmail, filename: str) -> str:
    now = clock.now()
    return f"raw-email/{now:%Y/%m/%d}/{instance.sha256[:2]}/{instance.sha256[:16]}-{secrets.token_hex(4)}.eml"


class RawEmail(models.Model):
    """A message exactly as it arrived, stored before anything parses it (DESIGN.md §3: raw first)."""

    class Source(models.TextChoices):
        IMAP = "imap", "IMAP"
        SMTP = "smtp", "SMTP/LMTP"
        HTTP = "http", "HTTP"
        IMPORT = "import", _("import")

    class Status(models.TextChoices):
        RECEIVED = "received", _("received")  # stored, not yet ingested
        INGESTED = "ingested", _("ingested")  # became a message (or a bounce on one)
        DUPLICATE = "duplicate", _("duplicate")  # its Message-ID was already ingested
        QUARANTINED = "quarantined", _("quarantined")  # could not be ingested: see the reason
        REFUSED = "refused", _("refused")  # too large: only its headers are kept
        IGNORED = "ignored", _("ignored")  # our own mail coming back, a bounce for nothing we sent

    mailbox = models.ForeignKey(
        Mailbox, null=True, blank=True, on_delete=models.SET_NULL, related_name="raw_emails"
    )
    source = models.CharField(max_length=8, choices=Source.choices)
    file = models.FileField(upload_to=raw_email_path, max_length=255, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, db_index=True)
    message_id_header = models.CharField(_("Message-ID"), max_length=255, blank=True, db_index=True)
    sender = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=255, blank=True)
    envelope_from = models.CharField(max_length=254, blank=True)
    envelope_to = models.TextField(blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RECEIVED)
    # Why it ended as it did: codes and their data, shown in the reader's language, and the same reasons in
    # English (awn.connectors.email.reasons).
    reasons = models.JSONField(default=list, blank=True)
    reason = models.TextField(blank=True)
    message = models.ForeignKey(
        "tickets.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    attempts = models.PositiveIntegerField(default=0)
    received_at = models.DateTimeField(default=clock.now)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["status", "received_at", "id"], name="rawemail_status_received")]

    def __str__(self) -> str:
        return f"raw email {self.pk} ({self.status})"

    @property
    def reason_shown(self) -> str:
        """Why it ended as it did, in the active language."""
        from awn.connectors.email.reasons import shown

        return shown(self)

    def read_bytes(self) -> bytes:
        if not self.file:
            return b""
        with self.file.open("rb") as handle:
            return handle.read()


class MessageEmail(models.Model):
    """The email side of a ticket message: its Message-ID and threading headers, and for our own replies
    the delivery state the desk shows."""

    class Direction(models.TextChoices):
        INBOUND = "in", _("received")
        OUTBOUND = "out", _("sent")

    class Delivery(models.TextChoices):
        RECEIVED = "received", _("received")
        QUEUED = "queued", _("queued")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    message = models.OneToOneField("tickets.Message", on_delete=models.CASCADE, related_name="email")
    mailbox = models.ForeignKey(Mailbox, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    raw = models.ForeignKey(RawEmail, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    direction = models.CharField(max_length=3, choices=Direction.choices)
    message_id_header = models.CharField(_("Message-ID"), max_length=255, unique=True)
    in_reply_to = models.CharField(max_length=255, blank=True)
    references = models.TextField(blank=True)
    to = models.JSONField(default=list, blank=True)
    cc = models.JSONField(default=list, blank=True)
    delivery = models.CharField(max_length=10, choices=Delivery.choices)
    reason = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.message_id_header


class AutomaticReply(models.Model):
    """One automatic mail (an acknowledgement) sent to an address: the rate limit counts these rows."""

    address = models.EmailField()
    kind = models.CharField(max_length=24, default="acknowledgement")
    ticket_id = models.BigIntegerField(null=True, blank=True)
    sent_at = models.DateTimeField(default=clock.now)

    class Meta:
        indexes = [models.Index(fields=["address", "sent_at"], name="autoreply_address_sent")]

    def __str__(self) -> str:
        return f"{self.kind} to {self.address}"


def email_domain() -> str:
    """The right-hand side of our Message-IDs."""
    if settings.AWN_EMAIL_DOMAIN:
        return settings.AWN_EMAIL_DOMAIN
    from urllib.parse import urlsplit

    return urlsplit(settings.AWN_BASE_URL).hostname or "awn.invalid"
