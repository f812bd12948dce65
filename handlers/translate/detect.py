"""Offline language detection (lingua), so that routing a text never spends a provider call.

One detector per process, built on first use (about half a second; :func:`warm_up` does it in
the background when the app starts). Low-accuracy mode keeps it near 100 MB for all of
lingua's 75 languages (high accuracy needs about 1 GB, per web worker); its guesses on short
texts are weak, so a short text must score higher before we name its language. An uncertain
text is sent to the provider with ``auto`` as its source.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from lingua import LanguageDetector, LanguageDetectorBuilder

logger = logging.getLogger(__name__)

CONFIDENT = 0.5  # lingua's relative confidence from which we name a language…
CONFIDENT_SHORT = 0.8  # …and for short texts, where low-accuracy mode often guesses ("see you soon": Estonian)
SHORT_TEXT = 60  # letters
MIN_LETTERS = 3

_detector: LanguageDetector | None = None
_lock = threading.Lock()


@dataclass(frozen=True)
class Detection:
    """What language a text is in: ``code`` (ISO 639-1) when confident, else None; all scores."""

    code: str | None
    confidence: float = 0.0
    scores: dict[str, float] = field(default_factory=dict)

    def score(self, code: str) -> float:
        """The confidence that the text is in ``code`` (a base language code such as ``en``)."""
        return self.scores.get(base_language(code), 0.0)

    def is_foreign_to(self, code: str) -> bool:
        """True when the text is confidently in another language than ``code``.

        Uncertain texts ("ok", "Danke") count as not foreign: the person's own language.
        """
        if self.code is None or base_language(self.code) == base_language(code):
            return False
        return self.score(code) < 0.2


def base_language(tag: str) -> str:
    """``pt-BR`` → ``pt``, ``zh-Hant`` → ``zh``."""
    return tag.replace("_", "-").split("-")[0].lower()


def detector() -> LanguageDetector:
    """The process's detector (built once, thread-safe)."""
    global _detector
    if _detector is None:
        with _lock:
            if _detector is None:
                built = LanguageDetectorBuilder.from_all_languages().with_low_accuracy_mode().build()
                built.compute_language_confidence_values("warm up the models")
                _detector = built
    return _detector


def warm_up() -> None:
    """Build the detector in a background thread (the first request then does not wait)."""
    if _detector is None:
        threading.Thread(target=detector, name="lingua-warm-up", daemon=True).start()


def detect(text: str) -> Detection:
    """Detect the language of ``text`` (placeholders and markup removed by the caller)."""
    letters = sum(ch.isalpha() for ch in text)
    if letters < MIN_LETTERS:
        return Detection(None)
    try:
        values = detector().compute_language_confidence_values(text)
    except Exception:  # detection is a hint; never fail a translation over it
        logger.exception("language detection failed")
        return Detection(None)
    scores: dict[str, float] = {}
    for value in values[:5]:
        code = value.language.iso_code_639_1.name.lower()
        scores[code] = value.value
    if not values:
        return Detection(None)
    top = values[0]
    code = top.language.iso_code_639_1.name.lower()
    needed = CONFIDENT if letters >= SHORT_TEXT else CONFIDENT_SHORT
    return Detection(code if top.value >= needed else None, top.value, scores)
