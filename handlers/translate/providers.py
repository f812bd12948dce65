"""Translation providers (deep-translator engines by name), with a timeout, limits and fallback.

deep-translator makes its HTTP requests without a timeout, so every call here runs in a
daemon worker thread and is abandoned when its time is up; a provider that hangs costs the
person at most ``TranslatorConfig.timeout`` seconds in total, whatever the number of providers.
At most ``MAX_STUCK`` calls per provider may be waiting at once: beyond that the provider is
treated as down rather than piling up threads.

Texts longer than a provider accepts in one request are split at sentence boundaries (then at
spaces), translated piece by piece and joined with the original whitespace.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import requests
from deep_translator import (
    DeeplTranslator,
    GoogleTranslator,
    LibreTranslator,
    MicrosoftTranslator,
    MyMemoryTranslator,
)
from deep_translator.constants import (
    DEEPL_LANGUAGE_TO_CODE,
    GOOGLE_LANGUAGES_TO_CODES,
    LIBRE_LANGUAGES_TO_CODES,
    MY_MEMORY_LANGUAGES_TO_CODES,
)
from deep_translator.exceptions import (
    ApiKeyException,
    AuthorizationException,
    LanguageNotSupportedException,
    RequestError,
    ServerException,
    TooManyRequests,
)

from handlers.common.runtime import TranslatorConfig

logger = logging.getLogger(__name__)

MAX_STUCK = 8
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])\s*|\n\s*")


class ProviderError(Exception):
    """One provider could not translate; ``reason`` is short and safe to show."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Attempt:
    """What happened when a provider was tried: ``ok``, ``unsupported``, ``timeout`` or ``failed``."""

    provider: str
    outcome: str
    reason: str = ""


class TranslationUnavailable(Exception):
    """No provider produced a translation; the message names every provider tried."""

    def __init__(self, attempts: Sequence[Attempt], target: str, target_name: str | None = None) -> None:
        self.attempts = list(attempts)
        self.target = target
        names = ", ".join(a.provider for a in self.attempts) or "none"
        if self.attempts and all(a.outcome == "unsupported" for a in self.attempts):
            self.unsupported = True
            message = (
                f"{target_name or target} is not available with the configured translation "
                f"provider ({'provider' if len(self.attempts) == 1 else 'providers'}: {names})."
            )
        else:
            self.unsupported = False
            details = "; ".join(f"{a.provider} {a.reason}" for a in self.attempts if a.reason)
            message = f"translation is unavailable right now (provider: {names})."
            if details:
                message = f"{message} {details[0].upper()}{details[1:]}."
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ProviderSpec:
    """How to use one deep-translator engine."""

    name: str
    limit: int  # characters per request the engine accepts
    make: Callable[[str, str], Any]  # (source, target) -> translator; may do network I/O
    codes: frozenset[str] | None  # the engine's language codes; None: accepts any
    aliases: dict[str, str] = field(default_factory=dict)  # our tag -> engine code
    regional: bool = False  # codes are lang-REGION (MyMemory)

    def code(self, tag: str | None) -> str | None:
        """The engine's code for a BCP 47 tag (``zh-Hant``, ``ja``), or None if unsupported."""
        if not tag or tag == "auto":
            return None
        base = tag.split("-")[0].lower()
        candidates = [self.aliases.get(tag), tag, tag.lower(), self.aliases.get(base), base]
        if self.codes is None:
            return next(c for c in candidates if c).lower()
        for candidate in candidates:
            if candidate and candidate in self.codes:
                return candidate
        if self.regional:
            preferred = f"{base}-{base.upper()}"
            if preferred in self.codes:
                return preferred
            return next((c for c in sorted(self.codes) if c.split("-")[0].lower() == base), None)
        return None


_CHINESE = {
    "zh": "zh-CN",
    "zh-Hans": "zh-CN",
    "zh-CN": "zh-CN",
    "zh-SG": "zh-CN",
    "zh-Hant": "zh-TW",
    "zh-TW": "zh-TW",
    "zh-HK": "zh-TW",
}


def libre_provider(url: str, api_key: str | None = None) -> ProviderSpec:
    """LibreTranslate at ``url`` (self-hosted or a mirror), through deep-translator's LibreTranslator."""
    base_url = url if url.endswith("/") else url + "/"
    return ProviderSpec(
        name="libre",
        limit=2000,
        # deep-translator refuses an empty key; a self-hosted server without keys ignores it.
        make=lambda s, t: LibreTranslator(source=s, target=t, api_key=api_key or "none", custom_url=base_url),
        codes=frozenset(LIBRE_LANGUAGES_TO_CODES.values()),
    )


def provider_chain(config: TranslatorConfig) -> list[ProviderSpec]:
    """The providers of ``TRANSLATOR``, in fallback order."""
    chain: list[ProviderSpec] = []
    for name in config.providers:
        if name == "google":
            chain.append(
                ProviderSpec(
                    "google",
                    4999,
                    lambda s, t: GoogleTranslator(source=s, target=t),
                    frozenset(GOOGLE_LANGUAGES_TO_CODES.values()),
                    aliases={**_CHINESE, "he": "iw", "jv": "jw", "nb": "no", "nn": "no", "fil": "tl"},
                )
            )
        elif name == "libre" and config.libretranslate_url:
            chain.append(libre_provider(config.libretranslate_url, config.libretranslate_api_key))
        elif name == "deepl" and config.deepl_api_key:
            deepl_key = config.deepl_api_key

            def make_deepl(s: str, t: str, k: str = deepl_key) -> Any:
                # Free-plan keys end in ":fx" and use DeepL's free endpoint.
                return DeeplTranslator(source=s, target=t, api_key=k, use_free_api=k.endswith(":fx"))

            chain.append(
                ProviderSpec(
                    "deepl",
                    5000,
                    make_deepl,
                    frozenset(DEEPL_LANGUAGE_TO_CODE.values()),
                )
            )
        elif name == "microsoft" and config.microsoft_translator_key:
            microsoft_key = config.microsoft_translator_key

            def make_microsoft(s: str, t: str, k: str = microsoft_key) -> Any:
                return MicrosoftTranslator(source=s, target=t, api_key=k)

            chain.append(
                ProviderSpec(
                    "microsoft",
                    5000,
                    make_microsoft,
                    None,  # the engine fetches its language list itself
                    aliases={"zh": "zh-Hans", "zh-CN": "zh-Hans", "zh-TW": "zh-Hant", "zh-HK": "zh-Hant"},
                )
            )
        elif name == "mymemory":
            chain.append(
                ProviderSpec(
                    "mymemory",
                    499,
                    lambda s, t: MyMemoryTranslator(source=s, target=t),
                    frozenset(MY_MEMORY_LANGUAGES_TO_CODES.values()),
                    aliases={
                        "en": "en-US",
                        "zh": "zh-CN",
                        "zh-Hans": "zh-CN",
                        "zh-Hant": "zh-TW",
                        "ja": "ja-JP",
                        "ko": "ko-KR",
                        "pt": "pt-PT",
                        "he": "he-IL",
                        "sv": "sv-SE",
                        "da": "da-DK",
                        "el": "el-GR",
                        "cs": "cs-CZ",
                        "uk": "uk-UA",
                        "ar": "ar-SA",
                        "hi": "hi-IN",
                    },
                    regional=True,
                )
            )
    return chain


def split_for_limit(text: str, limit: int) -> list[tuple[str, str]]:
    """Pieces of at most ``limit`` characters as (piece, whitespace that followed it).

    Cuts at sentence ends first, then at spaces, and only as a last resort mid-word — never
    inside a ``⟦n⟧`` placeholder. Joining ``piece + whitespace`` of all pieces gives ``text`` back.
    """
    if len(text) <= limit:
        return [(text, "")]
    units: list[tuple[str, str]] = []
    position = 0
    for match in _SENTENCE_END.finditer(text):
        if match.start() <= position and units:
            continue
        units.extend(_split_long(text[position : match.start()], match.group(0), limit))
        position = match.end()
    units.extend(_split_long(text[position:], "", limit))
    packed: list[tuple[str, str]] = []
    for piece, gap in units:
        if packed and len(packed[-1][0]) + len(packed[-1][1]) + len(piece) <= limit:
            previous, previous_gap = packed[-1]
            packed[-1] = (previous + previous_gap + piece, gap)
        else:
            packed.append((piece, gap))
    return packed


def _split_long(sentence: str, gap: str, limit: int) -> list[tuple[str, str]]:
    """One sentence (and the whitespace after it) as pieces of at most ``limit`` characters."""
    out: list[tuple[str, str]] = []
    rest = sentence
    while len(rest) > limit:
        cut = rest.rfind(" ", 0, limit + 1)
        if cut > 0:
            out.append((rest[:cut], " "))
            rest = rest[cut + 1 :]
            continue
        cut = limit
        opening = rest.rfind("⟦", 0, cut)
        if opening > rest.rfind("⟧", 0, cut) and opening > 0:
            cut = opening  # never cut a placeholder in two
        out.append((rest[:cut], ""))
        rest = rest[cut:]
    out.append((rest, gap))
    return out


_gates: dict[str, threading.BoundedSemaphore] = {}
_gates_lock = threading.Lock()


def _gate(name: str) -> threading.BoundedSemaphore:
    with _gates_lock:
        return _gates.setdefault(name, threading.BoundedSemaphore(MAX_STUCK))


def call_with_timeout(name: str, work: Callable[[], Any], timeout: float) -> Any:
    """Run ``work()`` in a daemon thread; raise ProviderError if it takes longer than ``timeout``."""
    started = time.monotonic()
    gate = _gate(name)
    if not gate.acquire(timeout=max(timeout, 0.0)):
        raise ProviderError("is busy (earlier requests still waiting)")
    box: dict[str, Any] = {}
    done = threading.Event()

    def run() -> None:
        try:
            box["value"] = work()
        except BaseException as error:  # noqa: BLE001 - handed to the caller
            box["error"] = error
        finally:
            gate.release()
            done.set()

    threading.Thread(target=run, name=f"translate-{name}", daemon=True).start()
    if not done.wait(max(timeout - (time.monotonic() - started), 0.0)):
        raise ProviderError(f"did not answer within {timeout:.0f} s" if timeout >= 1 else "did not answer in time")
    if "error" in box:
        error = box["error"]
        raise ProviderError(_describe(error)) from error
    return box["value"]


def _describe(error: BaseException) -> str:
    """A short, safe phrase for what went wrong (no URLs, no keys)."""
    if isinstance(error, ServerException):
        status = {text: code for code, text in ServerException.errors.items()}.get(str(error))
        return f"answered with an error ({status})" if status else "answered with an error"
    if isinstance(error, AuthorizationException | ApiKeyException):
        return "refused the API key"
    if isinstance(error, TooManyRequests):
        return "is limiting requests (too many)"
    if isinstance(error, LanguageNotSupportedException):
        return "does not offer that language"
    if isinstance(error, requests.Timeout):
        return "did not answer in time"
    if isinstance(error, requests.ConnectionError | OSError):
        return "could not be reached"
    if isinstance(error, RequestError):
        return "could not be reached or answered with an error"
    return f"failed ({type(error).__name__})"


def translate(
    chain: Sequence[ProviderSpec],
    text: str,
    source: str | None,
    target: str,
    timeout: float,
    target_name: str | None = None,
) -> tuple[str, str]:
    """Translate ``text`` with the first provider that manages within the time; (provider, translation).

    Raises TranslationUnavailable naming every provider tried.
    """
    deadline = time.monotonic() + timeout
    attempts: list[Attempt] = []
    usable = [spec for spec in chain if spec.code(target)]
    for spec in chain:
        target_code = spec.code(target)
        if target_code is None:
            attempts.append(Attempt(spec.name, "unsupported", f"does not offer {target_name or target}"))
            continue
        remaining = deadline - time.monotonic()
        left = usable[usable.index(spec) :]
        budget = remaining / len(left) if len(left) > 1 else remaining
        if budget <= 0.05:
            attempts.append(Attempt(spec.name, "timeout", "was not tried (no time left)"))
            continue
        source_code = spec.code(source) or "auto"
        if source_code == target_code:
            return spec.name, text
        pieces = split_for_limit(text, spec.limit)

        def work(
            spec: ProviderSpec = spec,
            s: str = source_code,
            t: str = target_code,
            pieces: list[tuple[str, str]] = pieces,
        ) -> str:
            translator = spec.make(s, t)
            out = []
            for piece, gap in pieces:
                translated = translator.translate(piece) if piece.strip() else piece
                if not isinstance(translated, str):
                    raise ProviderError("gave an empty answer")
                out.append(translated + gap)
            return "".join(out)

        try:
            result = call_with_timeout(spec.name, work, budget)
        except ProviderError as failure:
            logger.warning(
                "translation provider %s %s (%d characters, %s→%s)",
                spec.name,
                failure.reason,
                len(text),
                source_code,
                target_code,
            )
            attempts.append(Attempt(spec.name, "failed", failure.reason))
            continue
        return spec.name, result
    raise TranslationUnavailable(attempts, target, target_name)
