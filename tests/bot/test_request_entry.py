"""Where requests enter: /slack/events on both servers, `python -m bot` (wsgiref) and the Procfile's
gunicorn, each a real process behind real HTTP.

A bad signature of any shape gets 401 and changes nothing, whatever the body holds; a correctly
signed body Slack could not have sent gets a short 400 (logged), never a 500 or a traceback.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select, table

from bot.standin import SlackStandIn
from db.session import make_engine
from tests.bot.test_entry_points import ROOT, _env, _free_port
from tests.support.slack_requests import SlackSender, sign

SECRET = "entry-secret"


@dataclass
class Server:
    """One running server process and what the tests need to reach and inspect it."""

    kind: str
    url: str
    slack: SlackStandIn
    db_url: str
    log: Path
    process: subprocess.Popen[bytes]

    @property
    def send(self) -> SlackSender:
        return SlackSender(
            f"{self.url}/slack/events", SECRET, response_url_base=self.slack.base, on_ack=self.slack.show_ack
        )

    def post(self, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        """POST raw bytes to /slack/events with exactly these headers (plus Content-Length)."""
        host, port = urllib.parse.urlsplit(self.url).netloc.split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        try:
            connection.putrequest("POST", "/slack/events", skip_accept_encoding=True)
            for name, value in {"Content-Length": str(len(body)), **headers}.items():
                connection.putheader(name, value.encode("latin-1"))
            connection.endheaders(body)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def rows(self) -> dict[str, int]:
        """Row count of every table: what "changes nothing" is measured against."""
        engine = make_engine(self.db_url)
        try:
            with engine.connect() as connection:
                names = inspect(connection).get_table_names()
                return {name: connection.scalar(select(func.count()).select_from(table(name))) for name in names}
        finally:
            engine.dispose()

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def _start(kind: str, folder: Path) -> Server:
    slack = SlackStandIn(team_id="T1").start()
    slack.add_user("U1", tz="Europe/London", name="Ada")
    port = _free_port()
    db_url = f"sqlite:///{folder / 'app.db'}"
    env = _env(
        SLACK_BOT_TOKEN="xoxb-1",
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=slack.url,
        DATABASE_URL=db_url,
        PORT=str(port),
    )
    if kind == "gunicorn":
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        bind = f"127.0.0.1:{port}"
        command = [gunicorn, "--workers", "1", "--threads", "4", "--bind", bind, "bot.wsgi:application()"]
    else:
        command = [sys.executable, "-m", "bot"]
    log = folder / "output.log"
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    server = Server(kind, f"http://127.0.0.1:{port}", slack, db_url, log, process)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(f"{server.url}/healthz", timeout=1) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.1)
    _stop(server)
    raise AssertionError(f"{kind} did not come up:\n{server.output()}")


def _stop(server: Server) -> None:
    server.process.send_signal(signal.SIGTERM)
    try:
        server.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()
    server.slack.stop()


@pytest.fixture(scope="module", params=["python -m bot", "gunicorn"])
def server(request, tmp_path_factory) -> Iterator[Server]:
    running = _start(request.param, tmp_path_factory.mktemp(request.param.replace(" ", "-")))
    yield running
    _stop(running)
    assert "Traceback" not in running.output(), running.output()


def _short(body: bytes) -> dict:
    """An error answer: a small JSON object, nothing of the server's insides."""
    assert len(body) < 200 and b"Traceback" not in body and b"Error" not in body, body
    answer = json.loads(body)
    assert isinstance(answer, dict) and "error" in answer
    return answer


def _quiet_for_a_moment(server: Server) -> None:
    """Nothing reached Slack: answers go out after the ack, so give a wrong one time to show."""
    time.sleep(0.5)
    assert [call.method for call in server.slack.calls] == []


ADD = urllib.parse.urlencode(
    {
        "team_id": "T1",
        "user_id": "U1",
        "channel_id": "C1",
        "command": "/client",
        "text": "add Sneaky GmbH country:DE",
        "api_app_id": "A1",
        "trigger_id": "1.2.3",
    }
).encode()
FORM = "application/x-www-form-urlencoded"


def _signed(body: bytes, timestamp: int | None = None, **overrides: str) -> dict[str, str]:
    """Slack's v0 signature over the raw bytes (which need not be UTF-8), plus ``overrides``."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(SECRET.encode(), b"v0:" + ts.encode() + b":" + body, hashlib.sha256).hexdigest()
    return {"Content-Type": FORM, "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}", **overrides}


BAD_SIGNATURES = {
    "timestamp-abc": lambda: {"X-Slack-Request-Timestamp": "abc", "X-Slack-Signature": "v0=abc"},
    "timestamp-empty": lambda: {"X-Slack-Request-Timestamp": "", "X-Slack-Signature": "v0=abc"},
    "timestamp-negative": lambda: _signed(ADD, **{"X-Slack-Request-Timestamp": "-5"}),
    "timestamp-float": lambda: _signed(ADD, **{"X-Slack-Request-Timestamp": f"{time.time():.3f}"}),
    "timestamp-huge": lambda: _signed(ADD, **{"X-Slack-Request-Timestamp": "9" * 30}),
    "timestamp-non-ascii-digits": lambda: _signed(ADD, **{"X-Slack-Request-Timestamp": "\u00b9\u00b2\u00b3"}),
    "no-timestamp": lambda: {"X-Slack-Signature": "v0=abc"},
    "no-signature": lambda: {"X-Slack-Request-Timestamp": str(int(time.time()))},
    "non-ascii-signature": lambda: _signed(ADD, **{"X-Slack-Signature": "v0=\u00e9\u00e9"}),
    "wrong-signature": lambda: _signed(ADD, **{"X-Slack-Signature": "v0=" + "0" * 64}),
    "other-secret": lambda: {"Content-Type": FORM, **sign("not-the-secret", ADD.decode())},
    "stale": lambda: _signed(ADD, timestamp=int(time.time()) - 6 * 60),
    "from-the-future": lambda: _signed(ADD, timestamp=int(time.time()) + 6 * 60),
}


@pytest.mark.parametrize("case", list(BAD_SIGNATURES))
def test_a_bad_signature_of_any_shape_gets_401_and_changes_nothing(server, case):
    server.slack.clear()
    before = server.rows()
    status, body = server.post(ADD, {"Content-Type": FORM, **BAD_SIGNATURES[case]()})
    assert status == 401, body
    _short(body)
    _quiet_for_a_moment(server)
    assert server.rows() == before


@pytest.mark.parametrize(
    "body",
    [b"payload={not json", b"payload=%5B1%2C2%5D", b"\xff\xfe not utf-8"],
    ids=["payload-not-json", "payload-list", "not-utf8"],
)
def test_a_bad_signature_wins_over_a_malformed_body(server, body):
    status, answer = server.post(body, {"Content-Type": FORM, "X-Slack-Request-Timestamp": "abc"})
    assert status == 401, answer
    status, answer = server.post(body, _signed(body, **{"X-Slack-Signature": "v0=" + "1" * 64}))
    assert status == 401, answer
    status, answer = server.post(body, _signed(body, timestamp=int(time.time()) - 6 * 60))
    assert status == 401, answer


MALFORMED = {
    "payload-not-json": (b"payload={not json", FORM),
    "payload-list": (b"payload=" + urllib.parse.quote("[1,2]").encode(), FORM),
    "payload-string": (b"payload=" + urllib.parse.quote('"hello"').encode(), FORM),
    "event-invalid-json": (b'{"type": "event_callback", "event": {', "application/json"),
    "event-list": (b"[1, 2]", "application/json"),
    "event-number": (b"42", "application/json"),
    "not-utf8": (b"command=%2Frapport&text=\xff\xfe", FORM),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_signed_malformed_body_gets_a_short_400_and_is_logged(server, case):
    body, content_type = MALFORMED[case]
    server.slack.clear()
    before = server.rows()
    status, answer = server.post(body, _signed(body, **{"Content-Type": content_type}))
    assert status == 400, answer
    assert _short(answer)["error"] == "malformed_body"
    _quiet_for_a_moment(server)
    assert server.rows() == before
    deadline = time.monotonic() + 5
    while "malformed body" not in server.output() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "malformed body" in server.output()


def _headers_only(server, content_length: str) -> tuple[int, bytes]:
    """POST only headers (no body) with this Content-Length; the answer's status and body."""
    host, port = urllib.parse.urlsplit(server.url).netloc.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.putrequest("POST", "/slack/events")
        connection.putheader("Content-Length", content_length)
        connection.putheader("Content-Type", FORM)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_a_content_length_that_is_not_a_number_gets_400(server):
    status, body = _headers_only(server, "abc")
    assert status == 400 and b"Traceback" not in body


def test_a_body_larger_than_slack_sends_gets_413_without_being_read(server):
    status, body = _headers_only(server, str(10**12))
    assert status == 413 and b"Traceback" not in body


def test_slacks_unsigned_ssl_check_gets_200_and_does_nothing(server):
    server.slack.clear()
    before = server.rows()
    status, body = server.post(b"ssl_check=1&token=legacy", {"Content-Type": FORM})
    assert status == 200, body
    _quiet_for_a_moment(server)
    assert server.rows() == before


def test_the_server_still_answers_correct_requests(server):
    """After every refusal above, a correctly signed command is still served."""
    server.slack.clear()
    assert server.send.command("/rapport", "help").status == 200
    [answer] = server.slack.wait_for("response")
    assert "/contact" in answer.args["text"]
    assert server.send.action("some_future_button").status == 200
    challenge = json.dumps({"token": "legacy", "challenge": "c-123", "type": "url_verification"}).encode()
    status, body = server.post(challenge, _signed(challenge, **{"Content-Type": "application/json"}))
    assert status == 200 and b"c-123" in body
    with urllib.request.urlopen(f"{server.url}/healthz", timeout=5) as response:
        assert response.status == 200


def test_no_worker_died_on_the_way(server):
    assert server.process.poll() is None
    assert "Traceback" not in server.output()
    if server.kind == "gunicorn":
        assert "exited with code" not in server.output() and "Booting worker" in server.output()


def test_without_a_signing_secret_nothing_is_accepted(settings, runtime, engine, slack):
    """In Socket Mode (no SLACK_SIGNING_SECRET) the HTTP server stays up for /healthz; /slack/events
    must then refuse everything instead of running unverified requests."""
    from dataclasses import replace

    from bot.app import create_app
    from bot.server import serve, wsgi_app
    from bot.slack import build_client

    socket_mode = replace(settings, slack_signing_secret=None, slack_app_token="xapp-1")
    app = create_app(socket_mode, runtime, build_client(socket_mode))
    server = serve(wsgi_app(app, engine), 0, host="127.0.0.1")
    try:
        url = f"http://127.0.0.1:{server.server_port}"
        sender = SlackSender(f"{url}/slack/events", "anything", response_url_base=slack.base)
        assert sender.command("/rapport", "help").status == 401
        with urllib.request.urlopen(f"{url}/healthz", timeout=5) as response:
            assert response.status == 200
        time.sleep(0.3)
        assert slack.calls == []
    finally:
        server.shutdown()
        server.server_close()
