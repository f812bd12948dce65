"""Shared helpers of the escalation tests: clients and follow-ups straight into the database."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from slack_sdk.models.blocks import Block
from sqlalchemy import select

from db.models import Client, Workspace
from db.models.escalations import Escalation
from db.models.followups import SENT, FollowUp
from db.scoped import team_session
from handlers.clients.fields import name_key

TEAM = "T1"


def add_client(runtime, name: str, country: str, tz: str, **extra: Any) -> int:
    with team_session(runtime.sessions, TEAM) as session:
        client = Client(team_id=TEAM, name=name, name_key=name_key(name), country=country, tz=tz, **extra)
        session.add(client)
        session.flush()
        return client.id


def set_channel(runtime, channel: str | None) -> None:
    with team_session(runtime.sessions, TEAM) as session:
        row = session.scalars(select(Workspace)).one_or_none()
        if row is None:
            row = Workspace(team_id=TEAM, settings={})
            session.add(row)
        row.escalation_channel = channel


def set_workspace_settings(runtime, **values: Any) -> None:
    with team_session(runtime.sessions, TEAM) as session:
        row = session.scalars(select(Workspace)).one_or_none()
        if row is None:
            row = Workspace(team_id=TEAM, settings={})
            session.add(row)
        row.settings = {**(row.settings or {}), "escalation": values}


def add_sent_followup(
    runtime, client_id: int, fired_at: dt.datetime, owner: str = "U1", what: str = "send the quote", short_id: int = 1
) -> int:
    """A follow-up whose reminder went out at ``fired_at`` and is awaiting Done."""
    with team_session(runtime.sessions, TEAM) as session:
        name = session.scalars(select(Client.name).where(Client.id == client_id)).one()
        row = FollowUp(
            team_id=TEAM,
            short_id=short_id,
            client_id=client_id,
            client_name=name,
            owner_id=owner,
            created_by=owner,
            what=what,
            when_text="tomorrow",
            status=SENT,
            due_at=None,
            fired_at=fired_at,
            channel_id="D1",
            message_ts="1700000000.000100",
            sent_count=1,
        )
        session.add(row)
        session.flush()
        return row.id


def escalations(runtime) -> list[Escalation]:
    with team_session(runtime.sessions, TEAM) as session:
        return list(session.scalars(select(Escalation).order_by(Escalation.id)))


def followup(runtime, followup_id: int) -> FollowUp:
    with team_session(runtime.sessions, TEAM) as session:
        return session.scalars(select(FollowUp).where(FollowUp.id == followup_id)).one()


def posts_in(slack, channel: str) -> list[dict[str, Any]]:
    """Messages the app got into ``channel`` (refused posts are not there), oldest first, blocks validated.

    A direct message to ``U1`` lives in ``D1``. Each message has ``text``, ``blocks`` (as last
    updated) and ``thread_ts``.
    """
    if channel.startswith(("U", "W")):
        channel = "D" + channel[1:]
    with slack._lock:
        found = [dict(m, ts=ts) for (ch, ts), m in slack.messages.items() if ch == channel]
    found.sort(key=lambda m: tuple(int(part) for part in m["ts"].split(".")))
    for message in found:
        message["blocks"] = _decoded(message.get("blocks"))
        for block in message["blocks"] or []:
            Block.parse(block).validate_json()
    return found


def wait_posts(slack, channel: str, count: int = 1, timeout: float = 10.0) -> list[dict[str, Any]]:
    """``posts_in`` once at least ``count`` messages are there (form submissions answer before they post)."""
    deadline = time.monotonic() + timeout
    while True:
        found = posts_in(slack, channel)
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.01)


def _decoded(value: Any) -> Any:
    import json

    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def all_text(blocks: list[dict[str, Any]] | None) -> str:
    """Every piece of text in some blocks, joined (for assertions)."""
    import json

    return json.dumps(blocks or [], ensure_ascii=False)


def ask(rapport, text: str, user: str = "U1", channel: str = "C1") -> dict[str, Any]:
    """A signed `/escalate` command; what reached its response_url."""
    before = len(rapport.slack.calls_to("response"))
    result = rapport.send.command("/escalate", text, user=user, channel=channel)
    assert result.status == 200
    return rapport.slack.wait_for("response", count=before + 1)[before].args
