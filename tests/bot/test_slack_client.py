"""The Web API client keeps its connections alive, and fails exactly as slack_sdk expects.

`bot.slack.KeepAliveWebClient` hands slack_sdk's prepared requests to urllib3's pool instead of
``urlopen``; these tests drive it over real sockets: connections reused, a connection the server
dropped replaced without sending anything twice, errors mapped to what slack_sdk's retry handlers
and our callers catch.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from copy import deepcopy
from http.client import IncompleteRead
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.error import URLError

import pytest
from slack_sdk.errors import SlackApiError

from bot.slack import KeepAliveWebClient, build_client


def test_calls_reuse_one_connection(settings, slack):
    client = build_client(settings)
    for _ in range(5):
        assert client.users_info(user="U1")["ok"]
    calls = slack.calls_to("users.info")
    assert len(calls) == 5
    assert len({call.peer for call in calls}) == 1


def test_threads_share_the_pool_without_mixing_answers(settings, slack):
    client = build_client(settings)
    answers: list[str] = []
    lock = threading.Lock()

    def post(n: int) -> None:
        response = client.chat_postMessage(channel="U1", text=f"message {n}")
        with lock:
            answers.append(response["message"]["text"])

    threads = [threading.Thread(target=post, args=(n,)) for n in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == sorted(f"message {n}" for n in range(40))


class _Counting(BaseHTTPRequestHandler):
    """Answers every call ``{"ok": true}``; counts connections and requests."""

    protocol_version = "HTTP/1.1"
    requests = 0
    connections: set[tuple[str, int]] = set()
    close_silently = False  # drop the connection after answering, without saying so
    hang = False
    cut_off = False  # promise a longer answer than is sent, then close

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        return

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        cls = type(self)
        cls.requests += 1
        cls.connections.add(self.client_address[:2])
        if cls.hang:
            time.sleep(3)
            return
        body = json.dumps({"ok": True, "user": {"id": "U1"}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body) + (100 if cls.cut_off else 0)))
        self.end_headers()
        self.wfile.write(body)
        if cls.close_silently or cls.cut_off:
            self.close_connection = True


@contextmanager
def _server(**behaviour: bool) -> Iterator[tuple[str, type[_Counting]]]:
    handler = type("Handler", (_Counting,), {"requests": 0, "connections": set(), **behaviour})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/api/", handler
    finally:
        server.shutdown()
        server.server_close()


def test_a_connection_the_server_dropped_is_replaced_and_nothing_is_sent_twice(settings):
    with _server(close_silently=True) as (url, handler):
        client = build_client(dataclasses.replace(settings, slack_api_url=url))
        for _ in range(4):
            assert client.chat_postMessage(channel="U1", text="once")["ok"]
            time.sleep(0.05)  # let the server's close reach us, as an idle drop would
        assert handler.requests == 4
        assert len(handler.connections) == 4


def test_a_silent_server_times_out_as_an_os_error():
    with _server(hang=True) as (url, handler):
        client = KeepAliveWebClient(token="xoxb-test", base_url=url, timeout=0.5)
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            client.users_info(user="U1")
        assert time.monotonic() - started < 2.5
        assert handler.requests == 1


def test_an_answer_cut_off_midway_is_not_sent_again(settings):
    """Slack may have acted on it (as with urlopen, only resets and refusals are retried)."""
    with _server(cut_off=True) as (url, handler):
        client = build_client(dataclasses.replace(settings, slack_api_url=url))
        with pytest.raises(IncompleteRead):
            client.chat_postMessage(channel="U1", text="once")
        assert handler.requests == 1


def test_a_copy_shares_the_pool(settings):
    """Bolt deep-copies requests for lazy listeners; a pool cannot be copied, so it is shared."""
    client = build_client(settings)
    copy = deepcopy(client)
    assert copy is not client and copy._pool is client._pool
    assert copy.token == client.token and copy.base_url == client.base_url


def test_a_refused_connection_is_a_url_error_after_the_retries(settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = build_client(dataclasses.replace(settings, slack_api_url=f"http://127.0.0.1:{port}/api/"))
    with pytest.raises(URLError):
        client.users_info(user="U1")


def test_error_answers_keep_their_status_and_slack_error(settings, slack):
    slack.fail("users.info", status=400, error="invalid_arguments")
    with pytest.raises(SlackApiError) as raised:
        build_client(settings).users_info(user="U1")
    assert raised.value.response.status_code == 400
    assert raised.value.response["error"] == "invalid_arguments"
    assert len(slack.calls_to("users.info")) == 1  # a 400 is not retried


def test_debug_lines_are_not_built_when_debug_is_off(settings):
    log = logging.getLogger("slack_sdk.web.base_client")
    log.setLevel(logging.NOTSET)
    try:
        build_client(settings)
        assert log.level == log.getEffectiveLevel() > logging.DEBUG
    finally:
        log.setLevel(logging.NOTSET)


def test_listeners_share_the_kept_alive_connections(rapport):
    """Bolt builds a plain WebClient per request; our middleware swaps in one sharing the pool."""
    for user in ("U1", "U2"):
        assert rapport.send.command("/contact", "Japan", user=user).status == 200
        rapport.slack.wait_for("response", 1 if user == "U1" else 2)
    lookups = rapport.slack.calls_to("users.info")
    assert {call.args["user"] for call in lookups} == {"U1", "U2"}
    assert len({call.peer for call in lookups}) == 1
