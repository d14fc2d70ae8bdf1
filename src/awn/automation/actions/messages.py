"""Actions that write to the conversation: a reply to the requester, an internal note."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from pydantic import Field, field_validator, model_validator

from awn.automation.actions.base import Action, ActionParams, RunContext, register
from awn.automation.placeholders import choose_variant, render, unknown_placeholders
from awn.core.words import Said
from awn.tickets.models import Ticket
from awn.tickets.services.automated import add_automated_reply, add_system_note

MAX_BODY = 20_000


def _no_unknown_placeholders(text: str) -> str:
    unknown = unknown_placeholders(text)
    if unknown:
        raise ValueError(_("unknown placeholders: %(names)s") % {"names": ", ".join(unknown)})
    return text


class ReplyParams(ActionParams):
    body: str = Field(default="", max_length=MAX_BODY)
    # Per-language texts: {"ar": "...", "fa": "..."}; the ticket's language picks one, else `body`.
    variants: dict[str, str] = Field(default_factory=dict, max_length=20)
    saved_reply: int | None = None

    @field_validator("body")
    @classmethod
    def _placeholders(cls, value: str) -> str:
        return _no_unknown_placeholders(value)

    @field_validator("variants")
    @classmethod
    def _variant_placeholders(cls, value: dict[str, str]) -> dict[str, str]:
        for language, text in value.items():
            if not language or len(language) > 8:
                raise ValueError(_("%(code)s is not a language code") % {"code": repr(language)})
            _no_unknown_placeholders(text)
        return value

    @model_validator(mode="after")
    def _something_to_say(self) -> ReplyParams:
        if not self.body.strip() and not self.saved_reply:
            raise ValueError(_("a reply needs a body or a saved reply"))
        return self


@register
class Reply(Action[ReplyParams]):
    """Answer the requester from a template (an acknowledgement, a reminder, an out-of-hours notice)."""

    type = "reply"
    label = gettext_lazy("Reply to the requester")
    Params = ReplyParams

    def check(self) -> None:
        from awn.automation.models import SavedReply

        if (
            self.params.saved_reply
            and not SavedReply.objects.filter(pk=self.params.saved_reply, owner__isnull=True).exists()
        ):
            raise ValueError(
                _("reply: shared saved reply %(id)s does not exist") % {"id": self.params.saved_reply}
            )

    def text_for(self, ticket: Ticket) -> str:
        languages = (ticket.language, getattr(ticket.requester, "language", ""))
        if self.params.saved_reply:
            from awn.automation.saved_replies import text_of

            template = text_of(self.params.saved_reply, *languages)
            if template is None:
                raise ValueError(f"saved reply {self.params.saved_reply} no longer exists")
        else:
            template = choose_variant(self.params.body, self.params.variants, *languages)
        return render(template, ticket=ticket, agent=None)

    def preview(self, ticket: Ticket) -> str:
        return Said(gettext_noop("reply: “%(text)s”"), text=_shorten(self.text_for(ticket)))

    def apply(self, ticket: Ticket, context: RunContext) -> str:
        from awn.automation.outbound import queue_reply

        text = self.text_for(ticket)
        queue_reply(add_automated_reply(ticket=ticket, by=context.actor, body=text))
        return Said(gettext_noop("reply: “%(text)s”"), text=_shorten(text))


class NoteParams(ActionParams):
    body: str = Field(min_length=1, max_length=MAX_BODY)

    @field_validator("body")
    @classmethod
    def _placeholders(cls, value: str) -> str:
        return _no_unknown_placeholders(value)


@register
class AddNote(Action[NoteParams]):
    type = "add_note"
    label = gettext_lazy("Add an internal note")
    Params = NoteParams

    def preview(self, ticket: Ticket) -> str:
        return Said(gettext_noop("note: “%(text)s”"), text=_shorten(render(self.params.body, ticket=ticket)))

    def apply(self, ticket: Ticket, context: RunContext) -> str:
        text = render(self.params.body, ticket=ticket)
        add_system_note(ticket=ticket, by=context.actor, body=text)
        return Said(gettext_noop("note: “%(text)s”"), text=_shorten(text))


def _shorten(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
