"""A stand-in for Slack's Web API on loopback: the console's Slack, and the tests' fake.

It answers the Web API methods Rapport uses with plausible data, accepts ``response_url``
posts at ``/response/<id>`` and file uploads at ``/upload/<id>``, records every call, and can
be told to fail a method (429 with Retry-After, 5xx, or a Slack error) to exercise retries.
Nothing here is used when talking to the real Slack.
"""

from __future__ import annotations

import itertools
import json
import math
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse


@dataclass
class Call:
    """One request the stand-in received: the Web API method (or ``response``/``upload``) and its arguments."""

    method: str
    args: dict[str, Any]
    path: str
    at: float = field(default_factory=time.time)
    peer: tuple[str, int] | None = None  # the caller's address: one per connection kept alive


@dataclass
class Failure:
    """A scripted failure for the next ``times`` calls of ``method``."""

    status: int = 200
    error: str | None = None
    retry_after: int | None = None
    times: int = 1


class SlackStandIn:
    """A small Slack Web API on 127.0.0.1; ``url`` is its base URL (ends with ``/api/``)."""

    def __init__(self, port: int = 0, team_id: str = "T0CONSOLE") -> None:
        self.team_id = team_id
        self.calls: list[Call] = []
        self.users: dict[str, dict[str, Any]] = {}
        self.channels: dict[str, dict[str, Any]] = {}
        self.messages: dict[tuple[str, str], dict[str, Any]] = {}
        self.failures: dict[str, list[Failure]] = {}
        self.files: dict[str, dict[str, Any]] = {}
        self.teams: dict[str, dict[str, Any]] = {}
        # OAuth: codes it will exchange (code -> team id), refresh tokens still valid, and how long
        # the access tokens it hands out live (None: no token rotation).
        self.oauth_codes: dict[str, str] = {}
        self.refresh_tokens: dict[str, str] = {}
        self.token_lifetime: int | None = None
        self._token_serial = itertools.count(1)
        # Rate limits (off until enforce_limits()): token buckets per (token, channel) for posts and
        # per (token, method) for tiered methods; 429s sent, and calls that came before Retry-After.
        self.limits_on = False
        self.post_rate = 1.0
        self.post_burst = 3
        self.tier_per_minute: dict[str, int] = {}
        self._buckets: dict[tuple[str, str, str], tuple[float, float]] = {}
        self._blocked: dict[tuple[str, str, str], float] = {}
        self.rate_limited: list[Call] = []
        self.early_calls: list[Call] = []
        self.listeners: list[Callable[[Call], None]] = []
        self._lock = threading.Lock()
        self._ts = itertools.count(1)
        self._server = _Server(("127.0.0.1", port), self._handler_class())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    # --- lifecycle -----------------------------------------------------------------
    @property
    def base(self) -> str:
        host, port = self._server.server_address[:2]
        assert isinstance(host, str)  # an AF_INET socket's address: (host text, port)
        return f"http://{host}:{port}"

    @property
    def url(self) -> str:
        """The Web API base URL, for ``SLACK_API_URL``."""
        return f"{self.base}/api/"

    def response_url(self, name: str = "r1") -> str:
        """A response_url that records what is posted to it."""
        return f"{self.base}/response/{name}"

    def start(self) -> SlackStandIn:
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="slack-standin", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # --- scripting -----------------------------------------------------------------
    def add_user(
        self,
        user_id: str,
        tz: str = "UTC",
        locale: str = "en-US",
        name: str | None = None,
        team_id: str | None = None,
    ) -> None:
        """Make ``users.info`` know a user with a time zone (``team_id``: another organisation's,
        for someone at a client in a Slack Connect channel)."""
        self.users[user_id] = {
            "id": user_id,
            "team_id": team_id or self.team_id,
            "name": name or user_id.lower(),
            "real_name": name or user_id,
            "tz": tz,
            "tz_offset": 0,
            "locale": locale,
            "deleted": False,
            "profile": {"real_name": name or user_id},
        }

    def add_channel(
        self,
        channel_id: str,
        name: str,
        *,
        is_member: bool = True,
        archived: bool = False,
        shared_with: str | None = None,
    ) -> None:
        """A channel; ``shared_with`` (a team id) makes it a Slack Connect channel shared with that team."""
        self.channels[channel_id] = {
            "id": channel_id,
            "name": name,
            "is_channel": True,
            "is_member": is_member,
            "is_archived": archived,
            "is_private": False,
            "is_shared": bool(shared_with),
            "is_ext_shared": bool(shared_with),
            "context_team_id": self.team_id,
            "connected_team_ids": [self.team_id, shared_with] if shared_with else [self.team_id],
        }

    def add_team(self, team_id: str, name: str) -> None:
        """Another organisation that ``team.info`` describes (a client in a Slack Connect channel)."""
        self.teams[team_id] = {"id": team_id, "name": name, "domain": name.lower().replace(" ", "-")}

    def add_message(
        self,
        channel: str,
        ts: str,
        text: str,
        user: str = "U0AUTHOR",
        thread_ts: str | None = None,
    ) -> None:
        """A message that ``conversations.history``/``replies`` can return."""
        self.messages[(channel, ts)] = {
            "type": "message",
            "ts": ts,
            "text": text,
            "user": user,
            "thread_ts": thread_ts,
        }

    def add_file(self, file_id: str, name: str, content: bytes, filetype: str = "csv") -> None:
        """A file that ``files.info`` describes and ``/files/<id>`` serves (with a bearer token)."""
        self.files[file_id] = {
            "id": file_id,
            "name": name,
            "filetype": filetype,
            "size": len(content),
            "mimetype": "text/csv" if filetype == "csv" else "application/octet-stream",
            "_content": content,
        }

    def fail(
        self,
        method: str,
        *,
        status: int = 200,
        error: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail (429 + Retry-After, 5xx, or ok:false error)."""
        self.failures.setdefault(method, []).append(Failure(status, error, retry_after, times))

    def show_ack(self, body: dict[str, Any], response_url: str | None = None) -> None:
        """Record an acknowledgement's body as Slack shows it: to the person, like a response_url
        message. It is recorded as a ``response`` call with ``_ack`` set (and the response_url's id)."""
        rid = response_url.rstrip("/").rsplit("/", 1)[-1] if response_url else ""
        call = Call("response", {**body, "_id": rid, "_ack": True}, "/ack")
        with self._lock:
            self.calls.append(call)
        for listener in list(self.listeners):
            try:
                listener(call)
            except Exception:  # noqa: BLE001 - a display problem must not break the fake
                pass

    def calls_to(self, method: str) -> list[Call]:
        """Recorded calls of one method (``response`` for response_url posts)."""
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def clear(self) -> None:
        with self._lock:
            self.calls.clear()

    def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        """Wait until ``count`` calls of ``method`` arrived (answers come after ack, in a thread)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.calls_to(method)
            if len(found) >= count:
                return found
            time.sleep(0.01)
        raise AssertionError(
            f"expected {count} call(s) to {method}, got {len(self.calls_to(method))}: {[c.method for c in self.calls]}"
        )

    # --- answering -----------------------------------------------------------------
    def _next_ts(self) -> str:
        return f"{int(time.time())}.{next(self._ts):06d}"

    def _scripted_failure(self, method: str) -> Failure | None:
        with self._lock:
            queue = self.failures.get(method) or []
            if not queue:
                return None
            failure = queue[0]
            failure.times -= 1
            if failure.times <= 0:
                queue.pop(0)
            return failure

    # Slack's tiers (per workspace and method, a minute) for the methods Rapport calls.
    TIERS = {
        "users.list": 20,
        "conversations.list": 20,
        "conversations.open": 50,
        "conversations.info": 50,
        "conversations.history": 50,
        "conversations.replies": 50,
        "chat.update": 50,
        "team.info": 50,
        "users.info": 100,
        "chat.postEphemeral": 100,
        "chat.getPermalink": 100,
        "views.publish": 100,
        "views.open": 100,
        "views.update": 100,
    }

    def enforce_limits(self, post_rate: float = 1.0, post_burst: int = 3) -> None:
        """Answer like Slack under its rate limits: ``chat.postMessage`` ``post_rate`` a second per
        channel (``post_burst`` at once), the tiers per workspace and method; over a limit HTTP 429
        with ``Retry-After``, and a call before its Retry-After is recorded in ``early_calls``."""
        self.limits_on = True
        self.post_rate = post_rate
        self.post_burst = post_burst
        self.tier_per_minute = dict(self.TIERS)

    def _over_limit(self, call: Call) -> int | None:
        """Seconds of Retry-After when ``call`` is over its limit (then it is answered 429)."""
        method, args = call.method, call.args
        workspace = str(args.get("token") or "")
        if method == "chat.postMessage":
            key = (workspace, method, str(args.get("channel") or ""))
            rate, capacity = self.post_rate, float(self.post_burst)
        elif method in self.tier_per_minute:
            key = (workspace, method, "")
            rate, capacity = self.tier_per_minute[method] / 60.0, float(self.tier_per_minute[method])
        else:
            return None
        now = time.monotonic()
        with self._lock:
            blocked = self._blocked.get(key, 0.0)
            if now < blocked:
                self.early_calls.append(call)
                return max(1, math.ceil(blocked - now))
            tokens, last = self._buckets.get(key, (capacity, now))
            tokens = min(capacity, tokens + (now - last) * rate)
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now)
                return None
            wait = max(1, math.ceil((1 - tokens) / rate))
            self._buckets[key] = (tokens, now)
            self._blocked[key] = now + wait
            return wait

    def add_install_code(self, code: str, team_id: str, enterprise_id: str | None = None) -> None:
        """Make ``oauth.v2.access`` exchange ``code`` for a bot token of workspace ``team_id`` — or,
        with ``enterprise_id`` and an empty ``team_id``, of an Enterprise Grid org-wide install."""
        self.oauth_codes[code] = f"{enterprise_id}/{team_id}" if enterprise_id else team_id

    @staticmethod
    def oauth_key(enterprise_id: str, team_part: str, team_id: str) -> str:
        return f"{enterprise_id}/{team_part}" if enterprise_id else team_id

    def _oauth_access(self, args: dict[str, Any]) -> dict[str, Any]:
        """oauth.v2.access: an install (``code``) or a token refresh (``grant_type=refresh_token``).

        A refresh token works once (Slack hands a new one with each refresh), so two processes
        refreshing the same token race into ``invalid_refresh_token``, as they would with Slack.
        """
        if args.get("grant_type") == "refresh_token":
            with self._lock:
                team_id = self.refresh_tokens.pop(str(args.get("refresh_token") or ""), None)
            if team_id is None:
                return {"ok": False, "error": "invalid_refresh_token"}
        else:
            team_id = self.oauth_codes.pop(str(args.get("code") or ""), None)
            if team_id is None:
                return {"ok": False, "error": "invalid_code"}
        serial = next(self._token_serial)
        enterprise_id, _, team_part = team_id.rpartition("/")
        team_id = team_part or enterprise_id
        org_wide = bool(enterprise_id) and not team_part
        body: dict[str, Any] = {
            "ok": True,
            "app_id": "A0RAPPORT",
            "token_type": "bot",
            "access_token": f"xoxb-{team_id}-{serial}",
            "scope": "commands,chat:write,users:read",
            "bot_user_id": f"U0BOT{team_id}",
            "team": None if org_wide else {"id": team_id, "name": f"Team {team_id}"},
            "enterprise": {"id": enterprise_id, "name": f"Org {enterprise_id}"} if enterprise_id else None,
            "is_enterprise_install": org_wide,
            "authed_user": {"id": "U1"},
        }
        if self.token_lifetime is not None:
            refresh = f"xoxe-1-{team_id}-{serial}"
            with self._lock:
                self.refresh_tokens[refresh] = self.oauth_key(enterprise_id, team_part, team_id)
            body.update(refresh_token=refresh, expires_in=self.token_lifetime)
        return body

    def answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        """The JSON body Slack would send for ``method``."""
        if method == "oauth.v2.access":
            return self._oauth_access(args)
        if method == "auth.test":
            return {
                "ok": True,
                "team_id": self.team_id,
                "user_id": "U0RAPPORT",
                "bot_id": "B0RAPPORT",
                "team": "Console",
            }
        if method in ("chat.postMessage", "chat.postEphemeral", "chat.scheduleMessage"):
            channel = args.get("channel") or ""
            if not channel:
                return {"ok": False, "error": "channel_not_found"}
            info = self.channels.get(channel)
            if info is not None and info.get("is_archived"):
                return {"ok": False, "error": "is_archived"}
            if info is not None and not info.get("is_member"):
                return {"ok": False, "error": "not_in_channel"}
            if channel.startswith("U") and channel in self.users and self.users[channel].get("deleted"):
                return {"ok": False, "error": "user_not_found"}
            ts = self._next_ts()
            if channel.startswith(("U", "W")):
                channel = "D" + channel[1:]
            message = {
                "type": "message",
                "ts": ts,
                "text": args.get("text", ""),
                "blocks": _jsonish(args.get("blocks")),
                "metadata": _jsonish(args.get("metadata")),
                "thread_ts": args.get("thread_ts"),
                "user": "U0RAPPORT",
                "bot_id": "B0RAPPORT",
            }
            self.messages[(channel, ts)] = message
            if method == "chat.postEphemeral":
                return {"ok": True, "message_ts": ts}
            return {"ok": True, "channel": channel, "ts": ts, "message": message}
        if method == "chat.update":
            key = (args.get("channel", ""), args.get("ts", ""))
            message = self.messages.get(key, {"ts": args.get("ts")})
            message.update({"text": args.get("text", ""), "blocks": _jsonish(args.get("blocks"))})
            self.messages[key] = message
            return {
                "ok": True,
                "channel": key[0],
                "ts": key[1],
                "text": args.get("text", ""),
            }
        if method == "chat.delete":
            return {"ok": True, "channel": args.get("channel"), "ts": args.get("ts")}
        if method == "chat.getPermalink":
            stamp = str(args.get("message_ts", "")).replace(".", "")
            return {"ok": True, "permalink": f"https://example.slack.test/archives/{args.get('channel')}/p{stamp}"}
        if method == "conversations.open":
            users = str(args.get("users") or args.get("user") or "")
            first = users.split(",")[0]
            if not first:
                return {"ok": False, "error": "user_not_found"}
            if first in self.users and self.users[first].get("deleted"):
                return {"ok": False, "error": "user_disabled"}
            return {"ok": True, "channel": {"id": "D" + first[1:]}}
        if method == "conversations.info":
            channel = args.get("channel", "")
            if channel in self.channels:
                return {"ok": True, "channel": self.channels[channel]}
            if channel.startswith("D"):
                return {
                    "ok": True,
                    "channel": {"id": channel, "is_im": True, "is_member": True},
                }
            return {"ok": False, "error": "channel_not_found"}
        if method == "conversations.join":
            channel = args.get("channel", "")
            if channel not in self.channels:
                return {"ok": False, "error": "channel_not_found"}
            info = self.channels[channel]
            if info.get("is_archived"):
                return {"ok": False, "error": "is_archived"}
            if info.get("is_private"):
                return {"ok": False, "error": "method_not_supported_for_channel_type"}
            info["is_member"] = True
            return {"ok": True, "channel": info}
        if method == "conversations.list":
            return {
                "ok": True,
                "channels": list(self.channels.values()),
                "response_metadata": {"next_cursor": ""},
            }
        if method in ("conversations.history", "conversations.replies"):
            channel = args.get("channel", "")
            ts = args.get("latest") or args.get("ts") or ""
            if not ts and method == "conversations.history":
                # The channel's newest messages first (follow-up delivery checks what it already posted).
                recent = sorted(
                    (m for (c, _), m in list(self.messages.items()) if c == channel),
                    key=lambda m: tuple(int(p) for p in str(m.get("ts", "0.0")).split(".")),
                    reverse=True,
                )
                return {"ok": True, "messages": recent[: int(args.get("limit") or 100)], "has_more": False}
            found = self.messages.get((channel, ts))
            return {"ok": True, "messages": [found] if found else [], "has_more": False}
        if method == "team.info":
            wanted = args.get("team") or self.team_id
            if wanted == self.team_id:
                return {"ok": True, "team": {"id": self.team_id, "name": "Console", "domain": "console"}}
            if wanted in self.teams:
                return {"ok": True, "team": self.teams[wanted]}
            return {"ok": False, "error": "team_not_found"}
        if method == "users.list":
            own = [user for user in self.users.values() if user.get("team_id") == self.team_id]
            return {"ok": True, "members": own, "response_metadata": {"next_cursor": ""}}
        if method == "users.info":
            user = self.users.get(args.get("user", ""))
            if user is None:
                return {"ok": False, "error": "user_not_found"}
            return {"ok": True, "user": user}
        if method in ("views.open", "views.push", "views.update", "views.publish"):
            view = _jsonish(args.get("view")) or {}
            return {"ok": True, "view": {**view, "id": f"V{next(self._ts):08d}"}}
        if method in ("reactions.add", "reactions.remove"):
            return {"ok": True}
        if method == "files.info":
            found = self.files.get(args.get("file", ""))
            if found is None:
                return {"ok": False, "error": "file_not_found"}
            public = {k: v for k, v in found.items() if not k.startswith("_")}
            return {"ok": True, "file": {**public, "url_private_download": f"{self.base}/files/{found['id']}"}}
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._ts):08d}"
            return {
                "ok": True,
                "upload_url": f"{self.base}/upload/{file_id}",
                "file_id": file_id,
            }
        if method == "files.completeUploadExternal":
            files = _jsonish(args.get("files")) or []
            return {
                "ok": True,
                "files": [{"id": f.get("id"), "title": f.get("title")} for f in files],
            }
        return {"ok": False, "error": "unknown_method"}

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as Slack's Web API: every answer has a length
            disable_nagle_algorithm = True
            wbufsize = 64 * 1024  # headers and body leave in one segment (flushed after each request)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                return

            def do_GET(self) -> None:
                self._handle()

            def do_POST(self) -> None:
                self._handle()

            def _handle(self) -> None:
                parsed = urlparse(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                args: dict[str, Any] = {k: v[0] for k, v in parse_qs(parsed.query).items()}
                content_type = self.headers.get("Content-Type") or ""
                if "json" in content_type and raw:
                    try:
                        args.update(json.loads(raw))
                    except ValueError:
                        pass
                elif "x-www-form-urlencoded" in content_type and raw:
                    args.update({k: v[0] for k, v in parse_qs(raw.decode()).items()})
                elif raw:
                    args["_raw"] = raw
                auth = self.headers.get("Authorization")
                if auth:
                    args.setdefault("token", auth.removeprefix("Bearer "))
                parts = parsed.path.strip("/").split("/")
                if parts[0] == "api" and len(parts) > 1:
                    method = parts[1]
                elif parts[0] == "files" and len(parts) > 1 and parts[1] in standin.files:
                    if not self.headers.get("Authorization", "").startswith("Bearer xox"):
                        self._send(403, "forbidden")
                        return
                    data = standin.files[parts[1]]["_content"]
                    self.send_response(200)
                    self.send_header("Content-Type", "text/csv")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                elif parts[0] in ("response", "upload"):
                    method = parts[0]
                    args["_id"] = parts[1] if len(parts) > 1 else ""
                    if method == "upload":
                        args["_raw"] = raw  # the file's bytes, whatever Content-Type urllib guessed
                else:
                    self._send(404, {"ok": False, "error": "not_found"})
                    return
                call = Call(method, args, parsed.path, peer=self.client_address[:2])
                with standin._lock:
                    standin.calls.append(call)
                for listener in list(standin.listeners):
                    try:
                        listener(call)
                    except Exception:  # noqa: BLE001 - a display problem must not break the fake
                        pass
                retry_after = standin._over_limit(call) if standin.limits_on else None
                if retry_after is not None:
                    with standin._lock:
                        standin.rate_limited.append(call)
                    self._send(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)})
                    return
                failure = standin._scripted_failure(method)
                if failure is not None:
                    headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after is not None else {}
                    body = {
                        "ok": False,
                        "error": failure.error or ("ratelimited" if failure.status == 429 else "internal_error"),
                    }
                    self._send(failure.status, body, headers)
                    return
                if method in ("response", "upload"):
                    self._send(200, "ok" if method == "upload" else {"ok": True})
                    return
                self._send(200, standin.answer(method, args))

            def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
                data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header(
                    "Content-Type",
                    "text/plain" if isinstance(body, str) else "application/json; charset=utf-8",
                )
                self.send_header("Content-Length", str(len(data)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

        return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # several senders at once must not overflow the default backlog of 5

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A caller killed mid-request (the soak bench's SIGKILLs) resets its connection: not news.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


def _jsonish(value: Any) -> Any:
    """Form-encoded Web API arguments carry JSON as strings (blocks, view); decode them."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value
