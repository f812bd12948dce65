"""The local version of a draft: the card's phrases where they fit, the translation capability for the rest.

The card's email opening and closing are used as written when they are in the client's language
(a regional default card, or a country card whose business email is in English, may be in
another one — checked offline with the translation capability's lingua detector). The body is translated
by ``handlers.translate`` (markup kept, cache first, providers with fallback). When no provider
manages, the answer says so and names the providers tried.
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass

from lingua import IsoCode639_1, Language

from cultures.cards import Card
from cultures.languages import Language as ClientLanguage
from handlers.common.runtime import Runtime
from handlers.draft.compose import Draft
from handlers.translate.detect import Detection, detector
from handlers.translate.providers import TranslationUnavailable
from handlers.translate.translation import translate

logger = logging.getLogger(__name__)

SHARE = 0.3  # lingua's relative confidence from which a phrase counts as in the client's language
_ENGLISH = Detection("en", 1.0, {"en": 1.0})
_LINGUA_ALIASES = {"no": "nb"}
# Languages written so alike that a short phrase cannot tell them apart.
_FAMILIES = {
    code: group
    for group in (frozenset({"ms", "id"}), frozenset({"hr", "sr", "bs"}), frozenset({"nb", "nn", "no"}))
    for code in group
}
_PLACEHOLDER = re.compile(r"\{(?:family|given|full|title|given_last)\}")


@dataclass(frozen=True)
class Localized:
    """The local version (``text``), or why there is none (``unavailable``)."""

    text: str | None = None
    provider: str | None = None
    unavailable: str | None = None


def _lingua(code: str) -> Language | None:
    code = _LINGUA_ALIASES.get(code, code)
    try:
        return Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper()))
    except (AttributeError, ValueError):
        return None


@functools.lru_cache(maxsize=2048)
def phrase_in_language(phrase: str, language: str) -> bool:
    """Is ``phrase`` (a card's email lines) written in ``language`` (base code)? Unsure counts as yes.

    Uses the translation capability's detector (one per process, already loaded for `/translate`).
    """
    words = _PLACEHOLDER.sub(" ", phrase)
    if sum(ch.isalpha() for ch in words) < 3:
        return True
    ranked = detector().compute_language_confidence_values(words)
    total = sum(value.value for value in ranked)
    client = _lingua(language)
    if total <= 0:
        return True
    if client is None:
        # lingua does not know their language: only a confident other language says no.
        return ranked[0].value / total < 0.5
    family = _FAMILIES.get(language, frozenset({language}))
    mine = [value for value in ranked if value.language.iso_code_639_1.name.lower() in family]
    share = sum(value.value for value in mine) / total
    # Short phrases are close calls between neighbours (Portuguese and Spanish, Italian and
    # Catalan): a fair share, or a second place not far behind, will do.
    top_two = {value.language for value in ranked[:2]}
    return share >= SHARE or (share >= SHARE / 2 and any(value.language in top_two for value in mine))


def card_speaks(card: Card, language: ClientLanguage) -> bool:
    """True when the card's email opening and closing are in the client's language."""
    # Together: one card writes both in one language, and a single word ("Atentamente") is a close call.
    return phrase_in_language(f"{card.email.team_opening.text}\n{card.email.closing.text}", language.base.lower())


def localize(runtime: Runtime, team_id: str, draft: Draft) -> Localized:
    """Translate the draft's body (and the salutation when the card's is in another language)."""
    if draft.english_only:
        return Localized()
    target = draft.recipient.language.code
    try:
        body = translate(runtime, team_id, draft.body_to_translate(), target, detection=_ENGLISH)
        opening = closing = None
        if not draft.card_in_their_language:
            opening = translate(runtime, team_id, draft.english_opening, target, detection=_ENGLISH).text
            closing = translate(runtime, team_id, draft.english_closing, target, detection=_ENGLISH).text
    except TranslationUnavailable as error:
        names = ", ".join(attempt.provider for attempt in error.attempts) or _configured(runtime)
        if getattr(error, "unsupported", False):
            language = draft.recipient.language.english_name
            return Localized(unavailable=f"{language} is not offered by the translation provider ({names})")
        return Localized(unavailable=f"translation unavailable right now (provider: {names})")
    except Exception:
        logger.exception("translating a draft for %s failed", team_id)
        return Localized(unavailable=f"translation unavailable right now (provider: {_configured(runtime)})")
    return Localized(text=draft.local_text(body.text, opening, closing), provider=body.provider)


def _configured(runtime: Runtime) -> str:
    return ", ".join(runtime.translator.providers) or "none"
