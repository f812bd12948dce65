"""Health reflects the database; the Web API client honours 429 Retry-After and retries 5xx."""

from __future__ import annotations

import time
import urllib.error
import urllib.request

from bot.slack import build_client


def test_healthz_is_200_with_json(rapport):
    with urllib.request.urlopen(f"{rapport.url}/healthz") as response:
        assert response.status == 200
        assert b'"ok": true' in response.read()


def test_healthz_is_503_when_the_database_is_gone(rapport, engine, db_url, tmp_path):
    import os

    engine.dispose()
    path = db_url.removeprefix("sqlite:///")
    os.rename(os.path.dirname(path), str(tmp_path) + "-moved")
    try:
        urllib.request.urlopen(f"{rapport.url}/healthz")
        raise AssertionError("expected 503")
    except urllib.error.HTTPError as error:
        assert error.code == 503
    finally:
        os.rename(str(tmp_path) + "-moved", os.path.dirname(path))


def test_unknown_paths_are_404(rapport):
    try:
        urllib.request.urlopen(f"{rapport.url}/nope")
    except urllib.error.HTTPError as error:
        assert error.code == 404


def test_rate_limit_is_retried_after_retry_after(settings, slack):
    slack.fail("chat.postMessage", status=429, retry_after=1)
    client = build_client(settings)
    started = time.monotonic()
    response = client.chat_postMessage(channel="U1", text="hello")
    assert response["ok"]
    assert time.monotonic() - started >= 0.9
    assert len(slack.calls_to("chat.postMessage")) == 2


def test_server_errors_are_retried(settings, slack):
    slack.fail("users.info", status=503)
    response = build_client(settings).users_info(user="U1")
    assert response["user"]["tz"] == "Europe/London"
    assert len(slack.calls_to("users.info")) == 2


def test_unknown_events_and_actions_get_200(rapport):
    assert rapport.send.event({"type": "member_joined_channel", "user": "U1", "channel": "C1"}).status == 200
    assert rapport.send.action("some_future_button").status == 200
    assert rapport.send.view_submission("some_future_view", {}).status == 200


def test_unknown_command_answers_with_the_overview(rapport):
    assert rapport.send.command("/nonsense", "x").status == 200
    [answer] = rapport.slack.wait_for("response")
    assert "/nonsense" in answer.args["text"] and "/contact" in answer.args["text"]


def test_response_url_is_used_at_most_five_times_then_chat_post_message(rapport):
    url = rapport.slack.response_url("same")
    for _ in range(6):  # an answer after the ack (help would come in the ack itself)
        rapport.send.command("/rapport", "hours 08:30-17:00", response_url=url)
    rapport.slack.wait_for("response", 5)
    [dm] = rapport.slack.wait_for("chat.postMessage", 1)
    assert dm.args["channel"] == "U1"
    assert len(rapport.slack.calls_to("response")) == 5


def test_an_unreachable_response_url_falls_back_to_a_direct_message(rapport):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}/response/gone"
    assert rapport.send.command("/rapport", "hours 08:30-17:00", response_url=dead).status == 200
    [dm] = rapport.slack.wait_for("chat.postMessage")
    assert dm.args["channel"] == "U1" and "08:30" in dm.args["text"]
