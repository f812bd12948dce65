"""The dispatcher's poster (bot/sender.py) against the fake Slack: what it sends, and how it answers
429, 5xx, Slack errors and an unreachable Slack — each message's ``done`` called exactly once."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError

from bot.pacing import Pacer
from bot.sender import AsyncPoster
from bot.standin import SlackStandIn
from handlers.followups.posting import NotMarked, NotSent, OnWire
from tests.bot.test_entry_points import _free_port
from tests.support.workers import widen_backlog


class Answers:
    """Collects ``done`` results; ``wait(n)`` until n have come."""

    def __init__(self) -> None:
        self.results: list[Any] = []
        self._cond = threading.Condition()

    def __call__(self, result: Any) -> None:
        with self._cond:
            self.results.append(result)
            self._cond.notify_all()

    def wait(self, count: int, timeout: float = 10.0) -> list[Any]:
        with self._cond:
            assert self._cond.wait_for(lambda: len(self.results) >= count, timeout), self.results
            return list(self.results)


@pytest.fixture
def poster(slack: SlackStandIn) -> Iterator[AsyncPoster]:
    running = AsyncPoster(slack.url, Pacer())
    yield running
    running.close()


MESSAGE = {
    "channel": "U100",
    "text": "Follow up with <@U200> in <#C1|sales> about <https://example.com|the quote> :tada:",
    "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "*Müller* — ünïcode ✓"}}],
    "metadata": {"event_type": "rapport_followup", "event_payload": {"followup": 7, "delivery": "7:0:0"}},
}


def test_the_poster_runs_on_uvloop(poster: AsyncPoster):
    """uvloop's event loop (in requirements.txt): the poster's loop machinery in C, which took about
    a tenth of the worker's CPU per delivery on asyncio's own loop (bench/bench_followups.py)."""
    import uvloop

    assert isinstance(poster._loop, uvloop.Loop)


def test_a_message_goes_out_as_given_with_the_workspaces_token(slack: SlackStandIn, poster: AsyncPoster):
    answers = Answers()
    poster.send("xoxb-workspace-2", MESSAGE, answers)
    [answer] = answers.wait(1)
    assert answer["ok"] and answer["ts"] and answer["channel"]
    [call] = slack.calls_to("chat.postMessage")
    assert call.args["token"] == "xoxb-workspace-2"
    assert {key: call.args[key] for key in MESSAGE} == MESSAGE  # markup, blocks and metadata intact


def test_a_429_is_waited_out_and_tried_again(slack: SlackStandIn, poster: AsyncPoster):
    slack.fail("chat.postMessage", status=429, retry_after=1)
    answers = Answers()
    poster.send("xoxb-1", MESSAGE, answers)
    [answer] = answers.wait(1)
    assert answer["ok"]
    first, second = slack.calls_to("chat.postMessage")
    assert second.at - first.at >= 1.0  # not before its Retry-After
    assert poster.pacer is not None and poster.pacer.blocked_for(("xoxb-1", "chat.postMessage", "U100")) == 0


def test_a_server_error_is_handed_back_not_retried(slack: SlackStandIn, poster: AsyncPoster):
    """Slack may have posted it: the dispatcher looks in the DM before sending again, not the poster."""
    slack.fail("chat.postMessage", status=500)
    answers = Answers()
    poster.send("xoxb-1", MESSAGE, answers)
    [error] = answers.wait(1)
    assert isinstance(error, SlackApiError) and error.response.status_code == 500
    assert len(slack.calls_to("chat.postMessage")) == 1


def test_a_slack_error_comes_back_with_its_code(slack: SlackStandIn, poster: AsyncPoster):
    slack.fail("chat.postMessage", error="channel_not_found")
    answers = Answers()
    poster.send("xoxb-1", MESSAGE, answers)
    [error] = answers.wait(1)
    assert isinstance(error, SlackApiError) and error.response.get("error") == "channel_not_found"


def test_slack_unreachable_is_an_error_not_a_hang():
    poster = AsyncPoster(f"http://127.0.0.1:{_free_port()}/api/", None, timeout=2)
    try:
        answers = Answers()
        poster.send("xoxb-1", MESSAGE, answers)
        [error] = answers.wait(1, timeout=15)
        assert isinstance(error, OSError)
    finally:
        poster.close()


def test_many_threads_each_get_exactly_one_answer(slack: SlackStandIn):
    poster = AsyncPoster(slack.url, None)
    answers = Answers()
    try:

        def hand_over(start: int) -> None:
            for n in range(start, start + 100):
                poster.send("xoxb-1", {**MESSAGE, "channel": f"U{n}"}, answers)

        threads = [threading.Thread(target=hand_over, args=(n * 100,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        results = answers.wait(800)
    finally:
        poster.close()
    assert len(results) == 800 and all(result["ok"] for result in results)
    assert sorted(call.args["channel"] for call in slack.calls_to("chat.postMessage")) == sorted(
        f"U{n}" for n in range(800)
    )


def test_stopping_answers_the_messages_whose_turn_has_not_come_not_sent(slack: SlackStandIn, poster: AsyncPoster):
    """SIGTERM: the posts waiting for their slot (one DM: a burst of 2, then ~1.1 s apart) are
    answered NotSent at once — nothing of them reaches Slack — and later ones too."""
    answers = Answers()
    for n in range(8):
        poster.send("xoxb-1", {**MESSAGE, "text": f"message {n}"}, answers)
    answers.wait(3)
    started = time.monotonic()
    poster.stop_sending()
    results = answers.wait(8, timeout=3)
    assert time.monotonic() - started < 1.0
    sent = [result for result in results if isinstance(result, dict)]
    assert 3 <= len(sent) <= 4 and all(isinstance(r, NotSent) for r in results if not isinstance(r, dict))
    assert len(slack.calls_to("chat.postMessage")) == len(sent)
    poster.send("xoxb-1", MESSAGE, answers)
    assert isinstance(answers.wait(9)[-1], NotSent)


class Marks:
    """A stand-in for ``claims.mark_on_wire``: records each statement's rows, marks all but ``refuse``
    — and, for the test to watch, how many posts Slack had when each statement ran."""

    def __init__(self, slack: SlackStandIn, refuse: frozenset[int] = frozenset(), fail: bool = False) -> None:
        self.slack, self.refuse, self.fail = slack, refuse, fail
        self.statements: list[list[int]] = []
        self.posts_before: dict[int, int] = {}

    def __call__(self, ids: list[int]) -> set[int]:
        self.statements.append(ids)
        for row in ids:
            self.posts_before[row] = len(self.slack.calls_to("chat.postMessage"))
        if self.fail:
            raise ConnectionError("the database went away")
        return set(ids) - self.refuse


def _message(row: int) -> dict[str, Any]:
    return {**MESSAGE, "channel": f"U{row}", "text": f"message {row}"}


def test_each_row_is_marked_on_the_wire_before_its_post_and_marks_go_together(slack: SlackStandIn, poster):
    """A paced poster marks a row just before its post leaves; the rows whose turn comes together
    are marked by one statement, not one each."""
    marks = Marks(slack)
    answers = Answers()
    for row in range(40):
        poster.send("xoxb-1", _message(row), answers, OnWire(marks, row))
    results = answers.wait(40)
    assert all(isinstance(result, dict) and result["ok"] for result in results)
    assert sorted(row for statement in marks.statements for row in statement) == list(range(40))
    assert len(marks.statements) < 20, marks.statements
    posted = {call.args["channel"]: index for index, call in enumerate(slack.calls_to("chat.postMessage"))}
    assert all(marks.posts_before[row] <= posted[f"U{row}"] for row in range(40))  # marked, then posted


def test_a_row_that_cannot_be_marked_is_not_posted(slack: SlackStandIn, poster: AsyncPoster):
    """Taken by another worker, or done/cancelled/snoozed after it was claimed: not marked, not sent."""
    marks = Marks(slack, refuse=frozenset({2, 3}))
    answers = Answers()
    for row in range(5):
        poster.send("xoxb-1", _message(row), answers, OnWire(marks, row))
    results = answers.wait(5)
    assert sum(isinstance(result, NotMarked) for result in results) == 2
    assert sorted(call.args["channel"] for call in slack.calls_to("chat.postMessage")) == ["U0", "U1", "U4"]


def test_when_the_database_fails_the_mark_nothing_is_posted(slack: SlackStandIn, poster: AsyncPoster):
    marks = Marks(slack, fail=True)
    answers = Answers()
    for row in range(3):
        poster.send("xoxb-1", _message(row), answers, OnWire(marks, row))
    results = answers.wait(3)
    assert all(isinstance(result, NotMarked) for result in results)
    assert slack.calls_to("chat.postMessage") == []


def test_only_a_paced_poster_asks_for_rows_to_be_marked_one_by_one(slack: SlackStandIn, poster: AsyncPoster):
    """Unpaced, a batch goes out at once: the claim marks every row on the wire itself."""
    unpaced = AsyncPoster(slack.url, None)
    try:
        assert poster.paced and not unpaced.paced
    finally:
        unpaced.close()


def test_posts_queued_behind_others_still_reach_slack_under_its_limit(slack: SlackStandIn):
    """A Monday morning: 300 people's reminders are due at once, five each. With 64 posts on the
    wire at a time, a burst's posts reach Slack later than their slots, and the next post, on time,
    soon after them: paced with Slack's own burst of three, some channels saw four within a second
    and were answered 429. A burst of two leaves room for that."""
    slack.enforce_limits()
    widen_backlog(slack)
    poster = AsyncPoster(slack.url, Pacer())
    answers = Answers()
    people, each = 300, 5
    try:
        for n in range(each):
            for person in range(people):
                poster.send("xoxb-1", {**MESSAGE, "channel": f"D{person}", "text": f"reminder {n}"}, answers)
        results = answers.wait(people * each, timeout=60)
    finally:
        poster.close()
    assert all(isinstance(result, dict) and result["ok"] for result in results)
    assert slack.rate_limited == [] and slack.early_calls == []
