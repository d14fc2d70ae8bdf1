"""Offline language detection of incoming messages (lingua), stored on the message and the ticket.

The detector is built once per process, lazily, and only for the languages Awn ships plus common ones, so
that Arabic is told from Persian (and Urdu) without weighing every language lingua knows. Its models load
on first use of each script (a few seconds for Latin-script languages), not at start-up.
"""

from __future__ import annotations

import threading
from typing import Any

from django.db import transaction

from awn.core.text import normalize_text
from awn.tickets.models import Message, Ticket, TicketEvent
from awn.tickets.services import Actor
from awn.tickets.services.recording import record_event

# ISO 639-1 codes: Awn's own languages first, then common languages of support mail, including the
# neighbours of Arabic and Persian script that must not be confused with them.
LANGUAGES = ("en", "ar", "fa", "ur", "fr", "de", "es", "pt", "it", "nl", "tr", "ru", "he", "hi", "zh", "ja")
MIN_LETTERS = 12  # shorter Latin-script text ("ok", "thanks!") is too little to tell languages apart
MAX_CHARS = 2000  # the opening of a message says which language it is in; quoted history below it may not

_detector: Any = None
_lock = threading.Lock()


def _build() -> Any:
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    languages = [Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())) for code in LANGUAGES]
    return LanguageDetectorBuilder.from_languages(*languages).with_minimum_relative_distance(0.1).build()


def detector() -> Any:
    global _detector
    if _detector is None:
        with _lock:
            if _detector is None:
                _detector = _build()
    return _detector


def detect_language(text: str) -> str:
    """The ISO 639-1 code of `text`'s language, or "" when it is too short or too ambiguous to say."""
    text = (text or "").strip()[:MAX_CHARS]
    letters = sum(1 for char in text if char.isalpha())
    if letters == 0:
        return ""
    latin = sum(1 for char in text if char.isascii() and char.isalpha())
    if latin == letters and letters < MIN_LETTERS:
        return ""
    found = detector().detect_language_of(text)
    return found.iso_code_639_1.name.lower() if found is not None else ""


@transaction.atomic
def record_message_language(*, message: Message, by: Actor | None = None) -> str:
    """Detect and store the language of a customer's message; the ticket takes it when it has none yet
    or when the customer switched language. Writes with update(): no migration, no other column touched.
    """
    language = detect_language(message.body or normalize_text(message.html))
    if not language:
        return ""
    Message.objects.filter(pk=message.pk).update(language=language)
    ticket = Ticket.objects.select_for_update().only("pk", "language").get(pk=message.ticket_id)
    if ticket.language != language:
        Ticket.objects.filter(pk=ticket.pk).update(language=language)
        record_event(
            ticket=ticket,
            by=by or Actor.system("language detection"),
            kind=TicketEvent.Kind.LANGUAGE,
            old=ticket.language or None,
            new=language,
            message=message,
        )
    return language
