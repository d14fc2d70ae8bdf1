"""Rules and rule sets, in the admins' order: list, create, edit, reorder, switch on and off, delete."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from awn.automation import services
from awn.automation.actions import ACTIONS
from awn.automation.conditions import FIELDS
from awn.automation.forms import RuleForm, RuleSetForm
from awn.automation.models import Rule, RuleSet
from awn.automation.placeholders import PLACEHOLDERS
from awn.core.errors import DomainError
from awn.desk.views.access import admin_required


def _apply_error(form, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


@admin_required
def rules_list(request):
    sets = list(RuleSet.objects.prefetch_related("rules").order_by("position", "id"))
    return render(request, "automation/rules.html", {"sets": sets, "section": "rules"})


def reference() -> dict:
    """What the rule form shows beside the JSON: every field with its operators, every action, and the data
    the form builder needs to offer names instead of ids."""
    return {
        "fields": [(name, spec.label, spec.ops, spec.choices) for name, spec in FIELDS.items()],
        "actions": [
            (name, cls.label, list(cls.Params.model_fields)) for name, cls in sorted(ACTIONS.items())
        ],
        "placeholders": [f"{{{{ {a}.{b} }}}}" for a, b in PLACEHOLDERS],
        "builder": builder_data(),
    }


def _pairs(rows) -> list[list]:
    return [[value, str(label)] for value, label in rows]


def builder_data() -> dict:
    """Fields, operators, actions and their parameters, with the choices (names for ids) of the builder."""
    from awn.accounts.models import STAFF_ROLES, Organization, Team, Tier, User
    from awn.automation.models import SavedReply, Webhook
    from awn.calendars.models import BusinessCalendar
    from awn.tickets.models import Channel, Priority, Status

    staff = User.objects.filter(role__in=STAFF_ROLES, is_active=True)
    options = {
        "teams": _pairs(Team.objects.values_list("pk", "name")),
        "agents": _pairs((person.pk, person.display_name) for person in staff),
        "organizations": _pairs(Organization.objects.values_list("pk", "name")[:500]),
        "calendars": [
            [None, _("Default calendar")],
            *_pairs(BusinessCalendar.objects.values_list("pk", "name")),
        ],
        "webhooks": _pairs(Webhook.objects.values_list("pk", "name")),
        "saved_replies": _pairs(SavedReply.objects.filter(owner__isnull=True).values_list("pk", "title")),
        "statuses": _pairs(Status.choices),
        "priorities": _pairs(Priority.choices),
        "channels": _pairs(Channel.choices),
        "tiers": _pairs(Tier.choices),
        "to": [["assignee", _("the assignee")], ["team", _("the team")], ["managers", _("managers")]],
    }
    field_options = {
        "team": "teams",
        "assignee": "agents",
        "organization": "organizations",
        "business_hours": "calendars",
        "status": "statuses",
        "priority": "priorities",
        "channel": "channels",
        "tier": "tiers",
    }
    fields = [
        {
            "name": name,
            "label": str(spec.label),
            "ops": list(spec.ops),
            "kind": spec.kind,
            "key": spec.needs_key,
            "options": field_options.get(name),
        }
        for name, spec in FIELDS.items()
    ]
    param_options = {
        "team": "teams",
        "assignee": "agents",
        "webhook": "webhooks",
        "saved_reply": "saved_replies",
        "status": "statuses",
        "priority": "priorities",
        "tier": "tiers",
        "teams": "teams",
        "users": "agents",
        "to": "to",
    }
    actions = []
    for name, cls in sorted(ACTIONS.items()):
        params = []
        for param, info in cls.Params.model_json_schema().get("properties", {}).items():
            kinds = [info.get("type")] + [item.get("type") for item in info.get("anyOf", [])]
            kind = next((k for k in kinds if k and k != "null"), "string")
            if kind == "object":
                continue  # texts per language: edited in the JSON
            params.append(
                {
                    "name": param,
                    "kind": kind,
                    "options": param_options.get(param),
                    "long": param in ("body", "text", "reason"),
                }
            )
        actions.append({"type": name, "label": str(cls.label), "params": params})
    labels = {
        "add_condition": _("Add a condition"),
        "add_action": _("Add an action"),
        "remove": _("Remove"),
        "all": _("All of these"),
        "any": _("Any of these"),
        "key": _("Attribute"),
        "comma": _("separate several with commas"),
    }
    return {"fields": fields, "actions": actions, "options": options, "labels": labels}


def _rule_form_page(request, form, rule, status=200):
    return render(
        request,
        "automation/rule_form.html",
        {"form": form, "rule": rule, "section": "rules", **reference()},
        status=status,
    )


@admin_required
def rule_edit(request, pk: int | None = None):
    rule = get_object_or_404(Rule, pk=pk) if pk else None
    if rule is None and not RuleSet.objects.exists():
        messages.info(request, _("Create a rule set first: rules live in ordered sets."))
        return redirect("automation:rule_set_new")
    initial = {"rule_set": request.GET.get("set")}
    if rule is not None:
        initial = {
            "name": rule.name,
            "rule_set": rule.rule_set_id,
            "event": rule.event,
            "is_active": rule.is_active,
            "description": rule.description,
            "conditions": rule.conditions,
            "actions": rule.actions,
        }
    form = RuleForm(request.POST or None, initial=initial)
    if request.method != "POST":
        return _rule_form_page(request, form, rule)
    if not form.is_valid():
        return _rule_form_page(request, form, rule, status=422)
    data = form.cleaned_data
    try:
        saved = services.save_rule(
            by=request.user,
            rule_set=data["rule_set"],
            name=data["name"],
            event=data["event"],
            conditions=data["conditions"],
            actions=data["actions"],
            description=data["description"],
            is_active=data["is_active"],
            rule=rule,
        )
    except DomainError as exc:
        _apply_error(form, exc)
        return _rule_form_page(request, form, rule, status=exc.status)
    messages.success(request, _("Rule “%(name)s” saved.") % {"name": saved.name})
    return redirect("automation:rules")


@admin_required
@require_POST
def rule_delete(request, pk: int):
    rule = get_object_or_404(Rule, pk=pk)
    services.delete_rule(by=request.user, rule=rule)
    messages.success(request, _("Rule “%(name)s” deleted.") % {"name": rule.name})
    return redirect("automation:rules")


@admin_required
@require_POST
def rule_move(request, pk: int):
    rule = get_object_or_404(Rule, pk=pk)
    services.move_rule(by=request.user, rule=rule, step=-1 if request.POST.get("direction") == "up" else 1)
    return redirect("automation:rules")


@admin_required
@require_POST
def rule_toggle(request, pk: int):
    rule = get_object_or_404(Rule, pk=pk)
    services.set_rule_active(by=request.user, rule=rule, is_active=not rule.is_active)
    return redirect("automation:rules")


@admin_required
def rule_set_edit(request, pk: int | None = None):
    rule_set = get_object_or_404(RuleSet, pk=pk) if pk else None
    initial = {}
    if rule_set is not None:
        initial = {
            "name": rule_set.name,
            "mode": rule_set.mode,
            "description": rule_set.description,
            "is_active": rule_set.is_active,
        }
    form = RuleSetForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.save_rule_set(by=request.user, rule_set=rule_set, **form.cleaned_data)
            except DomainError as exc:
                _apply_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _("Rule set saved."))
                return redirect("automation:rules")
    return render(
        request,
        "automation/rule_set_form.html",
        {"form": form, "rule_set": rule_set, "section": "rules"},
        status=status,
    )


@admin_required
@require_POST
def rule_set_move(request, pk: int):
    rule_set = get_object_or_404(RuleSet, pk=pk)
    services.move_rule_set(
        by=request.user, rule_set=rule_set, step=-1 if request.POST.get("direction") == "up" else 1
    )
    return redirect("automation:rules")


@admin_required
@require_POST
def rule_set_delete(request, pk: int):
    rule_set = get_object_or_404(RuleSet, pk=pk)
    services.delete_rule_set(by=request.user, rule_set=rule_set)
    messages.success(request, _("Rule set “%(name)s” deleted.") % {"name": rule_set.name})
    return redirect("automation:rules")
