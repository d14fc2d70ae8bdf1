"""Writes to automation settings: rule sets, rules, saved replies, webhooks. Admins configure rules; every
agent keeps personal saved replies. JSON is validated by conditions.py and actions/ before anything is saved.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from awn.accounts.models import User
from awn.accounts.permissions import can_administer, is_staff
from awn.automation.actions import ActionError, parse_actions
from awn.automation.conditions import ConditionError, parse_conditions
from awn.automation.engine import rules_changed
from awn.automation.models import Rule, RuleSet, SavedReply, SavedReplyVariant, Webhook
from awn.automation.placeholders import check_text
from awn.core import clock
from awn.core.errors import NotPermitted, ValidationFailed
from awn.tickets.models import Status
from awn.tickets.services.changes import normalize_tag


def _require_admin(by: User) -> None:
    if not can_administer(by):
        raise NotPermitted(_("Only admins can change automation rules."))


def _name(value: str) -> str:
    name = " ".join((value or "").split())[:120]
    if not name:
        raise ValidationFailed(_("A name is required."), field="name")
    return name


def _changed() -> None:
    rules_changed()
    transaction.on_commit(rules_changed)  # again, for processes that read between the write and the commit


# --- rule sets ----------------------------------------------------------------------------------------------


@transaction.atomic
def save_rule_set(
    *,
    by: User,
    name: str,
    mode: str,
    description: str = "",
    is_active: bool = True,
    rule_set: RuleSet | None = None,
) -> RuleSet:
    """Create or change a rule set; a new one goes last."""
    _require_admin(by)
    name = _name(name)
    if mode not in RuleSet.Mode.values:
        raise ValidationFailed(_("Unknown mode."), field="mode")
    clash = RuleSet.objects.filter(name=name)
    if rule_set is not None:
        clash = clash.exclude(pk=rule_set.pk)
    if clash.exists():
        raise ValidationFailed(_("Another rule set already has this name."), field="name")
    if rule_set is None:
        rule_set = RuleSet(position=(RuleSet.objects.aggregate(m=Max("position"))["m"] or 0) + 1)
    rule_set.name, rule_set.mode, rule_set.description, rule_set.is_active = (
        name,
        mode,
        description,
        is_active,
    )
    rule_set.updated_at = clock.now()
    rule_set.save()
    _changed()
    return rule_set


@transaction.atomic
def delete_rule_set(*, by: User, rule_set: RuleSet) -> None:
    _require_admin(by)
    rule_set.delete()
    _changed()


# --- rules --------------------------------------------------------------------------------------------------


def validate_rule(*, event: str, conditions: Any, actions: Any) -> None:
    """Raise ValidationFailed with every problem of a rule's JSON (field "conditions" or "actions")."""
    if event not in Rule.Event.values:
        raise ValidationFailed(_("Unknown event."), field="event")
    try:
        parsed = parse_conditions(conditions)
    except ConditionError as exc:
        raise ValidationFailed("; ".join(exc.messages), field="conditions") from exc
    if event == Rule.Event.TIME and not parsed.time_conditions():
        raise ValidationFailed(
            _("A time-based rule needs an “hours since …” condition with “at least” in “all”."),
            field="conditions",
        )
    if (
        event != Rule.Event.TIME
        and any(c.spec.name == "changed" for c in parsed.all + parsed.any)
        and event != Rule.Event.UPDATED
    ):
        raise ValidationFailed(
            _("“What changed” only applies to “ticket updated” rules."), field="conditions"
        )
    try:
        parsed_actions = parse_actions(actions, check=True)
    except ActionError as exc:
        raise ValidationFailed("; ".join(exc.messages), field="actions") from exc
    if not parsed_actions:
        raise ValidationFailed(_("A rule needs at least one action."), field="actions")


@transaction.atomic
def save_rule(
    *,
    by: User,
    rule_set: RuleSet,
    name: str,
    event: str,
    conditions: Any,
    actions: Any,
    description: str = "",
    is_active: bool = True,
    rule: Rule | None = None,
) -> Rule:
    """Create or change a rule; conditions and actions are validated first, nothing is saved on error."""
    _require_admin(by)
    name = _name(name)
    validate_rule(event=event, conditions=conditions, actions=actions)
    if rule is None:
        top = Rule.objects.filter(rule_set=rule_set).aggregate(m=Max("position"))["m"]
        rule = Rule(rule_set=rule_set, created_by=by, position=(top or 0) + 1)
    elif rule.rule_set_id != rule_set.pk:
        rule.rule_set = rule_set
        rule.position = (Rule.objects.filter(rule_set=rule_set).aggregate(m=Max("position"))["m"] or 0) + 1
    rule.name, rule.event, rule.description, rule.is_active = name, event, description, is_active
    rule.conditions = conditions or {}
    rule.actions = actions
    rule.updated_at = clock.now()
    rule.save()
    _changed()
    return rule


@transaction.atomic
def delete_rule(*, by: User, rule: Rule) -> None:
    _require_admin(by)
    rule.delete()
    _changed()


@transaction.atomic
def set_rule_active(*, by: User, rule: Rule, is_active: bool) -> Rule:
    _require_admin(by)
    rule.is_active = is_active
    rule.updated_at = clock.now()
    rule.save(update_fields=["is_active", "updated_at"])
    _changed()
    return rule


@transaction.atomic
def move_rule(*, by: User, rule: Rule, step: int) -> Rule:
    """Move a rule up (step -1) or down (+1) within its set; positions are renumbered 1..n."""
    _require_admin(by)
    rules = list(
        Rule.objects.select_for_update().filter(rule_set_id=rule.rule_set_id).order_by("position", "id")
    )
    index = next(i for i, r in enumerate(rules) if r.pk == rule.pk)
    target = max(0, min(len(rules) - 1, index + step))
    rules.insert(target, rules.pop(index))
    for position, item in enumerate(rules, start=1):
        if item.position != position:
            item.position = position
            item.save(update_fields=["position"])
    _changed()
    return rules[target]


@transaction.atomic
def move_rule_set(*, by: User, rule_set: RuleSet, step: int) -> None:
    _require_admin(by)
    sets = list(RuleSet.objects.select_for_update().order_by("position", "id"))
    index = next(i for i, s in enumerate(sets) if s.pk == rule_set.pk)
    target = max(0, min(len(sets) - 1, index + step))
    sets.insert(target, sets.pop(index))
    for position, item in enumerate(sets, start=1):
        if item.position != position:
            item.position = position
            item.save(update_fields=["position"])
    _changed()


# --- saved replies ------------------------------------------------------------------------------------------


def _check_reply_actions(actions: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    unknown = set(actions) - {"status", "add_tags"}
    if unknown:
        raise ValidationFailed(_("Saved replies can set the status and add tags."), field="actions")
    if actions.get("status"):
        if actions["status"] not in Status.values:
            raise ValidationFailed(_("Unknown status."), field="actions")
        clean["status"] = actions["status"]
    if actions.get("add_tags"):
        clean["add_tags"] = sorted({normalize_tag(tag) for tag in actions["add_tags"] if tag.strip()})
    return clean


@transaction.atomic
def save_saved_reply(
    *,
    by: User,
    title: str,
    body: str,
    shared: bool,
    shortcut: str = "",
    actions: dict[str, Any] | None = None,
    variants: dict[str, str] | None = None,
    reply: SavedReply | None = None,
) -> SavedReply:
    """Create or change a saved reply: shared ones by admins, personal ones by their owner."""
    if not is_staff(by):
        raise NotPermitted(_("Only agents have saved replies."))
    if shared and not can_administer(by):
        raise NotPermitted(_("Only admins can share saved replies with everyone."))
    if reply is not None and not may_edit_saved_reply(by, reply):
        raise NotPermitted(_("You cannot change this saved reply."))
    title = " ".join((title or "").split())[:120]
    if not title:
        raise ValidationFailed(_("A title is required."), field="title")
    if not (body or "").strip():
        raise ValidationFailed(_("The text is empty."), field="body")
    check_text(body, field="body")
    clean_variants = {}
    for language, text in (variants or {}).items():
        language = (language or "").strip().lower()
        if not text.strip():
            continue
        if not language or len(language) > 8 or not language.replace("-", "").isalpha():
            raise ValidationFailed(
                _("“%(code)s” is not a language code.") % {"code": language[:16]}, field="variants"
            )
        check_text(text, field="variants")
        clean_variants[language] = text
    reply = reply or SavedReply(created_by=by)
    reply.title, reply.body = title, body
    reply.shortcut = " ".join((shortcut or "").split())[:40]
    reply.owner = None if shared else (reply.owner if reply.pk and reply.owner_id else by)
    reply.actions = _check_reply_actions(actions or {})
    reply.updated_at = clock.now()
    reply.save()
    reply.variants.all().delete()
    SavedReplyVariant.objects.bulk_create(
        [
            SavedReplyVariant(saved_reply=reply, language=language, body=text)
            for language, text in sorted(clean_variants.items())
        ]
    )
    return reply


def may_edit_saved_reply(user: User, reply: SavedReply) -> bool:
    if reply.owner_id is None:
        return can_administer(user)
    return reply.owner_id == user.pk


@transaction.atomic
def delete_saved_reply(*, by: User, reply: SavedReply) -> None:
    if not may_edit_saved_reply(by, reply):
        raise NotPermitted(_("You cannot delete this saved reply."))
    reply.delete()


# --- webhooks -----------------------------------------------------------------------------------------------


@transaction.atomic
def save_webhook(
    *, by: User, name: str, url: str, secret: str, is_active: bool = True, webhook: Webhook | None = None
) -> Webhook:
    _require_admin(by)
    name = _name(name)
    url = (url or "").strip()
    if not url.startswith(("https://", "http://")) or len(url) > 500:
        raise ValidationFailed(_("Enter an http(s) URL."), field="url")
    if webhook is None and len(secret or "") < 16:
        raise ValidationFailed(_("The signing secret needs at least 16 characters."), field="secret")
    webhook = webhook or Webhook()
    webhook.name, webhook.url, webhook.is_active = name, url, is_active
    if secret:
        webhook.secret = secret
    webhook.save()
    return webhook
