"""What a message in a channel linked to a client does.

* From someone at the client (``user_team``/``source_team`` differ from ours, or ``users.info``
  says so): a top-level message opens a request or joins the author's open one of the last two
  minutes — unless it is only thanks or a greeting; any message ends the client's ``until reply``
  follow-ups; it is translated into the team's language in its thread when the languages differ.
* From a team member: the first reply in a request's thread answers it; with ``translate:both``
  the message is translated into the client's language in its thread.
* From Rapport itself or another bot: nothing (no translation loops, never an answer).

Each message is handled once: Events API retries carry the same ``event_id``, and the message's own
``channel:ts`` is recorded too (an edit arrives as another event about the same message).
Nothing is posted in a channel no client is linked to as shared.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from db.scoped import team_session
from handlers.channels import blocks, requests
from handlers.channels.requests import Link
from handlers.channels.thanks import is_only_thanks
from handlers.common.events import first_time
from handlers.common.runtime import Runtime
from handlers.common.team import workspace_language
from handlers.followups.reminders import end_until_reply
from handlers.translate.detect import base_language
from handlers.translate.markup import quiet_broadcasts
from handlers.translate.providers import TranslationUnavailable
from handlers.translate.translation import translate

logger = logging.getLogger(__name__)

SLACK_ERRORS = (SlackApiError, SlackClientError, OSError)
# What a person writes: a plain message, one with files, one also sent to the channel, a /me.
# Everything else (edits, deletions, joins, topic changes, bots, archive notices …) is not.
PERSON_SUBTYPES = frozenset({None, "file_share", "thread_broadcast", "me_message"})


def on_message(runtime: Runtime, web: WebClient, team_id: str, bot_user_id: str | None, event: dict[str, Any]) -> None:
    """Handle one ``message`` event (see the module docstring)."""
    user, channel, ts = event.get("user"), event.get("channel"), event.get("ts")
    if event.get("subtype") not in PERSON_SUBTYPES or event.get("bot_id") or not user or not channel or not ts:
        return
    if user == bot_user_id:
        return  # our own posts: never a request, never an answer, never translated again
    link = requests.link_of(runtime, team_id, channel)
    if link is None or not link.shared:
        return
    # One key per message: a Slack retry (same event_id) and a second delivery of the same
    # message both find it taken. Only messages in linked channels get a key.
    if not first_time(runtime, team_id, f"channel-message:{channel}:{ts}"):
        return
    text = event.get("text") or ""
    thread_ts = event.get("thread_ts")
    top_level = not thread_ts or thread_ts == ts or event.get("subtype") == "thread_broadcast"
    now = runtime.clock()
    side = from_client(runtime, web, team_id, event)
    if side is None:
        logger.warning("cannot tell whether %s in %s is at the client; message %s left alone", user, channel, ts)
        return
    if side:
        if top_level and (event.get("files") or not is_only_thanks(text)):
            requests.open_or_join(runtime, team_id, link.client, channel, ts, user, now)
        _end_followups(runtime, web, team_id, link, channel)
        _translate_in_thread(runtime, web, team_id, link, event, into_team_language=True)
    else:
        if not top_level and thread_ts:
            requests.answer(runtime, team_id, channel, thread_ts, user, "thread", now)
        if (link.client.translate_mode or "in") == "both":
            _translate_in_thread(runtime, web, team_id, link, event, into_team_language=False)


def on_reaction(runtime: Runtime, web: WebClient, team_id: str, event: dict[str, Any]) -> None:
    """👀 on a request by a team member takes it; ✅ answers it."""
    item = event.get("item") or {}
    channel, ts, user = item.get("channel"), item.get("ts"), event.get("user")
    if item.get("type") != "message" or not channel or not ts or not user:
        return
    link = requests.link_of(runtime, team_id, channel)
    if link is None or not link.shared:
        return
    if from_client(runtime, web, team_id, {"user": user, "user_team": event.get("user_team")}) is not False:
        return  # the client's own reactions (or someone we cannot place) take or close nothing
    if event.get("reaction") == "eyes":
        requests.assign(runtime, team_id, channel, ts, user)
    elif event.get("reaction") in ("white_check_mark", "heavy_check_mark"):
        requests.answer(runtime, team_id, channel, ts, user, "reaction", runtime.clock())


# --- who wrote it -------------------------------------------------------------------------------


class _Teams:
    """Which team each user belongs to (``users.info``), kept per runtime: people do not change teams."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._team: dict[str, str] = {}

    def team_of(self, web: WebClient, user_id: str) -> str | None:
        with self._lock:
            if user_id in self._team:
                return self._team[user_id]
        try:
            user = web.users_info(user=user_id).get("user") or {}
        except SLACK_ERRORS as error:
            logger.warning("users.info for %s failed: %s", user_id, error)
            return None
        team = str(user.get("team_id") or "")
        if team:
            with self._lock:
                self._team[user_id] = team
        return team or None


def from_client(runtime: Runtime, web: WebClient, team_id: str, event: dict[str, Any]) -> bool | None:
    """True when the message (or reaction) comes from someone outside our workspace (the client),
    False when from our own, None when Slack could not tell us (``users.info`` failed)."""
    for key in ("user_team", "source_team"):
        if event.get(key) and event[key] != team_id:
            return True
    if event.get("user_team") == team_id:
        return False
    teams = runtime.extras.setdefault("user_teams", _Teams())
    team = teams.team_of(web, str(event.get("user") or "")) if isinstance(teams, _Teams) else None
    if not team:
        return None
    return team != team_id


# --- follow-ups that wait for the client ------------------------------------------------------


def _end_followups(runtime: Runtime, web: WebClient, team_id: str, link: Link, channel: str) -> None:
    for ended in end_until_reply(runtime, team_id, link.client.id):
        try:
            web.chat_postMessage(
                channel=ended.owner_id,
                text=blocks.followup_ended_text(ended.short_id, link.client.name, ended.what, channel),
                unfurl_links=False,
            )
        except SLACK_ERRORS as error:
            logger.warning("could not tell %s that follow-up %s ended: %s", ended.owner_id, ended.id, error)


# --- translation in the thread ------------------------------------------------------------------


def client_language(link: Link) -> str:
    """The client's language (BCP 47): their own, else their country's main one."""
    from cultures.languages import main_language

    return link.client.language or main_language(link.client.country).code


def _translate_in_thread(
    runtime: Runtime, web: WebClient, team_id: str, link: Link, event: dict[str, Any], *, into_team_language: bool
) -> None:
    if (link.client.translate_mode or "in") == "off":
        return
    text = event.get("text") or ""
    if not text.strip():
        return
    with team_session(runtime.sessions, team_id) as session:
        team = workspace_language(session)
    theirs = client_language(link)
    if base_language(team) == base_language(theirs):
        return
    target = team if into_team_language else theirs
    try:
        translation = translate(runtime, team_id, text, target)
    except TranslationUnavailable as error:
        logger.warning("no translation of %s in %s: %s", event.get("ts"), link.channel_id, error)
        return
    if translation.unchanged or not translation.text.strip():
        return
    try:
        web.chat_postMessage(
            channel=link.channel_id,
            thread_ts=event.get("thread_ts") or event.get("ts"),
            text=quiet_broadcasts(translation.text),
            blocks=blocks.translation_blocks(translation.text, translation.source, target),
            unfurl_links=False,
            unfurl_media=False,
        )
    except SLACK_ERRORS as error:
        logger.warning("could not post a translation in %s: %s", link.channel_id, error)
