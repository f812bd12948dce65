"""Languages: read codes and names in any language into one :class:`Language` (langcodes).

``ja``, ``jpn``, ``Japanese``, ``japonais``, ``日本語`` all give Japanese; ``Deutsch`` gives
German. Typos raise :class:`UnknownLanguage` with suggestions.
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass

import langcodes
from babel import localedata

from cultures.errors import UnknownLanguage
from cultures.matching import fold, suggest

logger = logging.getLogger(__name__)

__all__ = ["Language", "UnknownLanguage", "main_language", "resolve_language"]

_TAG_SHAPE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*$")


@dataclass(frozen=True, slots=True)
class Language:
    """A language: BCP 47 ``code`` (``ja``, ``zh-Hant``, ``pt-BR``), English and native names."""

    code: str
    english_name: str
    native_name: str

    @property
    def base(self) -> str:
        """The language subtag alone (``zh`` for ``zh-Hant``), as translation services want it."""
        return self.code.split("-", 1)[0]

    def __str__(self) -> str:
        return self.english_name


def _known(language: langcodes.Language) -> bool:
    return language.language not in (None, "und") and not language.display_name().startswith("Unknown language")


@functools.cache
def _language(code: str) -> Language:
    language = langcodes.Language.get(code)
    return Language(code=language.to_tag(), english_name=language.display_name("en"), native_name=language.autonym())


@functools.cache
def _suggestion_names() -> dict[str, str]:
    """Folded English and native names of every language CLDR has a locale for -> English name."""
    names: dict[str, str] = {}
    for identifier in localedata.locale_identifiers():
        base = identifier.split("_", 1)[0]
        if base == "root":
            continue
        language = langcodes.Language.get(base)
        if not _known(language):
            continue
        english = language.display_name("en")
        names.setdefault(fold(english), english)
        names.setdefault(fold(language.autonym()), english)
    return names


def resolve_language(text: str | Language) -> Language:
    """Read a language from a code (``ja``, ``jpn``, ``pt-BR``) or a name in any language.

    Names are matched by langcodes in English and in the languages' own and other
    languages (``Japanese``, ``japonais``, ``日本語``, ``Deutsch``). Raises
    :class:`UnknownLanguage` with close English names as ``suggestions``.
    """
    if isinstance(text, Language):
        return text
    raw = text.strip()
    if not raw:
        raise UnknownLanguage(text)
    if _TAG_SHAPE.match(raw) and langcodes.tag_is_valid(raw.replace("_", "-")):
        language = langcodes.Language.get(raw.replace("_", "-"))
        if _known(language):
            return _language(language.to_tag())
    try:
        found = langcodes.find(raw)
    except LookupError:
        found = None
    if found is not None and _known(found):
        return _language(found.to_tag())
    raise UnknownLanguage(raw, suggest(raw, _suggestion_names()))


def main_language(country_code: str) -> Language:
    """The most spoken official language of a country (``JP`` -> Japanese)."""
    from cultures.countries import get_country

    return resolve_language(get_country(country_code).main_language)
