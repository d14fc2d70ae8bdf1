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
class Scope:
    """The tickets a search may return.

    A small scope (a customer's own tickets) comes as the ticket ids themselves, and the backend looks at
    those tickets' documents first. A large one (an agent's teams) comes as SQL selecting the ids (one column
    named `id`), and the backend walks the index's matches, newest first, checking each against it.
    """

    sql: str = ""
    params: tuple = ()
    ticket_ids: tuple[int, ...] | None = None

    @property
    def small(self) -> bool:
        return self.ticket_ids is not None


@dataclass(frozen=True)
class Hit:
    ticket_id: int
    score: float  # higher is more relevant
    document_id: int  # documents are numbered in the order their text was written: higher is more recent


class SearchBackend:
    vendor = ""
    # Up to this many visible tickets, search starts from the user's tickets rather than the index's matches.
    small_scope_tickets = 1000

    def add_documents(self, documents: Sequence[Document]) -> None:
        raise NotImplementedError

    def find(
        self, *, terms: Terms, scope: Scope | None, include_internal: bool, window: int, enough: int = 1
    ) -> list[Hit]:
        """Up to `window` of the newest matching documents with their relevance, within `scope` (None: all).

        A backend may stop looking once it has `enough` of them, when finding more would be costly.
        """
        raise NotImplementedError

    def rebuild(self, *, batch_size: int, progress: Progress | None = None) -> int:
        """Recreate the whole index from tickets and messages; returns the number of documents."""
        raise NotImplementedError
