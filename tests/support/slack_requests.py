"""Signed requests to /slack/events, as Slack sends them: slash commands, actions, views, events."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


def sign(secret: str, body: str, timestamp: int | None = None) -> dict[str, str]:
    """Slack's v0 signature headers for ``body``."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


@dataclass
class HttpResult:
    status: int
    body: str
    headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class SlackSender:
    """Posts correctly signed Slack requests to an app's ``/slack/events`` URL."""

    url: str
    secret: str
    team_id: str = "T1"
    response_url_base: str | None = None
    _counter: int = 0
    #: Called with an acknowledgement's JSON body (and the command's response_url): Slack shows
    #: it to the person like a response_url message, so tests read answers in one place.
    on_ack: Callable[[dict[str, Any], str | None], None] | None = None

    def post(
        self,
        body: str,
        content_type: str,
        headers: dict[str, str] | None = None,
        timestamp: int | None = None,
        signature: str | None = None,
    ) -> HttpResult:
        signed = sign(self.secret, body, timestamp)
        if signature is not None:
            signed["X-Slack-Signature"] = signature
        request = urllib.request.Request(
            self.url,
            data=body.encode(),
            method="POST",
            headers={"Content-Type": content_type, **signed, **(headers or {})},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return HttpResult(response.status, response.read().decode(), dict(response.headers))
        except urllib.error.HTTPError as error:
            return HttpResult(error.code, error.read().decode(), dict(error.headers))

    def next_response_url(self) -> str | None:
        self._counter += 1
        return f"{self.response_url_base}/response/r{self._counter}" if self.response_url_base else None

    def command(
        self,
        command: str,
        text: str = "",
        *,
        user: str = "U1",
        channel: str = "C1",
        team: str | None = None,
        response_url: str | None = "auto",
        timestamp: int | None = None,
        signature: str | None = None,
        **kwargs: Any,
    ) -> HttpResult:
        """A slash command as Slack posts it (form-encoded)."""
        if response_url == "auto":
            response_url = self.next_response_url()
        fields = {
            "token": "legacy",
            "team_id": team or self.team_id,
            "team_domain": "test",
            "channel_id": channel,
            "channel_name": "general",
            "user_id": user,
            "user_name": user.lower(),
            "command": command,
            "text": text,
            "api_app_id": "A1",
            "trigger_id": "1.2.3",
        }
        if response_url:
            fields["response_url"] = response_url
        fields.update({k: str(v) for k, v in kwargs.items()})
        result = self.post(
            urllib.parse.urlencode(fields),
            "application/x-www-form-urlencoded",
            timestamp=timestamp,
            signature=signature,
        )
        if self.on_ack is not None and result.status == 200 and result.body.startswith("{"):
            self.on_ack(result.json(), response_url)
        return result

    def interactive(self, payload: dict[str, Any]) -> HttpResult:
        """A block action, view submission or shortcut (form field ``payload``)."""
        payload.setdefault("team", {"id": self.team_id, "domain": "test"})
        payload.setdefault("api_app_id", "A1")
        payload.setdefault("token", "legacy")
        return self.post(urllib.parse.urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")

    def action(
        self,
        action_id: str,
        value: str = "",
        *,
        user: str = "U1",
        channel: str = "D1",
        message_ts: str = "1.000001",
        block_id: str = "b1",
        response_url: str | None = "auto",
        message: dict[str, Any] | None = None,
        trigger_id: str = "1.2.3",
    ) -> HttpResult:
        """A button click in a message."""
        if response_url == "auto":
            response_url = self.next_response_url()
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": {"id": user, "username": user.lower(), "team_id": self.team_id},
            "container": {"type": "message", "message_ts": message_ts, "channel_id": channel},
            "channel": {"id": channel},
            "message": message or {"ts": message_ts, "text": "", "blocks": []},
            "trigger_id": trigger_id,
            "actions": [
                {
                    "action_id": action_id,
                    "block_id": block_id,
                    "value": value,
                    "type": "button",
                    "action_ts": str(time.time()),
                }
            ],
        }
        if response_url:
            payload["response_url"] = response_url
        return self.interactive(payload)

    def view_submission(
        self, callback_id: str, values: dict[str, dict[str, Any]], *, user: str = "U1", private_metadata: str = ""
    ) -> HttpResult:
        """A modal submitted; ``values`` is {block_id: {action_id: {...state...}}}."""
        return self.interactive(
            {
                "type": "view_submission",
                "user": {"id": user, "team_id": self.team_id},
                "view": {
                    "id": "V1",
                    "type": "modal",
                    "callback_id": callback_id,
                    "private_metadata": private_metadata,
                    "state": {"values": values},
                },
            }
        )

    def event(
        self, event: dict[str, Any], *, event_id: str = "Ev1", retry_num: int | None = None, team: str | None = None
    ) -> HttpResult:
        """An Events API delivery (JSON); ``retry_num`` marks a Slack retry."""
        body = json.dumps(
            {
                "token": "legacy",
                "team_id": team or self.team_id,
                "api_app_id": "A1",
                "type": "event_callback",
                "event_id": event_id,
                "event_time": int(time.time()),
                "event": event,
                "authorizations": [{"team_id": team or self.team_id, "user_id": "U0RAPPORT", "is_bot": True}],
            }
        )
        headers = {}
        if retry_num is not None:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"}
        return self.post(body, "application/json", headers)
