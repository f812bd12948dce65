"""Translating one text for a workspace: markup kept, cache first, providers in order.

This is where the pieces meet: :mod:`markup` protects mentions, links, emoji, code and glossary
terms; :mod:`detect` names the source language offline; :mod:`cache` answers repeated texts
without a provider call; :mod:`providers` translates with a timeout and fallback. No Slack here.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from cultures.errors import CultureError
from cultures.languages import resolve_language
from db.scoped import team_session
from handlers.common.errors import UserError
from handlers.common.runtime import Runtime
from handlers.translate import cache, providers
from handlers.translate.detect import Detection, base_language, detect
from handlers.translate.glossary import terms
from handlers.translate.links import ClientLanguage
from handlers.translate.markup import protect, restore
from handlers.translate.providers import TranslationUnavailable

__all__ = ["Translation", "TranslationUnavailable", "detect_text", "language_name", "own_language", "translate"]


@dataclass(frozen=True)
class Translation:
    """The result for one text. ``provider`` is None when nothing had to be translated."""

    original: str
    text: str
    source: str | None  # the language we detected; None when the provider detected it
    target: str
    provider: str | None = None
    cached: bool = False
    has_words: bool = True  # False: only mentions, links, emoji, code or numbers

    @property
    def unchanged(self) -> bool:
        """True when the text was already in the target language (or had no words)."""
        return self.provider is None

    def unchanged_text(self, what: str = "That text") -> str:
        """Why nothing was translated, in the person's words."""
        if not self.has_words:
            return f"{what} has nothing to translate: only mentions, links, emoji, code or numbers."
        return f"{what} is already in {language_name(self.target)}."


@functools.lru_cache(maxsize=512)
def language_name(code: str | None) -> str:
    """``ja`` → ``Japanese``; unknown codes are shown as they are."""
    if not code:
        return "auto-detected"
    try:
        return resolve_language(code).english_name
    except (CultureError, LookupError):
        return code


def own_language(locale: str | None) -> str:
    """A person's language from their Slack locale (``ja-JP`` → ``ja``, ``zh-TW`` → ``zh-Hant``); English if unknown."""
    if not locale:
        return "en"
    parts = locale.replace("_", "-").split("-")
    base = parts[0].lower() or "en"
    if base == "zh":
        return "zh-Hant" if any(p.upper() in ("TW", "HK", "MO", "HANT") for p in parts[1:]) else "zh-Hans"
    return base


def detect_text(text: str) -> Detection:
    """The language of a Slack text, looking at its words only (no mentions, links, code)."""
    return detect(protect(text).words_only)


def translate(
    runtime: Runtime, team_id: str, text: str, target: str, *, detection: Detection | None = None
) -> Translation:
    """Translate Slack ``text`` into ``target`` (BCP 47) for workspace ``team_id``.

    Returns an unchanged Translation when the text is already in ``target`` or has no words.
    Raises TranslationUnavailable (naming each provider tried) when no provider manages in time.
    """
    chain = providers.provider_chain(runtime.translator)
    with team_session(runtime.sessions, team_id) as session:
        protected = protect(text, terms(session))
        if not protected.has_words:
            return Translation(text, text, None, target, has_words=False)
        detection = detection or detect(protected.words_only)
        source = detection.code
        if source and base_language(source) == base_language(target):
            return Translation(text, text, source, target)
        cache_source = source or "auto"
        digest = cache.text_hash(protected.text)
        hit = cache.lookup(session, [spec.name for spec in chain], cache_source, target, digest)
    if hit is not None:
        provider, translated = hit
        return Translation(text, restore(translated, protected.tokens), source, target, provider, cached=True)
    # The session is closed: no connection is held while the provider works.
    provider, translated = providers.translate(
        chain, protected.text, source, target, runtime.translator.timeout, language_name(target)
    )
    cache.store(runtime, team_id, provider, cache_source, target, digest, translated)
    return Translation(text, restore(translated, protected.tokens), source, target, provider)


class NeedLanguage(UserError):
    """Text in the asker's own language, and nothing says which language it should go into."""

    def __init__(self, source: str | None, hint: str | None = None) -> None:
        already = f"That looks like {language_name(source)} already. " if source else ""
        message = (
            f"{already}Which language should I translate it into? Name it: "
            "`/translate to Japanese <text>` (a code or a name in any language: `ja`, `Japanese`, `日本語`), "
            "or `/translate <client>: <text>` for a client's language. "
            "In a channel about one client, `/translate link <client>` makes their language the default."
        )
        if hint:
            message = f"{message}\n{hint}"
        super().__init__(message, show_usage=False)


def default_target(detection: Detection, own: str, client: ClientLanguage | None, hint: str | None = None) -> str:
    """Where a text goes when nobody said: foreign text → the asker's language; the asker's
    own language → the channel's client's language. Raises NeedLanguage when neither applies."""
    if detection.is_foreign_to(own):
        return own
    if client is not None and base_language(client.language) != base_language(detection.code or own):
        return client.language
    raise NeedLanguage(detection.code, hint)
