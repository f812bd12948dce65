"""Where escalations go: finding a channel by mention or name, and making sure the bot can post there.

Slack sends channels as ``<#C123|name>`` (``should_escape``); people may also type ``#name``,
which is looked up with conversations.list. Before a channel is accepted the bot checks it
with conversations.info and joins public channels itself (conversations.join); a private
channel needs a person to invite it, and the answer says how.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from handlers.common.args import channel_of
from handlers.common.errors import UserError

logger = logging.getLogger(__name__)

INVITE = "/invite @Rapport"
NO_CHANNEL = "no_channel"
_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]+$")
_LIST_PAGES = 20  # 20 x 1,000 channels; a workspace with more should use the #mention form


@dataclass(frozen=True)
class Channel:
    """A channel the bot can post in."""

    id: str
    name: str | None = None

    @property
    def mention(self) -> str:
        return f"<#{self.id}>"


class ChannelError(UserError):
    """The channel cannot take escalations; ``code`` is Slack's error (or ours) for the record."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message, show_usage=False)
        self.code = code


def problem_message(code: str, channel: str | None) -> str:
    """What to tell a person when an escalation could not be posted to ``channel``."""
    where = f"<#{channel}>" if channel and _CHANNEL_ID.match(channel) else f"#{channel}" if channel else "it"
    if code == NO_CHANNEL:
        return "No escalation channel is set for this workspace: type `/escalate channel #your-channel` to choose one."
    if code == "is_archived":
        return f"{where} is archived: choose another channel with `/escalate channel #channel`."
    if code in ("not_in_channel", "method_not_supported_for_channel_type", "restricted_action"):
        return (
            f"I am not a member of {where}: type `{INVITE}` in that channel, "
            "or choose another with `/escalate channel #channel`."
        )
    if code == "channel_not_found":
        return (
            f"I cannot see {where}: it was deleted, or it is private and I am not in it. Type `{INVITE}` in it, "
            "or choose another with `/escalate channel #channel`."
        )
    if code == "bad_channel":
        return f"“{channel}” is not a channel: set one with `/escalate channel #channel`."
    if code == "unreachable":
        return "I could not reach Slack."
    return f"Slack refused the post to {where} (`{code}`)."


def stored_form(text: str) -> str | None:
    """A channel as stored on a workspace or client (an id, or a plain name when typed as ``#name``)."""
    text = (text or "").strip()
    if not text:
        return None
    channel_id, name = channel_of(text)
    if channel_id:
        return channel_id
    if name:
        return name
    return text.lstrip("#") or None


def resolve(client: WebClient, text: str) -> Channel:
    """The channel meant by ``<#C123|name>``, ``#name``, ``name`` or a bare id; raises ChannelError."""
    text = (text or "").strip()
    channel_id, name = channel_of(text)
    if channel_id is None and name is None:
        bare = text.lstrip("#")
        if _CHANNEL_ID.match(bare):
            channel_id = bare
        elif re.fullmatch(r"[a-z0-9._-]{1,80}", bare):
            name = bare
        else:
            raise ChannelError(
                f"“{text}” is not a channel: write it like `#escalations` (Slack turns it into a link).", "bad_channel"
            )
    if channel_id:
        return Channel(channel_id, name)
    found = _find_by_name(client, name or "")
    if found is None:
        raise ChannelError(
            f"I cannot find a channel called #{name}. If it is private, invite me first: type `{INVITE}` in #{name}, "
            f"then `/escalate channel #{name}` again.",
            "channel_not_found",
        )
    return found


def checked_channel_id(client: WebClient, text: str) -> str:
    """The id of the channel meant by ``text``, once the bot can post there (joined if public).

    For `/client edit <name> escalation:#channel`: raises ChannelError (a UserError) saying what
    is wrong and how to fix it (archived, private without the bot, not found).
    """
    return ensure_postable(client, resolve(client, text)).id


def ensure_postable(client: WebClient, channel: Channel) -> Channel:
    """Check the bot can post in ``channel``, joining it when public; raises ChannelError otherwise."""
    try:
        info = client.conversations_info(channel=channel.id)["channel"] or {}
    except SlackApiError as error:
        code = str(error.response.get("error") or "unknown_error")
        if code in ("channel_not_found", "not_in_channel"):
            raise ChannelError(problem_message("channel_not_found", channel.id), code) from None
        raise ChannelError(
            f"Slack would not tell me about {channel.mention} (`{code}`). Try again later.", code
        ) from None
    except (SlackClientError, OSError) as error:
        logger.warning("conversations.info %s failed: %s", channel.id, error)
        raise ChannelError(
            "I could not reach Slack to check that channel; try again in a moment.", "unreachable"
        ) from None
    named = Channel(channel.id, info.get("name") or channel.name)
    if info.get("is_im") or info.get("is_mpim"):
        raise ChannelError("Escalations go to a channel the team shares, not a direct message.", "is_im")
    if info.get("is_archived"):
        raise ChannelError(problem_message("is_archived", channel.id), "is_archived")
    if info.get("is_member"):
        return named
    if info.get("is_private") or info.get("is_group"):
        raise ChannelError(problem_message("not_in_channel", channel.id), "not_in_channel")
    return join(client, named)


def join(client: WebClient, channel: Channel) -> Channel:
    """Join a public channel; raises ChannelError saying how to invite the bot when it cannot."""
    try:
        client.conversations_join(channel=channel.id)
    except SlackApiError as error:
        code = str(error.response.get("error") or "unknown_error")
        if code == "is_archived":
            raise ChannelError(problem_message("is_archived", channel.id), code) from None
        raise ChannelError(problem_message("not_in_channel", channel.id), code) from None
    except (SlackClientError, OSError) as error:
        logger.warning("conversations.join %s failed: %s", channel.id, error)
        raise ChannelError(
            "I could not reach Slack to join that channel; try again in a moment.", "unreachable"
        ) from None
    return channel


def try_join(client: WebClient, channel_id: str) -> bool:
    """Join a public channel quietly (before retrying a post refused with not_in_channel)."""
    try:
        client.conversations_join(channel=channel_id)
    except (SlackApiError, SlackClientError, OSError):
        return False
    return True


def _find_by_name(client: WebClient, name: str) -> Channel | None:
    wanted = name.lower()
    cursor: str | None = None
    for _ in range(_LIST_PAGES):
        try:
            response = client.conversations_list(
                types="public_channel,private_channel", exclude_archived=False, limit=1000, cursor=cursor
            )
        except SlackApiError as error:
            logger.warning("conversations.list failed: %s", error.response.get("error"))
            return None
        for channel in response.get("channels") or []:
            if (channel.get("name") or "").lower() == wanted:
                return Channel(channel["id"], channel.get("name"))
        cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
        if not cursor:
            return None
    return None


@dataclass(frozen=True)
class SharedChannel:
    """A channel to link to a client: its id and name, and whether it is shared with another organisation."""

    id: str
    name: str | None
    external: bool


def shared_channel(client: WebClient, text: str) -> SharedChannel:
    """The channel meant by ``text`` for `shared:`, once the bot is in it (it must read the messages).

    Public channels are joined; a Slack Connect or private channel needs ``/invite @Rapport``
    first (raises ChannelError saying so, like the other problems: archived, not found).
    """
    try:
        channel = resolve(client, text)
    except ChannelError as error:
        if error.code == "channel_not_found":
            raise ChannelError(
                f"I cannot find that channel. Type `{INVITE}` in it first (a channel shared with another "
                "organisation or a private one needs that), then link it again.",
                error.code,
            ) from None
        raise
    try:
        info = client.conversations_info(channel=channel.id)["channel"] or {}
    except SlackApiError as error:
        code = str(error.response.get("error") or "unknown_error")
        raise ChannelError(
            f"I cannot see {channel.mention}: type `{INVITE}` in it first, then link it again.", code
        ) from None
    except (SlackClientError, OSError) as error:
        logger.warning("conversations.info %s failed: %s", channel.id, error)
        raise ChannelError(
            "I could not reach Slack to check that channel; try again in a moment.", "unreachable"
        ) from None
    if info.get("is_im") or info.get("is_mpim"):
        raise ChannelError("A client's shared channel is a channel, not a direct message.", "is_im")
    if info.get("is_archived"):
        raise ChannelError(f"{channel.mention} is archived.", "is_archived")
    external = bool(info.get("is_ext_shared") or info.get("is_shared") or info.get("is_pending_ext_shared"))
    found = SharedChannel(channel.id, info.get("name") or channel.name, external)
    if info.get("is_member"):
        return found
    if external or info.get("is_private") or info.get("is_group"):
        raise ChannelError(
            f"I am not in {channel.mention} yet: type `{INVITE}` in it, then link it again "
            "(I can only see a shared or private channel's messages from inside).",
            "not_in_channel",
        )
    join(client, Channel(found.id, found.name))
    return found
