"""A button whose work fails unexpectedly still answers the person (never silence)."""

from __future__ import annotations

from sqlalchemy import text


def test_acknowledge_with_a_broken_database_apologises(rapport, engine):
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE escalation"))
    assert rapport.send.action("rapport_escalate_acknowledge", "1").status == 200
    [answer] = rapport.slack.wait_for("response")
    assert "Sorry" in answer.args["text"]
