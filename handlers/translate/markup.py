"""Keeping Slack markup out of the translator's hands, and putting it back afterwards.

Before a text goes to a provider, everything that must come back unchanged — user, channel
and user-group mentions, ``<!here>``, links ``<https://…|label>``, bare URLs and e-mail
addresses, ``:emoji:`` codes, `code spans`, ```code blocks``` and the team's glossary terms —
is replaced by a numbered placeholder ``⟦0⟧``. Placeholders are digits between rare brackets:
translators copy them through as symbols. On the way back, :func:`restore` accepts the ways
real translators rough them up (spaces inside, full-width digits, other brackets), and appends
anything a translator dropped, so no mention or link is ever lost.

Slack escapes ``&``, ``<`` and ``>`` in message text; the provider sees plain characters and
the translation is escaped again.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_SLACK_MARKUP = (
    r"```[\s\S]*?```"  # code block
    r"|`[^`\n]+`"  # code span
    r"|<[^<>\n]+>"  # mentions, <!here>, <!subteam^…>, <!date^…>, links: Slack escapes a literal <
    r"|(?<![\w:]):[a-z0-9_+'-]+:(?::skin-tone-[2-6]:)?(?!\w)"  # :emoji: (not the :30: of 10:30:45)
    r"|\b(?:https?|ftp)://[^\s<>]*[^\s<>.,;:!?)\]'\"]"  # a bare URL, without its trailing punctuation
    r"|\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"  # a bare e-mail address
    r"|[⟦\[【〚［〔]\s*[0-9０-９]{1,4}\s*[⟧\]】〛］〕]"  # text that looks like a placeholder ([1]): kept as is
)
_PLACEHOLDER_BACK = re.compile(r"[⟦\[【〚［〔]\s*([0-9０-９]{1,4})\s*[⟧\]】〛］〕]")
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_LETTER = re.compile(r"[^\W\d_]")
_BROADCAST = re.compile(r"<!(here|channel|everyone)(?:\|[^>]*)?>")
_SUBTEAM = re.compile(r"<!subteam\^[A-Z0-9]+(?:\|([^>]*))?>")


def placeholder(index: int) -> str:
    """The stand-in for the ``index``-th protected piece."""
    return f"⟦{index}⟧"


@dataclass(frozen=True)
class Protected:
    """A text ready for a translator: ``text`` has placeholders where ``tokens`` were."""

    text: str
    tokens: tuple[str, ...]

    @property
    def has_words(self) -> bool:
        """True when something besides markup, digits and punctuation is left to translate."""
        return bool(_LETTER.search(_PLACEHOLDER_BACK.sub(" ", self.text)))

    @property
    def words_only(self) -> str:
        """The text without placeholders: what language detection should look at."""
        return " ".join(_PLACEHOLDER_BACK.sub(" ", self.text).split())


def _glossary_pattern(terms: Iterable[str]) -> str | None:
    cleaned = sorted({t.strip() for t in terms if t and t.strip()}, key=len, reverse=True)
    if not cleaned:
        return None
    # Whole words only: "Acme" protects "Acme's" but not "Acmeology". Message text is
    # Slack-escaped, so "AT&T" is looked for as "AT&amp;T".
    return "|".join(rf"(?<!\w){re.escape(_escape(t))}(?!\w)" for t in cleaned)


def protect(text: str, glossary: Iterable[str] = ()) -> Protected:
    """Replace Slack markup and glossary terms (case-insensitive, whole words) by placeholders."""
    pattern = _SLACK_MARKUP
    terms = _glossary_pattern(glossary)
    if terms:
        pattern = f"{pattern}|(?i:{terms})"
    tokens: list[str] = []
    index_of: dict[str, int] = {}
    out: list[str] = []
    position = 0
    for match in re.finditer(pattern, text):
        out.append(_unescape(text[position : match.start()]))
        token = match.group(0)
        if token not in index_of:
            index_of[token] = len(tokens)
            tokens.append(token)
        out.append(placeholder(index_of[token]))
        position = match.end()
    out.append(_unescape(text[position:]))
    return Protected("".join(out), tuple(tokens))


def restore(translated: str, tokens: Sequence[str]) -> str:
    """Put the protected pieces back into a translation; pieces the translator lost go at the end."""
    text = _escape(html.unescape(translated))
    used: set[int] = set()

    def back(match: re.Match[str]) -> str:
        index = int(match[1].translate(_FULLWIDTH_DIGITS))
        if index >= len(tokens):
            return match.group(0)
        used.add(index)
        return tokens[index]

    text = _PLACEHOLDER_BACK.sub(back, text)
    missing = [token for index, token in enumerate(tokens) if index not in used]
    if missing:
        text = f"{text.rstrip()} {' '.join(missing)}"
    return text


def quiet_broadcasts(text: str) -> str:
    """``<!here>``, ``<!channel>``, ``<!everyone>`` and user-group mentions as plain words.

    A translation the bot posts must not notify the whole channel a second time.
    """
    text = _BROADCAST.sub(lambda m: f"@{m[1]}", text)
    return _SUBTEAM.sub(lambda m: m[1] or "@group", text)


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
