"""Why the ride-along planner chose what it did, as data: a message key of the ride-along locale files
(service/ride_along/locales) with its values. The JSON carries each reason's English sentence too, for programs
and for readers of the API; the page and the text format say it in the supervisor's language."""

from __future__ import annotations

from pydantic import BaseModel, Field

from service.core.i18n import Translator

ENGLISH = Translator("en")


class Reason(BaseModel):
    key: str = Field(description="what kind of reason (stable, for programs): a key of ride_along.reason")
    values: dict[str, str | int] = Field(
        default_factory=dict, description="the reason's figures: codes, dates (ISO), sequence numbers, percentages"
    )
    text: str = Field(description="the reason as an English sentence")


def reason(key: str, **values: str | int) -> Reason:
    return Reason(key=key, values=values, text=say(key, values, ENGLISH))


def say(key: str, values: dict[str, str | int], t: Translator) -> str:
    """The reason in `t`'s language; a channel value by its name in that language."""
    shown = {name: t.channel(str(value)) if name == "channel" else value for name, value in values.items()}
    return t.messages["ride_along.reason"][key].format(**shown)


def said(reasons: list[Reason], t: Translator) -> list[str]:
    return [say(r.key, r.values, t) for r in reasons]
