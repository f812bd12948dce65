"""Signed requests through the real HTTP server: accepted when signed, 401 otherwise."""

from __future__ import annotations

import time


def test_signed_help_answers_with_the_commands(rapport):
    result = rapport.send.command("/rapport", "help")
    assert result.status == 200
    [answer] = rapport.slack.wait_for("response")
    assert "/contact" in answer.args["text"] and "/followup" in answer.args["text"]
    assert answer.args["response_type"] == "ephemeral"


def test_bad_signature_is_refused_and_changes_nothing(rapport):
    result = rapport.send.command("/rapport", "hours 07:00-15:00", signature="v0=deadbeef")
    assert result.status == 401
    time.sleep(0.2)
    assert rapport.slack.calls_to("response") == []


def test_stale_signature_is_refused(rapport):
    result = rapport.send.command("/rapport", "help", timestamp=int(time.time()) - 600)
    assert result.status == 401
