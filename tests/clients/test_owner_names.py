"""`/client` resolves plain `@name` owners through the shared lookup (handlers.common.people)."""

from __future__ import annotations

from tests.clients.test_wire import stored
from tests.contact.test_wire import ask


def test_list_and_owner_by_plain_name(rapport):
    ask(rapport, "/client", "add Acme GmbH country:DE owner:@grace")
    ask(rapport, "/client", "add Beta AG country:DE owner:ada")
    assert [c.owner_id for c in stored(rapport)] == ["U2", "U1"]
    graces = ask(rapport, "/client", "list @Grace")["text"]
    assert "Clients of <@U2>" in graces and "Acme GmbH" in graces and "Beta AG" not in graces


def test_unknown_and_ambiguous_names_are_refused_with_the_usage(rapport):
    rapport.slack.add_user("U3", tz="Asia/Tokyo", name="Grace")  # a second Grace
    for text, expected in [
        ("add Acme country:DE owner:@nobody", "I can't find @nobody in this workspace"),
        ("list @nobody", "I can't find @nobody in this workspace"),
        ("add Acme country:DE owner:@grace", "Several people in this workspace are called @grace (<@U2>, <@U3>)"),
        ("edit Acme owner:grace", "Several people in this workspace are called @grace"),
        ("list @grace", "Several people in this workspace are called @grace"),
        ('add Acme country:DE owner:"Grace Hopper"', "“Grace Hopper” is not a Slack user"),
    ]:
        answer = ask(rapport, "/client", text)["text"]
        assert expected in answer, (text, answer)
        assert "*Usage*" in answer and "/client add" in answer, text
    assert stored(rapport) == []
