"""Linking Slack Connect channels to clients: `/client edit … shared:`, and Rapport added to a channel."""

from __future__ import annotations

import json
import time

from sqlalchemy import select

from db.models import ChannelClient
from db.scoped import team_session
from handlers.channels.blocks import LINK_ACTION, link_prompt_blocks
from tests.channels.helpers import (
    CLIENT_TEAM,
    SHARED,
    linked,
    message,
    rapport_posts,
    settle,
    shared_channel,
    thread_of,
)
from tests.contact.test_wire import ask
from tests.escalate.helpers import posts_in


def links(rapport) -> list[tuple[str, bool, str | None]]:
    with team_session(rapport.runtime.sessions, "T1") as session:
        rows = session.execute(
            select(ChannelClient.channel_id, ChannelClient.shared, ChannelClient.linked_by).order_by(
                ChannelClient.channel_id
            )
        )
        return [(row[0], bool(row[1]), row[2]) for row in rows]


def test_shared_channels_are_linked_listed_and_unlinked(rapport, libre):
    linked(rapport)
    rapport.slack.add_channel("C0SECOND", "dupont-support", shared_with=CLIENT_TEAM)
    answer = ask(rapport, "/client", "edit Dupont SA shared:<#C0SECOND|dupont-support>")
    assert "Usage" not in answer["text"], answer["text"]
    assert [link[:2] for link in links(rapport)] == [("C0SECOND", True), (SHARED, True)]
    shown = ask(rapport, "/client", "show Dupont SA")
    text = shown["text"] + json.dumps(shown.get("blocks") or [])
    assert f"<#{SHARED}>" in text and "<#C0SECOND>" in text
    answer = ask(rapport, "/client", 'edit Dupont SA shared:""')
    assert links(rapport) == []
    ts = message(rapport, "Bonjour, le devis ?")
    assert thread_of(rapport, ts) == []  # unlinked: Rapport says nothing there any more


def test_a_channel_moves_to_another_client_with_a_remark(rapport, libre):
    linked(rapport)
    answer = ask(rapport, "/client", f"add Durand SARL country:FR shared:<#{SHARED}|dupont>")
    assert "was linked to Dupont SA" in answer["text"]
    assert len(links(rapport)) == 1


def test_linking_a_channel_rapport_is_not_in_says_how_to_invite_it(rapport, libre):
    rapport.slack.add_team(CLIENT_TEAM, "Dupont SA")
    rapport.slack.add_channel("C0OUTSIDE", "dupont-outside", is_member=False, shared_with=CLIENT_TEAM)
    answer = ask(rapport, "/client", "add Dupont SA country:FR shared:<#C0OUTSIDE|dupont-outside>")
    assert "/invite @Rapport" in answer["text"]
    assert links(rapport) == []


def joined(rapport, channel: str, *, user: str = "U0RAPPORT", inviter: str | None = "U1", event_id: str = "EvJ1"):
    event = {"type": "member_joined_channel", "user": user, "channel": channel, "channel_type": "C", "team": "T1"}
    if inviter:
        event["inviter"] = inviter
    assert rapport.send.event(event, event_id=event_id).status == 200
    settle(rapport)


def choose(rapport, value: str, user: str = "U1") -> dict:
    before = len(rapport.slack.calls_to("response"))
    payload = {
        "type": "block_actions",
        "user": {"id": user, "team_id": "T1"},
        "container": {"type": "message", "message_ts": "1.000001", "channel_id": "D1"},
        "channel": {"id": "D1"},
        "message": {"ts": "1.000001", "text": "", "blocks": []},
        "trigger_id": "1.2.3",
        "response_url": rapport.send.next_response_url(),
        "actions": [
            {
                "action_id": LINK_ACTION,
                "block_id": "b1",
                "type": "static_select",
                "selected_option": {"text": {"type": "plain_text", "text": "x"}, "value": value},
                "action_ts": str(time.time()),
            }
        ],
    }
    assert rapport.send.interactive(payload).status == 200
    return rapport.slack.wait_for("response", count=before + 1)[before].args


def test_added_to_an_unlinked_shared_channel_it_asks_the_inviter_and_links_on_their_choice(rapport, libre):
    ask(rapport, "/client", "add Acme Corp country:US")
    ask(rapport, "/client", "add Dupont SA country:FR")
    ask(rapport, "/client", "add Zeta GmbH country:DE")
    shared_channel(rapport, "C0NEW", "dupont-new")
    joined(rapport, "C0NEW")
    joined(rapport, "C0NEW", event_id="EvJ1")  # a retry asks nothing more
    [prompt] = posts_in(rapport.slack, "U1")
    assert "Dupont SA" in prompt["text"] or "Dupont SA" in json.dumps(prompt["blocks"])
    options = prompt["blocks"][0]["accessory"]["options"]
    assert options[0]["text"]["text"] == "Dupont SA"  # guessed from the other organisation's name
    assert options[-1]["value"] == "C0NEW:new"
    assert rapport_posts(rapport, "C0NEW") == []  # never a word in the channel itself
    answer = choose(rapport, options[0]["value"])
    assert "now linked to *Dupont SA*" in answer["text"] and answer.get("replace_original") is True
    assert links(rapport) == [("C0NEW", True, "U1")]
    ts = message(rapport, "Bonjour, le devis ?", channel="C0NEW")
    assert len(thread_of(rapport, ts, "C0NEW")) == 1


def test_new_client_choice_says_how_to_add_it_with_the_channel(rapport, libre):
    answer = choose(rapport, "C0NEW:new")
    assert "/client add" in answer["text"] and "shared:<#C0NEW>" in answer["text"]
    assert links(rapport) == []


def test_added_to_an_internal_channel_or_someone_else_joining_asks_nothing(rapport, libre):
    rapport.slack.add_channel("C0INTERNAL", "team-only")
    joined(rapport, "C0INTERNAL", event_id="EvJ2")
    shared_channel(rapport, "C0NEW", "dupont-new")
    joined(rapport, "C0NEW", user="U2", event_id="EvJ3")
    linked(rapport)
    joined(rapport, SHARED, event_id="EvJ4")  # already linked
    assert posts_in(rapport.slack, "U1") == []


def test_the_pick_list_stays_within_slacks_limits():
    clients = [(n, f"Client {n:03d} " + "x" * 90) for n in range(250)]
    [section] = link_prompt_blocks("C1", "A" * 5000, clients)
    options = section["accessory"]["options"]
    assert len(options) == 100 and options[-1]["value"] == "C1:new"
    assert all(len(option["text"]["text"]) <= 75 for option in options)
    assert len(section["text"]["text"]) <= 3000
