"""What every search backend provides; `awn.search.backends.get_backend` picks one by database vendor."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Document:
    """One indexed unit: a message with its ticket's subject, or a ticket's subject alone."""

    ticket_id: int
    message_id: int | None
    internal: bool
    subject: str  # raw text; the backend stores `awn.core.text.search_text` of it
    body: str


@dataclass(frozen=True)
class Terms:
    """Normalized query words, all required.

    Each entry of `words` is a group of alternative forms, any of which may match; the forms of the last group
    also match as prefixes when `prefix` is set.
    """

    words: tuple[tuple[str, ...], ...]
    prefix: bool


@dataclass(frozen=True)
class Hit:
    ticket_id: int
    score: float  # higher is more relevant
    document_id: int  # documents are numbered in the order their text was written: higher is more recent


class SearchBackend:
    vendor = ""

    def add_documents(self, documents: Sequence[Document], *, new_tickets: bool = False) -> None:
        """Index `documents`. `new_tickets`: their tickets were created in the current transaction, so no
        other transaction can change them before it commits."""
        raise NotImplementedError

    def find(
        self, *, terms: Terms, keys: Sequence[str] | None, include_internal: bool, window: int
    ) -> list[Hit]:
        """The `window` newest documents matching `terms` that hold one of `keys`, with their relevance.

        `keys` are visibility keys (awn.search.scope); None means every document. Exactly the newest ones:
        a backend may choose how to find them, not which.
        """
        raise NotImplementedError

    def rebuild(self, *, batch_size: int, progress: Progress | None = None) -> int:
        """Recreate the whole index from tickets and messages; returns the number of documents."""
        raise NotImplementedError
