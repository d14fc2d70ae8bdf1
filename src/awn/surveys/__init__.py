"""Surveys: CSAT ratings on replies and solved tickets, NPS by email after a ticket is solved."""
