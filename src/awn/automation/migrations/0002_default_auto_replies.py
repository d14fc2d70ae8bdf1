"""Ship the acknowledgement and the out-of-hours reply as ordinary rules, switched off, for admins to edit.

They are off by default: an installation turns them on once it has a business calendar (for the second) and
has decided whether its mailboxes' own acknowledgements (the email channel) or these rules answer.
"""

from django.db import migrations

ACKNOWLEDGE = {
    "body": "Hello {{ requester.first_name }},\n\nWe received your request #{{ ticket.number }} "
    "“{{ ticket.subject }}” and will answer as soon as we can.\n\n{{ helpdesk.name }}",
    "variants": {
        "ar": "مرحبًا {{ requester.first_name }}،\n\nاستلمنا طلبك رقم {{ ticket.number }} "
        "«{{ ticket.subject }}» وسنرد عليك في أقرب وقت.\n\n{{ helpdesk.name }}",
        "fa": "سلام {{ requester.first_name }}،\n\nدرخواست شما به شمارهٔ {{ ticket.number }} "
        "«{{ ticket.subject }}» را دریافت کردیم و به‌زودی پاسخ می‌دهیم.\n\n{{ helpdesk.name }}",
    },
}
OUT_OF_HOURS = {
    "body": "Hello {{ requester.first_name }},\n\nWe received your request #{{ ticket.number }} outside our "
    "business hours. We are back on {{ business.next_open }} and will answer then.\n\n{{ helpdesk.name }}",
    "variants": {
        "ar": "مرحبًا {{ requester.first_name }}،\n\nاستلمنا طلبك رقم {{ ticket.number }} خارج ساعات العمل. "
        "نعود في {{ business.next_open }} وسنرد عليك حينها.\n\n{{ helpdesk.name }}",
        "fa": "سلام {{ requester.first_name }}،\n\nدرخواست شما به شمارهٔ {{ ticket.number }} خارج از ساعات کاری "
        "رسید. از {{ business.next_open }} در خدمت شما هستیم و پاسخ می‌دهیم.\n\n{{ helpdesk.name }}",
    },
}


def add_defaults(apps, schema_editor):
    RuleSet = apps.get_model("automation", "RuleSet")
    Rule = apps.get_model("automation", "Rule")
    if RuleSet.objects.filter(name="Auto-replies").exists():
        return
    replies = RuleSet.objects.create(
        name="Auto-replies",
        mode="first_match",
        position=0,
        description="Shipped with Awn, switched off: the out-of-hours reply wins over the acknowledgement.",
    )
    Rule.objects.create(
        rule_set=replies,
        position=1,
        name="Outside business hours",
        event="created",
        is_active=False,
        description="Needs a default business calendar.",
        conditions={
            "all": [
                {"field": "business_hours", "op": "outside", "value": None},
                {"field": "channel", "op": "in", "value": ["email", "web", "api"]},
            ]
        },
        actions=[{"type": "reply", **OUT_OF_HOURS}],
    )
    Rule.objects.create(
        rule_set=replies,
        position=2,
        name="Acknowledge new requests",
        event="created",
        is_active=False,
        conditions={"all": [{"field": "channel", "op": "in", "value": ["email", "web", "api"]}]},
        actions=[{"type": "reply", **ACKNOWLEDGE}],
    )


def remove_defaults(apps, schema_editor):
    apps.get_model("automation", "RuleSet").objects.filter(name="Auto-replies").delete()


class Migration(migrations.Migration):
    dependencies = [("automation", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, remove_defaults)]
