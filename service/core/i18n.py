"""The service's two languages, zh-CN and English: which one a request gets, and the translated texts (the pages',
and the outlet importer's problems).

The texts live in locale files, one per language with the same keys in both, so that a translator edits data,
not code: the shared texts in service/pages/locales/<language>.json, each feature's own pages' texts in
service/<feature>/locales/<language>.json. A key belongs to one file only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from service.core.errors import InvalidInput

LANGUAGES = ("zh-CN", "en")
DEFAULT_LANGUAGE = "zh-CN"  # the service is for sales offices in China
_SERVICE = Path(__file__).resolve().parent.parent


def locale_files(language: str) -> list[Path]:
    """The shared file first, then the features' files in name order."""
    shared = _SERVICE / "pages" / "locales" / f"{language}.json"
    return [shared] + sorted(p for p in _SERVICE.glob(f"*/locales/{language}.json") if p != shared)


@cache
def messages(language: str) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    origin: dict[str, Path] = {}
    for path in locale_files(language):
        for key, text in json.loads(path.read_text(encoding="utf-8")).items():
            if key in merged:
                raise RuntimeError(f"locale key {key!r} is in both {origin[key]} and {path}")
            merged[key], origin[key] = text, path
    return merged


def _language_of_tag(tag: str) -> str | None:
    """'zh', 'zh-CN', 'zh-Hans-CN', 'en-GB', ... -> one of LANGUAGES, or None."""
    primary = tag.strip().lower().split("-")[0]
    return {"zh": "zh-CN", "en": "en"}.get(primary)


def _accepted(header: str) -> list[tuple[float, int, str]]:
    """Accept-Language entries as (-q, position, tag), best first; malformed q values count as 0."""
    entries = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if tag and q > 0:
            entries.append((-q, position, tag))
    return sorted(entries)


def choose_language(lang: str | None, accept_language: str | None) -> str:
    """The `lang` parameter if given (it must name a language we have), else the browser's best
    Accept-Language we have, else zh-CN."""
    if lang is not None:
        language = _language_of_tag(lang) if lang.strip() else None
        if language is None:
            raise InvalidInput(f"unknown language {lang!r}; expected one of {', '.join(LANGUAGES)}", ("query", "lang"))
        return language
    for _q, _position, tag in _accepted(accept_language or ""):
        if (language := _language_of_tag(tag)) is not None:
            return language
    return DEFAULT_LANGUAGE


@dataclass(frozen=True)
class Translator:
    language: str

    @property
    def messages(self) -> dict[str, Any]:
        return messages(self.language)

    def __call__(self, key: str, **values: Any) -> str:
        return self.messages[key].format(**values)

    def channel(self, channel: str) -> str:
        """The channel's name; an unknown channel shows as stored rather than failing the page."""
        return self.messages["channels"].get(channel, channel)

    def reason(self, reason: str) -> str:
        return self.messages["reasons"].get(reason, reason)

    def weekday(self, weekday: int) -> str:
        return self.messages["weekdays"][weekday]
