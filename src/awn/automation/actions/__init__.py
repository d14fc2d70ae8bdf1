"""Rule actions, one small class each (STYLE.md §8); `parse_actions` validates a rule's JSON list."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from pydantic import ValidationError

from awn.automation.actions import messages as _messages  # noqa: F401 - importing registers the actions
from awn.automation.actions import notify, routing, ticket_fields, webhook  # noqa: F401
from awn.automation.actions.base import ACTIONS, Action, RunContext
from awn.automation.conditions import schema_problem

MAX_ACTIONS = 30


class ActionError(ValueError):
    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


def parse_actions(raw: Any, *, check: bool = False) -> list[Action]:
    """Validate a list of `{"type": ..., ...params}`; `check` also verifies referenced rows exist."""
    if raw in (None, ""):
        raw = []
    if not isinstance(raw, list):
        raise ActionError([_("actions must be a list")])
    if len(raw) > MAX_ACTIONS:
        raise ActionError([_("at most %(count)s actions") % {"count": MAX_ACTIONS}])
    parsed, problems = [], []
    for index, item in enumerate(raw):
        if not isinstance(item, dict) or not isinstance(item.get("type"), str):
            problems.append(_("action %(number)s: needs a type") % {"number": index + 1})
            continue
        cls = ACTIONS.get(item["type"])
        if cls is None:
            problems.append(
                _("action %(number)s: unknown type %(type)s")
                % {"number": index + 1, "type": repr(item["type"])}
            )
            continue
        params = {key: value for key, value in item.items() if key != "type"}
        try:
            action = cls(cls.Params.model_validate(params))
            if check:
                action.check()
        except ValidationError as exc:
            for error in exc.errors():
                where = ".".join(str(part) for part in error.get("loc", ()))
                problems.append(
                    _("action %(number)s (%(type)s)%(where)s: %(message)s")
                    % {
                        "number": index + 1,
                        "type": cls.type,
                        "where": " " + where if where else "",
                        "message": schema_problem(error),
                    }
                )
            continue
        except ValueError as exc:
            problems.append(_("action %(number)s: %(message)s") % {"number": index + 1, "message": exc})
            continue
        parsed.append(action)
    if problems:
        raise ActionError(problems)
    return parsed


__all__ = ["ACTIONS", "Action", "ActionError", "RunContext", "parse_actions"]
