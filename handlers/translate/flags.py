"""Flag reactions: which country a flag emoji names, and which language a flag asks for.

Slack names most flags ``flag-<iso code>`` (``flag-jp``); ten older ones go by the bare code
(``jp``, ``de``, ``us``, ``gb``/``uk`` …). The language is the country's main language from
Babel/CLDR. For a country with several official languages (Switzerland, India, Belgium,
Canada …) the channel's client decides when their language is one of them; otherwise the
most spoken official language wins.
"""

from __future__ import annotations

import re

from cultures.countries import resolve_country
from cultures.errors import CultureError
from handlers.translate.detect import base_language

_SHORT_FLAGS = {
    "jp": "JP",
    "kr": "KR",
    "de": "DE",
    "cn": "CN",
    "us": "US",
    "fr": "FR",
    "es": "ES",
    "it": "IT",
    "ru": "RU",
    "gb": "GB",
    "uk": "GB",
    "flag-england": "GB",
    "flag-scotland": "GB",
    "flag-wales": "GB",
}
_FLAG = re.compile(r"^flag-([a-z]{2})$")


def country_of_reaction(reaction: str) -> str | None:
    """The ISO country code a reaction's emoji name stands for, or None if it is not a flag."""
    name = (reaction or "").split("::", 1)[0].strip(":").lower()
    code = _SHORT_FLAGS.get(name)
    if code is None:
        match = _FLAG.match(name)
        if not match:
            return None
        code = match[1].upper()
    try:
        return resolve_country(code).code
    except (CultureError, LookupError):
        return None


def language_of_flag(country_code: str, client_language: str | None = None) -> str:
    """The language (BCP 47) a flag of ``country_code`` asks for.

    ``client_language`` — the language of the channel's client — wins when it is one of the
    country's official languages (a Swiss client writing French gets French for 🇨🇭).
    """
    country = resolve_country(country_code)
    official = country.official_languages or (country.main_language,)
    if client_language and len(official) > 1:
        wanted = base_language(client_language)
        if any(base_language(lang) == wanted for lang in official):
            return client_language
    return official[0]
