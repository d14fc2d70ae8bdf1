"""Words written now for people to read later, kept so that they can be said again in the reader's language.

What an automatic process did (a rule's "priority → High") used to be translated into the language active
when it ran (the worker's, or that of whoever's change set the rule off) and stored so: an Arabic agent read
the rule log in English. `Said` is that text as a `str`, which also remembers its message id (marked for
translation with `gettext_noop`) and its data; `said_again` puts stored words into the active language.
Data are names, numbers and other `Said` words (a status's label is said again in the reader's language too).
"""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext


class Said(str):
    msgid: str
    params: dict[str, Any]

    def __new__(cls, msgid: str, **params: Any) -> Said:
        said = super().__new__(cls, say(msgid, params))
        said.msgid, said.params = msgid, params
        return said

    @classmethod
    def label(cls, label: Any) -> Said:
        """A choice's lazy label (`Priority.HIGH.label`): its English text is its message id."""
        with translation.override("en"):
            return cls(str(label))

    def as_data(self) -> dict[str, Any]:
        return {
            "msgid": self.msgid,
            "params": {k: v.as_data() if isinstance(v, Said) else v for k, v in self.params.items()},
        }


def say(msgid: str, params: dict[str, Any]) -> str:
    """`msgid` in the active language with its data (English when a translation lost a placeholder)."""
    # Always interpolated (the message ids are python-format): a placeholder without its value is an error.
    text = gettext(msgid)
    values = (
        {k: str(v) for k, v in params.items()}
        if any(isinstance(v, Said) for v in params.values())
        else params
    )
    try:
        return text % values
    except (KeyError, TypeError, ValueError):  # a translation that lost a placeholder: the English words
        return msgid % values


def said_again(data: Any, fallback: str) -> str:
    """Stored words (`Said.as_data()`) in the active language; `fallback` (the text stored beside them) when
    there are none or they cannot be read."""
    if not isinstance(data, dict) or not isinstance(data.get("msgid"), str):
        return fallback
    params = data.get("params") or {}
    if not isinstance(params, dict):
        return fallback
    values = {k: said_again(v, "") if isinstance(v, dict) else v for k, v in params.items()}
    try:
        return say(data["msgid"], values)
    except (KeyError, TypeError, ValueError):
        return fallback
