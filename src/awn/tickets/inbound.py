"""The one shape every channel translates its input into before calling `receive_message`."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.files.uploadedfile import UploadedFile


@dataclass(frozen=True)
class IncomingFile:
    filename: str
    content: bytes
    content_type: str = "application/octet-stream"

    @classmethod
    def from_upload(cls, upload: UploadedFile) -> IncomingFile:
        return cls(
            filename=upload.name or "attachment",
            content=upload.read(),
            content_type=upload.content_type or "application/octet-stream",
        )


@dataclass(frozen=True)
class InboundMessage:
    """A message from a sender on a channel, with a hint of which ticket it continues."""

    channel: str
    sender_email: str
    sender_name: str = ""
    subject: str = ""
    body: str = ""
    html: str = ""
    ticket_id: int | None = None  # thread hint: the ticket the sender says this continues
    source_id: str | None = None  # dedupe key (Message-ID, idempotency key)
    cc: tuple[str, ...] = ()
    attachments: tuple[IncomingFile, ...] = field(default_factory=tuple)
    priority: int | None = None
    tags: tuple[str, ...] = ()
    team_id: int | None = None
    sender_phone: str = ""
