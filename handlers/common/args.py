"""Parsing of slash-command text: words, quoted strings, ``key:value`` options, Slack markup."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from handlers.common.errors import UserError

# Slack and phones turn straight quotes into typographic ones; accept both.
_QUOTES = {"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'"}
_TOKEN = re.compile(
    r"""
    (?P<key>[A-Za-z_]+):(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>\S*))   # key:value
    | "(?P<qword>[^"]*)"                                                     # "quoted words"
    | (?P<word>\S+)
    """,
    re.VERBOSE,
)
USER_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
CHANNEL_MENTION = re.compile(r"^<#(C[A-Z0-9]+)(?:\|([^>]*))?>$")
HELP_WORDS = frozenset({"help", "-h", "--help", "?", "usage"})


@dataclass
class Parsed:
    """Free words (in order) and ``key:value`` options (keys lower-cased) of a command."""

    words: list[str] = field(default_factory=list)
    options: dict[str, str] = field(default_factory=dict)

    @property
    def rest(self) -> str:
        return " ".join(self.words)


def normalise_quotes(text: str) -> str:
    """Typographic quotes to straight ones, so that ``contact:“Dr. Müller”`` parses."""
    return "".join(_QUOTES.get(ch, ch) for ch in text)


def parse(
    text: str,
    keys: frozenset[str] | set[str] | None = None,
    *,
    run_on: bool = False,
    repeatable: frozenset[str] = frozenset(),
) -> Parsed:
    """Split ``text`` into words and options; unknown keys are refused when ``keys`` is given.

    Slack links such as ``<https://x|y>`` and mentions stay single words, and so do times and
    dates (``10:00``, ``2026-12-01T10:00``: an option's key is letters only) and bare URLs
    (``https://…``). Any other ``word:value`` with an unknown key is refused, whatever its value
    (``bogus:1`` as well as ``colour:blue``); a name that really holds one goes in quotes.

    With ``run_on`` (commands whose free words all come before the options, like
    ``/client add <name> key:value …``), words after an unquoted value belong to it
    (``country:Saudi Arabia``, ``city:New York``), and a word after a quoted value is refused:
    nothing typed after the options is moved into the name.
    """
    text = normalise_quotes(text or "")
    if text.count('"') % 2:
        raise UserError('A quote is not closed: put "…" around values with spaces, e.g. contact:"Anna Müller".')
    parsed = Parsed()
    open_key: str | None = None  # the option an unquoted value of which may go on (run_on)
    after_options = False
    for match in _TOKEN.finditer(text):
        key = match["key"]
        if run_on and after_options and key is None:
            word = match["word"]
            if word is not None and open_key is not None:
                parsed.options[open_key] = f"{parsed.options[open_key]} {word}".strip()
                continue
            shown = word if word is not None else f'"{match["qword"]}"'
            raise UserError(
                f"“{shown}” comes after a quoted value: put the name first and each value with spaces in "
                'quotes, e.g. `country:"Saudi Arabia" contact:"Anna Müller"`.'
            )
        if key is not None:
            value = next(v for v in (match["dq"], match["sq"], match["bare"]) if v is not None)
            lowered = key.lower()
            if keys is not None and lowered not in keys:
                if match["bare"] is not None and value.startswith("//"):
                    parsed.words.append(match.group(0))  # a URL, not an option
                    continue
                raise UserError(f"I don't know the option `{key}:`. Options: {', '.join(sorted(keys))}.")
            if lowered in parsed.options and lowered in repeatable:
                # One line per repeat: `shared:` splits on any space, `closed:` keeps labelled spans apart.
                parsed.options[lowered] = f"{parsed.options[lowered]}\n{value.strip()}".strip()
            elif lowered in parsed.options:
                raise UserError(f"`{key}:` is given twice.")
            else:
                parsed.options[lowered] = value.strip()
            after_options = True
            open_key = lowered if match["bare"] is not None else None
        elif match["qword"] is not None:
            parsed.words.append(match["qword"])
        else:
            parsed.words.append(match["word"])
    return parsed


def is_help(text: str) -> bool:
    """True for ``help`` and its usual spellings."""
    return (text or "").strip().lower() in HELP_WORDS


def user_id_of(word: str) -> str | None:
    """The user id in ``<@U123|name>`` or ``<@U123>``; None if the word is not a mention."""
    match = USER_MENTION.match(word.strip())
    return match[1] if match else None


def channel_of(word: str) -> tuple[str | None, str | None]:
    """(id, name) for ``<#C123|name>``; (None, name) for a plain ``#name``; (None, None) otherwise."""
    word = word.strip()
    match = CHANNEL_MENTION.match(word)
    if match:
        return match[1], match[2] or None
    if word.startswith("#") and len(word) > 1 and re.fullmatch(r"#[a-z0-9._-]{1,80}", word):
        return None, word[1:]
    return None, None
