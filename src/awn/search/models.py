"""The search index's bookkeeping rows; the indexed text itself lives in the database's full-text structure.

One document per message (its ticket's subject and its body, so a query may match words from both), plus a
subject-only document for a ticket that has no message. On SQLite the text is in the FTS5 table `search_fts`
(rowid = document id, kept in step by a delete trigger); on PostgreSQL in this table's `tsv` column with a GIN
index. Both are created by the migration, outside the model, because Django has no field for either.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from awn.tickets.models import Message, Ticket


class SearchDocument(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    message = models.OneToOneField(Message, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    # Internal notes are indexed for staff; a customer's search must never match their text.
    internal = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["ticket"], condition=Q(message__isnull=True), name="search_one_subject_document"
            )
        ]

    def __str__(self) -> str:
        return f"search document {self.pk} of #{self.ticket_id}"
