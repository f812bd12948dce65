"""Translating messages already in Slack: flag reactions, the Translate shortcut, the Post button.

Reactions post once per (message, language) in the message's thread: the first delivery claims
``translate:<channel>:<ts>:<language>`` in the seen-events table, so a Slack retry, a second
person adding the same flag or the same flag added again finds it taken. If the translation
fails the claim is released, so adding the flag again later retries.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy import delete

from db.models import SeenEvent
from db.scoped import team_session
from handlers.common.errors import UserError
from handlers.common.events import first_time
from handlers.common.interactive import Interaction
from handlers.common.people import member
from handlers.common.respond import Reply, Responder
from handlers.common.runtime import Runtime
from handlers.translate import blocks
from handlers.translate.detect import base_language
from handlers.translate.flags import country_of_reaction, language_of_flag
from handlers.translate.links import channel_client_of
from handlers.translate.markup import quiet_broadcasts
from handlers.translate.translation import (
    TranslationUnavailable,
    detect_text,
    language_name,
    own_language,
    translate,
)

logger = logging.getLogger(__name__)

MAX_MESSAGE_TEXT = 6000
SLACK_ERRORS = (SlackApiError, SlackClientError, OSError)


def unavailable_text(error: TranslationUnavailable) -> str:
    """What the person reads when no provider could translate."""
    if error.unsupported:
        return f":warning: {error.message}"
    return f":warning: Sorry, {error.message} Try again in a minute."


# --- reading a message ------------------------------------------------------------


def fetch_message(client: WebClient, channel: str, ts: str) -> dict[str, Any] | None:
    """The message at ``ts`` in ``channel``: top-level from history, a thread reply from replies."""
    calls: list[Callable[[], Any]] = [
        lambda: client.conversations_history(channel=channel, latest=ts, inclusive=True, limit=1),
        lambda: client.conversations_replies(channel=channel, ts=ts, oldest=ts, latest=ts, inclusive=True, limit=1),
    ]
    for call in calls:
        try:
            response = call()
        except SLACK_ERRORS as error:
            logger.info("could not read message %s in %s: %s", ts, channel, error)
            continue
        messages: list[dict[str, Any]] = response.get("messages") or []
        for message in messages:
            if message.get("ts") == ts:
                return message
    return None


# --- flag reactions -----------------------------------------------------------------


def on_reaction(runtime: Runtime, client: WebClient, team_id: str, event: dict[str, Any], event_id: str | None) -> None:
    """A reaction was added: if it is a flag on a message, post the translation in its thread once."""
    item = event.get("item") or {}
    country = country_of_reaction(event.get("reaction") or "")
    if country is None or item.get("type") != "message" or not item.get("channel") or not item.get("ts"):
        return
    channel, ts, user_id = item["channel"], item["ts"], event.get("user") or ""
    if event_id and not first_time(runtime, team_id, f"translate-event:{event_id}"):
        return  # a Slack retry of a delivery we already handle
    linked = channel_client_of(runtime, team_id, channel)
    target = language_of_flag(country, linked.language if linked else None)
    key = f"translate:{channel}:{ts}:{target}"
    if not first_time(runtime, team_id, key):
        return  # this message is (being) translated into this language already
    try:
        outcome = _translate_reaction(runtime, client, team_id, channel, ts, target, event.get("reaction") or "")
    except TranslationUnavailable as error:
        outcome = Outcome(unavailable_text(error))
    except Exception:
        reference = uuid.uuid4().hex[:8]
        logger.exception("translating message %s in %s failed (ref %s)", ts, channel, reference)
        outcome = Outcome(f":warning: Sorry, I could not translate that message (ref `{reference}`).")
    if outcome is not None:
        if outcome.retry:
            _forget(runtime, team_id, key)  # adding the flag again later tries again
        _tell(client, channel, user_id, outcome.text)


@dataclass(frozen=True)
class Outcome:
    """What to tell the person who reacted when no translation was posted; ``retry``: may try again."""

    text: str
    retry: bool = True


def _translate_reaction(
    runtime: Runtime, client: WebClient, team_id: str, channel: str, ts: str, target: str, reaction: str
) -> Outcome | None:
    """Post the thread reply; None when posted, else what to tell the person who reacted."""
    message = fetch_message(client, channel, ts)
    if message is None:
        return Outcome(
            "I could not read that message: invite me to the channel (`/invite @Rapport`) and add the flag again."
        )
    text = message.get("text") or ""
    if not text.strip():
        return Outcome("That message has no text I can translate.", retry=False)
    if len(text) > MAX_MESSAGE_TEXT:
        return Outcome(
            f"That message is too long to translate here ({len(text):,} characters; at most {MAX_MESSAGE_TEXT:,}).",
            retry=False,
        )
    translation = translate(runtime, team_id, text, target)
    if translation.unchanged:
        return Outcome(translation.unchanged_text("That message"), retry=False)
    try:
        client.chat_postMessage(
            channel=channel,
            thread_ts=message.get("thread_ts") or ts,
            text=quiet_broadcasts(translation.text),
            blocks=[b.to_dict() for b in blocks.thread_reply_blocks(translation, reaction)],
            unfurl_links=False,
            unfurl_media=False,
        )
    except SLACK_ERRORS as error:
        logger.warning("could not post the translation of %s in %s: %s", ts, channel, error)
        return Outcome(
            "I could not post in that thread: invite me to the channel (`/invite @Rapport`) and add the flag again."
        )
    return None


def _forget(runtime: Runtime, team_id: str, key: str) -> None:
    with team_session(runtime.sessions, team_id) as session:
        session.execute(delete(SeenEvent).where(SeenEvent.event_key == key[:200]))


def _tell(client: WebClient, channel: str, user_id: str, text: str) -> None:
    if not user_id:
        return
    try:
        client.chat_postEphemeral(channel=channel, user=user_id, text=text)
    except SLACK_ERRORS as error:
        logger.warning("could not tell %s in %s: %s", user_id, channel, error)


# --- the Translate message shortcut ---------------------------------------------------


def on_shortcut(runtime: Runtime, client: WebClient, asker: Interaction, message: dict[str, Any]) -> None:
    """The Translate shortcut on ``message``: the translation for the asker only."""
    user_id, team_id, channel_id = asker.user_id, asker.team_id, asker.channel_id
    text = message.get("text") or ""
    responder = Responder(client, user_id, channel_id, asker.response_url)
    reply = answer(lambda: shortcut_reply(runtime, client, team_id, user_id, channel_id, text))
    try:
        responder.send(reply)
    except Exception:
        logger.exception("could not deliver the Translate shortcut's answer")


def shortcut_reply(
    runtime: Runtime, client: WebClient | None, team_id: str, user_id: str, channel_id: str | None, text: str
) -> Reply:
    """Translate a message into the asker's language (or, if it is in theirs, the channel's client's)."""
    if not text.strip():
        raise UserError("That message has no text I can translate.", show_usage=False)
    if len(text) > MAX_MESSAGE_TEXT:
        raise UserError(
            f"That message is too long to translate here ({len(text):,} characters; at most {MAX_MESSAGE_TEXT:,}).",
            show_usage=False,
        )
    detection = detect_text(text)
    own = own_language(member(client, runtime, team_id, user_id).locale)
    target = own
    # The shortcut means "into my language": only a message confidently in it goes elsewhere.
    if detection.code and base_language(detection.code) == base_language(own):
        linked = channel_client_of(runtime, team_id, channel_id)
        if linked is None or base_language(linked.language) == base_language(own):
            raise UserError(
                f"That message is already in {language_name(own)}. For another language use "
                "`/translate to <language> <text>`; in a channel about one client, `/translate link <client>` "
                "makes the shortcut translate into their language.",
                show_usage=False,
            )
        target = linked.language
    translation = translate(runtime, team_id, text, target, detection=detection)
    if translation.unchanged:
        return Reply(text=translation.unchanged_text("That message"))
    return Reply(text=blocks.translation_text(translation), blocks=blocks.translation_blocks(translation))


def answer(make: Callable[[], Reply]) -> Reply:
    """Run ``make`` at the boundary: the person's mistakes and provider outages become short answers."""
    try:
        return make()
    except UserError as error:
        return Reply(text=error.message)
    except TranslationUnavailable as error:
        return Reply(text=unavailable_text(error))
    except Exception:
        reference = uuid.uuid4().hex[:8]
        logger.exception("translation failed (ref %s)", reference)
        return Reply(text=f":warning: Sorry, something went wrong on our side (ref `{reference}`).")


# --- the Post to channel button ---------------------------------------------------------


def on_post(client: WebClient, click: Interaction) -> None:
    """Post a translation from the asker's answer into the channel, for everyone."""
    user_id = click.user_id
    channel = click.channel_id or user_id
    responder = Responder(client, user_id, channel, click.response_url)
    try:
        data = blocks.read_post_value(click.value)
    except ValueError:
        responder.send(Reply(text="That button is out of date: translate the text again."))
        return
    text = data["x"]
    try:
        client.chat_postMessage(
            channel=channel,
            text=quiet_broadcasts(text),
            blocks=[b.to_dict() for b in blocks.posted_blocks(text, data.get("s"), data.get("t") or "", user_id)],
            unfurl_links=False,
        )
    except SLACK_ERRORS as error:
        code = getattr(getattr(error, "response", None), "get", lambda _k: None)("error")
        logger.warning("posting a translation to %s failed: %s", channel, error)
        hint = (
            "invite me first (`/invite @Rapport`), then press Post again" if code == "not_in_channel" else "try again"
        )
        responder.send(Reply(text=f":warning: I could not post in <#{channel}>: {hint}."))
        return
    if click.action_id == blocks.POST_ACTION and data.get("n", 1) == 1:
        # One part: the answer is done; replace it so that a second click cannot post twice.
        done = blocks.posted_blocks(text, data.get("s"), data.get("t") or "", user_id)[:-1]
        responder.send(
            Reply(text=f"Posted to <#{channel}>.", blocks=[*done, *blocks.posted_note(channel)]), replace_original=True
        )
