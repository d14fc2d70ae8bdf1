"""The desk shows each message's email side: delivery state (queued, sent, failed with the reason) of our
replies, and a link to the original of received mail. One query for the whole thread."""

from __future__ import annotations

from django import template

from awn.connectors.email.outbound import deliveries_for

register = template.Library()


@register.simple_tag
def email_deliveries(thread) -> dict:
    return deliveries_for([message.pk for message in thread])


@register.inclusion_tag("email/_delivery.html")
def email_delivery(deliveries: dict, message) -> dict:
    return {"record": deliveries.get(message.pk), "message": message}
