"""Helpers of the client-channel tests: a Slack Connect channel shared with a French client, its
people, their messages as signed Events API deliveries, and what the app did about them."""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy import select

from db.models import ClientRequest
from db.scoped import team_session
from tests.contact.test_wire import ask
from tests.escalate.helpers import posts_in

TEAM = "T1"
CLIENT_TEAM = "T2DUPONT"
SHARED = "C0SHARED"
ESCALATIONS = "C0ESC"
MARIE, PIERRE = "U0MARIE", "U0PIERRE"  # at the client
_stamps = itertools.count(1)
_events = itertools.count(1)


def shared_channel(rapport, channel: str = SHARED, name: str = "dupont-shared") -> None:
    """A Slack Connect channel shared with Dupont SA, Rapport already in it; Dupont's people."""
    rapport.slack.add_team(CLIENT_TEAM, "Dupont SA")
    rapport.slack.add_channel(channel, name, shared_with=CLIENT_TEAM)
    rapport.slack.add_user(MARIE, tz="Europe/Paris", locale="fr-FR", name="Marie Curie", team_id=CLIENT_TEAM)
    rapport.slack.add_user(PIERRE, tz="Europe/Paris", locale="fr-FR", name="Pierre Curie", team_id=CLIENT_TEAM)


def linked(rapport, options: str = "", *, channel: str = SHARED, escalations: bool = True) -> dict[str, Any]:
    """Dupont SA added with the shared channel linked (as a new user types it); the answer."""
    shared_channel(rapport, channel)
    if escalations:
        rapport.slack.add_channel(ESCALATIONS, "client-escalations")
        answer = ask(rapport, "/escalate", f"channel <#{ESCALATIONS}|client-escalations>")
        assert ESCALATIONS in answer["text"], answer["text"]
    answer = ask(rapport, "/client", f"add Dupont SA country:FR owner:<@U2|grace> shared:<#{channel}|dupont> {options}")
    assert "Added" in answer["text"], answer["text"]
    return answer


def stamp() -> str:
    """A fresh Slack message ts."""
    return f"1764000000.{next(_stamps):06d}"


def message(
    rapport,
    text: str,
    *,
    user: str = MARIE,
    channel: str = SHARED,
    ts: str | None = None,
    thread_ts: str | None = None,
    event_id: str | None = None,
    retry_num: int | None = None,
    **extra: Any,
) -> str:
    """A message event in ``channel`` (from the client unless ``user`` is ours); waits until the app
    handled it. The message is also in the fake's history, as Slack would have it. Returns its ts."""
    ts = ts or stamp()
    from_client = rapport.slack.users.get(user, {}).get("team_id") == CLIENT_TEAM
    event: dict[str, Any] = {
        "type": "message",
        "channel": channel,
        "channel_type": "channel",
        "user": user,
        "text": text,
        "ts": ts,
        "team": CLIENT_TEAM if from_client else TEAM,
        "user_team": CLIENT_TEAM if from_client else TEAM,
        "source_team": CLIENT_TEAM if from_client else TEAM,
        **extra,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    if (channel, ts) not in rapport.slack.messages:  # our own posts are there already
        rapport.slack.add_message(channel, ts, text, user=user, thread_ts=thread_ts)
    result = rapport.send.event(event, event_id=event_id or f"Ev{next(_events):08d}", retry_num=retry_num)
    assert result.status == 200
    settle(rapport)
    return ts


def react(rapport, reaction: str, ts: str, *, user: str = "U1", channel: str = SHARED) -> None:
    """``reaction`` added by ``user`` to the message at ``ts``; waits until the app handled it."""
    event = {
        "type": "reaction_added",
        "user": user,
        "reaction": reaction,
        "item": {"type": "message", "channel": channel, "ts": ts},
        "item_user": MARIE,
        "event_ts": stamp(),
    }
    assert rapport.send.event(event, event_id=f"Ev{next(_events):08d}").status == 200
    settle(rapport)


def settle(rapport) -> None:
    """Wait until the listener threads have nothing left to do (the answers come after the ack)."""
    assert rapport.runtime.extras["listener_pool"].drain(10.0)


def requests_of(rapport) -> list[ClientRequest]:
    with team_session(rapport.runtime.sessions, TEAM) as session:
        return list(session.scalars(select(ClientRequest).order_by(ClientRequest.id)))


def thread_of(rapport, ts: str, channel: str = SHARED) -> list[dict[str, Any]]:
    """What Rapport posted in the thread of the message at ``ts``."""
    return [post for post in rapport_posts(rapport, channel) if post.get("thread_ts") == ts]


def rapport_posts(rapport, channel: str = SHARED) -> list[dict[str, Any]]:
    """Everything Rapport posted in ``channel``."""
    return [post for post in posts_in(rapport.slack, channel) if post.get("bot_id") == "B0RAPPORT"]
