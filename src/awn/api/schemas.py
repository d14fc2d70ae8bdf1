"""Request and response shapes of API v1, and the functions that turn domain objects into responses.

Input schemas are strict (a string is not a number, "yes" is not a boolean) and refuse unknown keys, so a typo
in a client is a clear 422 instead of a silently ignored field.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import ConfigDict, field_validator, model_validator

from awn.accounts.models import Organization, Team, User
from awn.tickets.models import Attachment, Channel, Message, Priority, Ticket

# A row's id as both databases store it, a signed 64-bit integer. A larger number names no row, and SQLite's
# driver cannot even send it (OverflowError, a 500): every id the API reads is one of these, so such a number
# is refused as invalid input (422). 0 is allowed where a filter gives it a meaning ("no team").
RowId = Annotated[int, Field(ge=0, le=2**63 - 1)]

PRIORITY_NAMES: dict[int, str] = {int(p.value): p.name.lower() for p in Priority}
PRIORITY_VALUES: dict[str, int] = {name: value for value, name in PRIORITY_NAMES.items()}

PriorityName = Literal["low", "normal", "high", "urgent"]
StatusName = Literal["new", "open", "pending", "on_hold", "solved", "closed"]
ChannelName = Literal["web", "email", "chat", "api", "phone"]
RoleName = Literal["admin", "manager", "agent", "customer"]

MAX_TEXT = 2_000_000  # characters of one message body; bigger is a mistake or an attack, not a message


# --- Errors ------------------------------------------------------------------------------------------


class ErrorDetail(Schema):
    field: str
    message: str
    type: str = ""


class ErrorBody(Schema):
    code: str = Field(..., examples=["validation_error"])
    message: str
    field: str | None = None
    details: list[ErrorDetail] | None = None


class ErrorOut(Schema):
    error: ErrorBody


ERRORS = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    413: ErrorOut,
    422: ErrorOut,
}


# --- Output ------------------------------------------------------------------------------------------


class UserRef(Schema):
    id: int
    email: str
    name: str


class OrganizationRef(Schema):
    id: int
    name: str


class TeamRef(Schema):
    id: int
    name: str


class TicketOut(Schema):
    id: int
    number: int
    subject: str
    status: StatusName
    priority: PriorityName
    channel: ChannelName
    requester: UserRef
    organization: OrganizationRef | None
    team: TeamRef | None
    assignee: UserRef | None
    tags: list[str]
    merged_into: int | None
    created_at: datetime
    updated_at: datetime
    first_response_at: datetime | None
    solved_at: datetime | None
    url: str


class TicketPage(Schema):
    items: list[TicketOut]
    next_cursor: str | None = Field(None, description="Pass as `cursor` for the next page; null at the end.")


class SearchResults(Schema):
    items: list[TicketOut]


class AttachmentOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int
    url: str


class MessageOut(Schema):
    id: int
    ticket: int
    author: UserRef | None
    internal: bool
    channel: ChannelName
    body: str
    html: str
    created_at: datetime
    attachments: list[AttachmentOut]


class MessagePage(Schema):
    items: list[MessageOut]
    next_offset: int | None


class UserOut(Schema):
    id: int
    email: str
    name: str
    role: RoleName
    phone: str
    language: str
    timezone: str
    organization: OrganizationRef | None
    plan: str
    attributes: dict[str, Any]
    is_active: bool
    created_at: datetime


class MeOut(UserOut):
    teams: list[TeamRef]


class UserPage(Schema):
    items: list[UserOut]
    next_offset: int | None


class OrganizationOut(Schema):
    id: int
    name: str
    domains: list[str]
    shared_tickets: bool
    created_at: datetime


class OrganizationPage(Schema):
    items: list[OrganizationOut]
    next_offset: int | None


class TeamOut(Schema):
    id: int
    name: str
    tier: int
    visibility: Literal["team", "all"]
    members: list[UserRef]


class TeamPage(Schema):
    items: list[TeamOut]
    next_offset: int | None


# --- Input -------------------------------------------------------------------------------------------


class Input(Schema):
    model_config = ConfigDict(strict=True, extra="forbid")


class AttachmentIn(Input):
    filename: str = Field(..., min_length=1, max_length=255)
    content_type: str = Field("application/octet-stream", max_length=127)
    content_base64: str


class MessageBodyIn(Input):
    body: str = Field("", max_length=MAX_TEXT, description="Plain text. Give `body`, `html`, or both.")
    html: str = Field("", max_length=MAX_TEXT, description="HTML; sanitized (no scripts, styles, handlers).")
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=100)

    @model_validator(mode="after")
    def _has_content(self) -> MessageBodyIn:
        if not self.body.strip() and not self.html.strip():
            raise ValueError(_("Give the message a `body` or an `html`."))
        return self


class RequesterIn(Input):
    email: str = Field(..., max_length=254)
    name: str = Field("", max_length=200)

    @field_validator("email")
    @classmethod
    def _valid_email(cls, value: str) -> str:
        value = value.strip().lower()
        try:
            validate_email(value)
        except DjangoValidationError as exc:
            raise ValueError(_("Enter a valid email address.")) from exc
        return value


class TicketCreateIn(Input):
    subject: str = Field(..., min_length=1, max_length=255)
    message: MessageBodyIn
    requester: RequesterIn | None = Field(
        None, description="Required for staff; a customer's ticket is always their own."
    )
    priority: PriorityName | None = None
    tags: list[str] = Field(default_factory=list, max_length=50)
    team: RowId | None = None


class TicketUpdateIn(Input):
    """Only the keys present change; `assignee` and `team` may be null (unassigned, no team)."""

    status: StatusName | None = None
    priority: PriorityName | None = None
    assignee: RowId | None = None
    team: RowId | None = None
    tags: list[str] | None = Field(None, max_length=50)
    subject: str | None = Field(None, min_length=1, max_length=255)


class MergeIn(Input):
    into: RowId = Field(..., description="The ticket that receives this one's conversation.")


class MessageCreateIn(MessageBodyIn):
    internal: bool = Field(False, description="An internal note, visible to staff only.")
    status: StatusName | None = Field(None, description="Staff only: set the status in the same step.")


class MessageFormIn(Schema):
    """The text fields of a multipart message (form fields are strings, so types are coerced here)."""

    body: str = Field("", max_length=MAX_TEXT)
    html: str = Field("", max_length=MAX_TEXT)
    internal: bool = False
    status: StatusName | None = None

    @field_validator("status", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @model_validator(mode="after")
    def _has_content(self) -> MessageFormIn:
        if not self.body.strip() and not self.html.strip():
            raise ValueError(_("Give the message a `body` or an `html`."))
        return self


class TicketListQuery(Schema):
    view: Literal["mine", "unassigned", "teams", "all", "recent"] = "all"
    sort: Literal["updated", "newest", "oldest", "priority"] = "updated"
    cursor: str | None = Field(None, max_length=500)
    limit: int = Field(50, ge=1, le=100)
    status: list[str] = Field(default_factory=list, description="Repeat or comma-separate.")
    priority: list[str] = Field(default_factory=list, description="low, normal, high, urgent.")
    team: RowId | None = Field(None, description="0 for tickets without a team.")
    assignee: RowId | None = Field(None, description="0 for unassigned tickets.")
    tag: str | None = Field(None, max_length=64)
    channel: str | None = None
    requester: RowId | None = None
    organization: RowId | None = None


class PageQuery(Schema):
    limit: int = Field(50, ge=1, le=100)
    offset: int = Field(0, ge=0, le=1_000_000)


class UserListQuery(PageQuery):
    role: RoleName | None = None
    organization: RowId | None = None
    q: str | None = Field(None, max_length=200, description="Part of a name or an email address.")


# --- Presenters --------------------------------------------------------------------------------------


def user_ref(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "email": user.email, "name": user.name}


def ticket_out(ticket: Ticket, request: HttpRequest) -> dict[str, Any]:
    # Tags come from a prefetch on lists; `.all()` keeps using it.
    tags = sorted(tag.name for tag in ticket.tags.all())
    return {
        "id": ticket.pk,
        "number": ticket.number,
        "subject": ticket.subject,
        "status": ticket.status,
        "priority": PRIORITY_NAMES.get(ticket.priority, "normal"),
        "channel": ticket.channel,
        "requester": user_ref(ticket.requester),
        "organization": organization_ref(ticket.organization) if ticket.organization_id else None,
        "team": {"id": ticket.team.pk, "name": ticket.team.name} if ticket.team is not None else None,
        "assignee": user_ref(ticket.assignee) if ticket.assignee_id else None,
        "tags": tags,
        "merged_into": ticket.merged_into_id,
        "created_at": ticket.created_at,
        "updated_at": ticket.updated_at,
        "first_response_at": ticket.first_response_at,
        "solved_at": ticket.solved_at,
        "url": request.build_absolute_uri(reverse("api:ticket", kwargs={"ticket_id": ticket.pk})),
    }


def attachment_out(attachment: Attachment, request: HttpRequest) -> dict[str, Any]:
    return {
        "id": attachment.pk,
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "url": request.build_absolute_uri(reverse("api:attachment", kwargs={"attachment_id": attachment.pk})),
    }


def message_out(message: Message, request: HttpRequest) -> dict[str, Any]:
    return {
        "id": message.pk,
        "ticket": message.ticket_id,
        "author": user_ref(message.author) if message.author_id else None,
        "internal": message.internal,
        "channel": message.channel if message.channel in Channel.values else Channel.WEB,
        "body": message.body,
        "html": message.html,
        "created_at": message.created_at,
        "attachments": [attachment_out(a, request) for a in message.attachments.all()],
    }


def organization_ref(organization: Organization | None) -> dict[str, Any] | None:
    return {"id": organization.pk, "name": organization.name} if organization is not None else None


def user_out(user: User) -> dict[str, Any]:
    return {
        "id": user.pk,
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "phone": user.phone,
        "language": user.language,
        "timezone": user.timezone,
        "organization": organization_ref(user.organization) if user.organization_id else None,
        "plan": user.plan,
        "attributes": user.attributes if isinstance(user.attributes, dict) else {},
        "is_active": user.is_active,
        "created_at": user.created_at,
    }


def organization_out(organization: Organization) -> dict[str, Any]:
    return {
        "id": organization.pk,
        "name": organization.name,
        "domains": [str(d) for d in (organization.domains or [])],
        "shared_tickets": organization.shared_tickets,
        "created_at": organization.created_at,
    }


def team_out(team: Team) -> dict[str, Any]:
    return {
        "id": team.pk,
        "name": team.name,
        "tier": team.tier,
        "visibility": team.visibility,
        "members": [user_ref(member) for member in team.members.all()],
    }
