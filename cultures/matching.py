"""Forgiving name matching shared by countries, languages and subdivisions.

Names are compared after :func:`fold`: case-folded, accents removed, punctuation turned into
spaces, ``&`` read as ``and``. Typos get :func:`suggest` (rapidfuzz), which returns display
names, best first.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

from rapidfuzz import fuzz, process, utils

_PUNCTUATION = re.compile(r"[\s.,;:!?'’‘`\"“”()\[\]/\\_\-–—]+")


def fold(text: str) -> str:
    """Return ``text`` in the form names are compared in.

    Case-insensitive, accent-insensitive (``España`` = ``espana``), punctuation-insensitive
    (``St. Lucia`` = ``st lucia``). Scripts without letter case (日本, السعودية) pass through
    apart from combining marks, which are dropped on both sides of any comparison.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    stripped = stripped.replace("&", " and ")
    return _PUNCTUATION.sub(" ", unicodedata.normalize("NFC", stripped)).strip()


def suggest(query: str, names: Mapping[str, str] | Iterable[str], limit: int = 3, cutoff: float = 75.0) -> list[str]:
    """Return up to ``limit`` display names close to ``query``, best first.

    ``names`` maps folded names to the display name to suggest (several folded names may
    point at one display name: "deutschland" and "germany" both suggest "Germany"), or is
    a plain iterable of display names.
    """
    if not isinstance(names, Mapping):
        names = {fold(name): name for name in names}
    folded = fold(query)
    if not folded:
        return []
    matches = process.extract(
        folded,
        list(names),
        scorer=fuzz.WRatio,
        processor=utils.default_process,
        limit=limit * 4,
        score_cutoff=cutoff,
    )
    found: list[str] = []
    for key, _score, _index in matches:
        display = names[key]
        if display not in found:
            found.append(display)
        if len(found) == limit:
            break
    return found
