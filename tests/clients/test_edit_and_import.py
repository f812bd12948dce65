"""`/client edit <name> escalation:#channel`: checked with Slack, stored, shown, exported, cleared."""

from __future__ import annotations

from tests.clients.test_wire import stored
from tests.contact.test_wire import ask


def test_escalation_channel_is_checked_joined_and_stored(rapport):
    rapport.slack.add_channel("C0GULF", "gulf-accounts", is_member=False)
    ask(rapport, "/client", "add Al Noor Trading country:SA")
    answer = ask(rapport, "/client", "edit al noor trading escalation:<#C0GULF|gulf-accounts>")
    assert "<#C0GULF>" in answer["text"]
    [client] = stored(rapport)
    assert client.escalation_channel == "C0GULF"
    assert rapport.slack.calls_to("conversations.join"), "a public channel is joined"
    ask(rapport, "/client", "edit al noor trading escalation:off")
    assert stored(rapport)[0].escalation_channel is None


def test_archived_escalation_channel_is_refused_with_advice(rapport):
    rapport.slack.add_channel("C0OLD", "old-escalations", archived=True)
    ask(rapport, "/client", "add Al Noor Trading country:SA")
    answer = ask(rapport, "/client", "edit al noor trading escalation:<#C0OLD|old-escalations>")
    assert "archived" in answer["text"].lower()
    assert stored(rapport)[0].escalation_channel is None


def test_pasted_csv_with_spaces_quotes_and_windows_line_ends(rapport):
    answer = ask(
        rapport, "/client", 'import\r\nname,country,contact\r\nImp One,DE,Anna Weber\r\n"Imp, Two",JP,Tanaka Hiroshi'
    )
    assert "Usage" not in answer["text"], answer["text"]
    assert [c.name for c in stored(rapport)] == ["Imp One", "Imp, Two"]
    assert stored(rapport)[0].contact == "Anna Weber"


def test_long_lists_are_split_not_cut():
    from db.models import Client
    from handlers.clients.blocks import list_blocks

    clients = [
        Client(name="N" * 190 + str(i), name_key=str(i), country="DE", tz="Europe/Berlin", contact="C" * 200)
        for i in range(20)
    ]
    sections = [block.to_dict()["text"]["text"] for block in list_blocks("Clients", clients)[1:]]
    assert all(len(text) <= 3000 for text in sections)
    assert sum(text.count("•") for text in sections) == 20
