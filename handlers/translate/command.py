"""`/translate`: reading what the person typed and answering with the translation.

Grammar (CONTRACT): ``/translate [to <language>] <text>`` · ``/translate <client>: <text>``,
plus ``glossary add|list|remove`` and ``link <client>`` / ``unlink`` for the channel's client.
The text after the language or client is kept exactly as typed (line breaks, markup).
"""

from __future__ import annotations

import re

from cultures.errors import CultureError, UnknownLanguage
from cultures.languages import Language, resolve_language
from db.scoped import team_session
from handlers.common.commands import Command
from handlers.common.errors import UnknownClient, UserError
from handlers.common.people import member
from handlers.common.respond import Reply
from handlers.translate import blocks
from handlers.translate.glossary import add_term, list_terms, remove_term
from handlers.translate.links import (
    channel_client,
    find_client_language,
    link_channel,
    unlink_channel,
)
from handlers.translate.messages import unavailable_text
from handlers.translate.translation import (
    TranslationUnavailable,
    default_target,
    detect_text,
    language_name,
    own_language,
    translate,
)

USAGE = "\n".join(
    (
        "`/translate to Japanese Thanks for your order` — into a language, by code or by name in any language "
        "(`ja`, `Japanese`, `日本語`)",
        "`/translate Acme GmbH: Thanks for your order` — into the client's language",
        "`/translate Vielen Dank für die Bestellung` — foreign text into your language; text in your language "
        "into the language of this channel's client",
        "`/translate link Acme GmbH` — this channel is about that client "
        "(`/translate link` shows it, `/translate unlink` removes it)",
        "`/translate glossary add Acme Cloud` · `/translate glossary list` · `/translate glossary remove Acme Cloud` "
        "— names never translated",
        "Mentions, channels, links, :emoji:, `code` and glossary terms stay as they are; "
        "the answer has a *Post to channel* button.",
        "Also: react to a message with a flag (:flag-jp:, :de:) for a translation in its thread, "
        "or use the message shortcut *Translate*.",
    )
)

_TO = re.compile(r"^(?:to|into)(?::\s*|\s+)(?P<rest>[\s\S]*)$", re.IGNORECASE)
_CLIENT_PREFIX = re.compile(r"^(?P<name>[^:\n<>`*_~]{1,80}?):\s+(?P<text>\S[\s\S]*)$")
_WORD = re.compile(r"\S+")
MAX_LANGUAGE_WORDS = 3


def translate_command(command: Command) -> Reply:
    """Dispatch ``/translate``."""
    text = command.text.strip()
    if not text:
        raise UserError("There is nothing to translate: put the text after the command.")
    first, _, rest = text.replace("\n", " ", 1).partition(" ")
    keyword = first.lower()
    if keyword == "glossary":
        return glossary(command, rest.strip())
    if keyword == "link":
        return link(command, rest.strip())
    if keyword == "unlink" and not rest.strip():
        return unlink(command)
    return translate_typed(command, text)


def translate_typed(command: Command, text: str) -> Reply:
    """Translate the typed text into the named language, the client's, or the default one."""
    runtime = command.runtime
    target: str | None = None
    hint: str | None = None
    to = _TO.match(text)
    prefix = _CLIENT_PREFIX.match(text) if to is None else None
    if to is not None:
        language, text = read_language(to["rest"])
        target = language.code
    elif prefix is not None:
        with team_session(runtime.sessions, command.team_id) as session:
            try:
                client = find_client_language(session, prefix["name"])
                target, text = client.language, prefix["text"]
            except UnknownClient as error:
                if error.suggestions:
                    raise  # a client name with a typo: "Did you mean Acme GmbH?"
                hint = f"(“{prefix['name'].strip()}” is not a client I know, so I read it as part of the text.)"
    if not text.strip():
        raise UserError("There is nothing to translate after the language: put the text after it.")
    detection = detect_text(text)
    if target is None:
        with team_session(runtime.sessions, command.team_id) as session:
            linked = channel_client(session, command.channel_id)
        own = own_language(member(command.client, runtime, command.team_id, command.user_id).locale)
        target = default_target(detection, own, linked, hint)
    try:
        translation = translate(runtime, command.team_id, text, target, detection=detection)
    except TranslationUnavailable as error:
        return Reply(text=unavailable_text(error))
    if translation.unchanged:
        return Reply(text=translation.unchanged_text())
    return Reply(text=blocks.translation_text(translation), blocks=blocks.translation_blocks(translation))


def read_language(rest: str) -> tuple[Language, str]:
    """The language named at the start of ``rest`` and the text after it.

    Tries one to three words; a longer name wins only when it says more than the shorter one
    (``Brazilian Portuguese``, ``Norwegian Bokmål``), so ``to German the meeting`` keeps "the meeting".
    """
    words = list(_WORD.finditer(rest))
    chosen: tuple[int, Language] | None = None
    previous: Language | None = None
    first_error: UnknownLanguage | None = None
    for count, word in enumerate(words[:MAX_LANGUAGE_WORDS], start=1):
        if any(ch in word[0] for ch in "<>`:*_~") or any(ch.isdigit() for ch in word[0]):
            break
        try:
            language: Language | None = resolve_language(rest[: word.end()])
        except UnknownLanguage as error:
            language = None
            first_error = first_error or error
        except (CultureError, LookupError):
            language = None
        if language is not None and (previous is None or language.code != previous.code):
            chosen = (count, language)
        previous = language
    if chosen is None:
        named = words[0][0] if words else ""
        if not named:
            raise UserError("Which language? For example `/translate to Japanese Thanks for your order`.")
        message = str(first_error) if first_error else f"I don't know a language called “{named}”."
        raise UserError(
            f"{message} To translate text that starts with “to”, name the language first: "
            f"`/translate to Japanese to whom it may concern…`."
        )
    count, language = chosen
    return language, rest[words[count - 1].end() :].lstrip()


# --- glossary -------------------------------------------------------------------------------


def glossary(command: Command, text: str) -> Reply:
    """``/translate glossary [list] | add <term> | remove <term>``."""
    action, _, term = text.partition(" ")
    action = action.lower()
    runtime, team_id = command.runtime, command.team_id
    if action in ("", "list", "show"):
        terms = list_terms(runtime, team_id)
        if not terms:
            return Reply(text="The glossary is empty. `/translate glossary add <term>` adds a name never to translate.")
        return Reply(text=f"*Never translated* ({len(terms)}): " + ", ".join(f"`{t}`" for t in terms))
    if action == "add":
        added, new = add_term(runtime, team_id, term, command.user_id)
        if not new:
            return Reply(text=f"`{added}` is already in the glossary.")
        return Reply(text=f"Added `{added}` to the glossary: translations keep it as it is.")
    if action in ("remove", "delete", "rm"):
        removed = remove_term(runtime, team_id, term)
        return Reply(text=f"Removed `{removed}` from the glossary.")
    raise UserError(f"I don't know `/translate glossary {action}`: use `add`, `list` or `remove`.")


# --- the channel's client ---------------------------------------------------------------------


def link(command: Command, name: str) -> Reply:
    """``/translate link <client>``: this channel is about that client; no name shows the link."""
    runtime = command.runtime
    if not command.channel_id:
        raise UserError("Run `/translate link <client>` in the channel that is about the client.")
    if not name:
        with team_session(runtime.sessions, command.team_id) as session:
            current = channel_client(session, command.channel_id)
        if current is None:
            return Reply(text="This channel is not linked to a client. `/translate link <client>` links it.")
        return Reply(
            text=f"This channel is about *{current.name}*: text in your language goes into "
            f"{language_name(current.language)}. `/translate unlink` removes the link."
        )
    client = link_channel(runtime, command.team_id, command.channel_id, name, command.user_id)
    return Reply(
        text=f"Linked <#{command.channel_id}> to *{client.name}*: `/translate <text>` in your language here now "
        f"goes into {language_name(client.language)}, and ambiguous flags use it too."
    )


def unlink(command: Command) -> Reply:
    """``/translate unlink``: the channel is no longer about one client."""
    if not command.channel_id:
        raise UserError("Run `/translate unlink` in the linked channel.")
    previous = unlink_channel(command.runtime, command.team_id, command.channel_id)
    if previous is None:
        return Reply(text="This channel was not linked to a client.")
    return Reply(text=f"<#{command.channel_id}> is no longer linked to *{previous.name}*.")
