"""The local console: Slack's stand-in, so a newcomer can use Rapport with no Slack at all.

The same Bolt app and handlers run as in production; only Slack is replaced, by the
stand-in Web API in bot/standin.py on loopback. Slash commands typed here are dispatched
into the app exactly as Slack would post them; everything the app sends back (answers,
reminders, updates) is rendered as text. Buttons are numbered: ``click 2`` presses one.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, replace
from typing import Any, TextIO

from slack_bolt.request import BoltRequest
from sqlalchemy import Engine

from bot.settings import Settings
from bot.standin import Call, SlackStandIn

TEAM_ID = "T0CONSOLE"
USER_ID = "U0YOU"
CHANNEL_ID = "C0CONSOLE"
PROMPT = "rapport> "
CONTINUE = "   ...> "
# Commands whose text goes on over the next lines (until a blank line).
_TAKES_LINES = re.compile(r"^\s*/client\s+import\b", re.IGNORECASE)
# Channels of the stand-in workspace, so that `/escalate channel #client-escalations` can be tried.
CHANNELS = {"C0CONSOLE": "console", "C0GENERAL": "general", "C0ESCALATE": "client-escalations"}
HISTORY = os.path.expanduser("~/.rapport_history")

INTRO = """Rapport console: Slack's stand-in. Type slash commands as in Slack, e.g.
  /client add Acme GmbH country:DE contact:"Dr. Anna Müller"
  /contact Acme            /contact Japan at tomorrow 10:00
  /followup Acme in 3 days send the quote
  /rapport help            (every command)
Buttons in answers are numbered: 'click 1'. 'quit' or Ctrl-D leaves. Reminders print here when they fire."""


@dataclass
class Button:
    """A clickable element seen in a rendered message."""

    action_id: str
    value: str
    block_id: str
    label: str
    channel: str
    ts: str
    kind: str = "button"
    option: dict[str, Any] | None = None


class Console:
    """Reads commands, dispatches them into the app, prints what the app sends to 'Slack'."""

    def __init__(self, app: Any, standin: SlackStandIn, out: TextIO = sys.stdout) -> None:
        self.app = app
        self.standin = standin
        self.out = out
        self.buttons: list[Button] = []
        self._printed = threading.Condition()
        self._activity = 0
        self._tty = out.isatty()
        standin.listeners.append(self.on_call)

    # --- what the app sends ------------------------------------------------------------
    def on_call(self, call: Call) -> None:
        rendered = self.render_call(call)
        if rendered is None:
            return
        with self._printed:
            self.out.write(rendered + "\n")
            self.out.flush()
            self._activity += 1
            self._printed.notify_all()

    def render_call(self, call: Call) -> str | None:
        args = call.args
        if call.method in ("response", "chat.postMessage", "chat.postEphemeral", "chat.update"):
            blocks = _decoded(args.get("blocks")) or []
            channel = str(args.get("channel") or CHANNEL_ID)
            if call.method == "chat.postMessage" and channel.startswith(("U", "D")):
                title = "── message from Rapport (direct message) ──"
            elif call.method == "chat.postMessage":
                title = f"── posted in #{self.standin.channels.get(channel, {}).get('name', channel)} ──"
            elif call.method == "chat.update":
                title = "── message updated ──"
            elif args.get("response_type") == "in_channel":
                title = "── shared in the channel ──"
            else:
                title = "── only you can see this ──"
            ts = str(args.get("ts") or "")
            body = self.render_blocks(blocks, channel, ts) if blocks else self._plain(str(args.get("text") or ""))
            return f"\n{title}\n{body}"
        if call.method in ("views.open", "views.push"):
            view = _decoded(args.get("view")) or {}
            title = ((view.get("title") or {}).get("text")) or "form"
            labels = [((b.get("label") or {}).get("text")) for b in view.get("blocks", []) if b.get("type") == "input"]
            return (
                f"\n── a form opened in Slack: {title} ──\n  fields: {', '.join(filter(None, labels))}\n"
                "  (the console cannot fill forms: type the command with its arguments instead)"
            )
        if call.method == "files.completeUploadExternal":
            return f"\n── a file was sent to you ──\n{args.get('initial_comment') or ''}"
        if call.method == "upload":
            raw = args.get("_raw") or b""
            text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
            return "\n" + text[:4000]
        return None

    def render_blocks(self, blocks: list[dict[str, Any]], channel: str, ts: str) -> str:
        lines: list[str] = []
        for block in blocks:
            kind = block.get("type")
            if kind == "header":
                lines.append(self._bold(self._plain(_text(block.get("text")))))
            elif kind == "section":
                if block.get("text"):
                    lines.append(self._plain(_text(block.get("text"))))
                for field in block.get("fields") or []:
                    lines.append("  " + self._plain(_text(field)))
                if block.get("accessory"):
                    lines.append("  " + self._clickables([block["accessory"]], block.get("block_id", ""), channel, ts))
            elif kind == "context":
                texts = [self._plain(_text(e)) for e in block.get("elements", []) if e.get("text")]
                lines.append("  " + " · ".join(texts))
            elif kind == "divider":
                lines.append("  " + "─" * 40)
            elif kind == "actions":
                lines.append("  " + self._clickables(block.get("elements", []), block.get("block_id", ""), channel, ts))
            elif kind == "rich_text":
                lines.append(self._plain(json.dumps(block)[:200]))
        return "\n".join(lines)

    def _clickables(self, elements: list[dict[str, Any]], block_id: str, channel: str, ts: str) -> str:
        shown = []
        for element in elements:
            if element.get("type") == "button":
                self.buttons.append(
                    Button(
                        element.get("action_id", ""),
                        element.get("value", ""),
                        block_id,
                        _text(element.get("text")),
                        channel,
                        ts,
                    )
                )
                shown.append(f"[{len(self.buttons)}] {_text(element.get('text'))}")
            elif element.get("type") in ("static_select", "overflow"):
                for option in element.get("options", []):
                    self.buttons.append(
                        Button(
                            element.get("action_id", ""),
                            option.get("value", ""),
                            block_id,
                            _text(option.get("text")),
                            channel,
                            ts,
                            element["type"],
                            option,
                        )
                    )
                    shown.append(f"[{len(self.buttons)}] {_text(option.get('text'))}")
        return "  ".join(shown)

    def _plain(self, text: str) -> str:
        """Slack markup as text, channels by their names in the stand-in workspace."""
        return _plain(text, {cid: str(info.get("name") or cid) for cid, info in self.standin.channels.items()})

    def _bold(self, text: str) -> str:
        return f"\033[1m{text}\033[0m" if self._tty else text.upper()

    # --- what the person types --------------------------------------------------------------
    def handle(self, line: str) -> bool:
        """Handle one input (a line, or a command with the lines pasted after it); False means quit."""
        line = line.strip()
        if not line:
            return True
        if line in ("quit", "exit", r"\q"):
            return False
        if line in ("help", "?"):
            line = "/rapport help"
        click = re.fullmatch(r"click\s+(\d+)", line)
        if click:
            self.click(int(click[1]))
            return True
        if not line.startswith("/"):
            self.out.write("Commands start with a slash, e.g. /contact Japan — 'help' lists them.\n")
            return True
        command, _, text = line.partition(" ")
        self.dispatch_and_wait(self._slash_body(command, text))
        return True

    def _slash_body(self, command: str, text: str) -> str:
        return urllib.parse.urlencode(
            {
                "team_id": TEAM_ID,
                "team_domain": "console",
                "channel_id": CHANNEL_ID,
                "channel_name": "console",
                "user_id": USER_ID,
                "user_name": "you",
                "command": command,
                "text": text,
                "api_app_id": "A0CONSOLE",
                "trigger_id": f"console.{time.time()}",
                "response_url": self.standin.response_url(f"c{time.time_ns()}"),
            }
        )

    def click(self, number: int) -> None:
        if not 1 <= number <= len(self.buttons):
            self.out.write(f"There is no button {number}.\n")
            return
        button = self.buttons[number - 1]
        action: dict[str, Any] = {
            "action_id": button.action_id,
            "block_id": button.block_id,
            "type": button.kind,
            "action_ts": str(time.time()),
        }
        if button.option is not None:
            action["selected_option"] = button.option
        else:
            action["value"] = button.value
        message = self.standin.messages.get((button.channel, button.ts), {"ts": button.ts})
        payload = {
            "type": "block_actions",
            "team": {"id": TEAM_ID},
            "user": {"id": USER_ID, "team_id": TEAM_ID},
            "api_app_id": "A0CONSOLE",
            "trigger_id": f"console.{time.time()}",
            "container": {"type": "message", "message_ts": button.ts, "channel_id": button.channel},
            "channel": {"id": button.channel},
            "message": message,
            "actions": [action],
            "response_url": self.standin.response_url(f"c{time.time_ns()}"),
        }
        self.dispatch_and_wait(urllib.parse.urlencode({"payload": json.dumps(payload)}))

    def dispatch_and_wait(self, body: str, timeout: float = 15.0) -> None:
        """Send one request into the app and wait until it has answered (or a timeout)."""
        with self._printed:
            before = self._activity
        request = BoltRequest(body=body, headers={"content-type": ["application/x-www-form-urlencoded"]})
        response = self.app.dispatch(request)
        if response.status != 200:
            self.out.write(f"(the app answered {response.status}: {response.body})\n")
            return
        if response.body:
            self.on_call(
                Call(
                    "response",
                    _decoded(response.body) if response.body.startswith("{") else {"text": response.body},
                    "/ack",
                )
            )
        with self._printed:
            self._printed.wait_for(lambda: self._activity > before, timeout=timeout)
        time.sleep(0.05)  # let a second message of the same answer print before the prompt

    def loop(self, stdin: TextIO = sys.stdin) -> None:
        interactive = stdin.isatty()
        if interactive:
            _enable_history()
        self.out.write(INTRO + "\n")

        def read(prompt: str) -> str | None:
            """One line without its newline; None at the end of the input."""
            try:
                line = input(prompt) if interactive else stdin.readline()
            except (EOFError, KeyboardInterrupt):
                return None
            if not interactive:
                if not line:
                    return None
                self.out.write(f"{prompt}{line.rstrip()}\n")
            return line.rstrip("\r\n")

        while True:
            line = read(PROMPT)
            if line is None:
                break
            if _TAKES_LINES.match(line):
                # A pasted CSV: the lines after `/client import` belong to it until a blank line.
                while (more := read(CONTINUE)) is not None and more.strip():
                    line += "\n" + more
            if not self.handle(line):
                break
        self.out.write("\nbye\n")

    def write_log(self, text: str) -> None:
        """A log line, printed whole between answers (never inside one)."""
        with self._printed:
            self.out.write(f"(log) {text}\n")
            self.out.flush()


class ConsoleLog(logging.Handler):
    """Log records through the console, so warnings never cut into an answer being printed."""

    def __init__(self, console: Console) -> None:
        super().__init__()
        self.console = console
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.console.write_log(self.format(record))
        except Exception:  # noqa: BLE001 - logging must never break the console
            self.handleError(record)


def furnish(standin: SlackStandIn, tz: str) -> None:
    """The stand-in workspace: you (in zone ``tz``) and a few channels to post escalations to."""
    standin.add_user(USER_ID, tz=tz, name="you")
    for channel_id, name in CHANNELS.items():
        standin.add_channel(channel_id, name, is_member=channel_id == CHANNEL_ID)


def run_console(settings: Settings, engine: Engine) -> int:
    """Start the stand-in, the app and the dispatcher against the same database; read commands."""
    # pendulum.local_timezone() returns just this; its name is also a module's, which mypy's
    # incremental runs can take for the function.
    from pendulum.tz import get_local_timezone

    from bot.app import build_runtime, create_app
    from bot.dispatcher import start_dispatcher
    from bot.slack import build_client

    standin = SlackStandIn(team_id=TEAM_ID).start()
    furnish(standin, get_local_timezone().name)
    local = replace(
        settings,
        slack_bot_token="xoxb-console",
        slack_signing_secret=None,
        slack_app_token=None,
        slack_api_url=standin.url,
    )
    runtime = build_runtime(local, engine=engine)
    client = build_client(local)
    app = create_app(local, runtime, client)
    console = Console(app, standin)
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.addHandler(ConsoleLog(console))
    scheduler = start_dispatcher(runtime, client, local.dispatch_interval)
    try:
        console.loop()
    finally:
        scheduler.shutdown(wait=False)
        standin.stop()
    return 0


def _enable_history() -> None:
    try:
        import atexit
        import readline

        if os.path.exists(HISTORY):
            readline.read_history_file(HISTORY)
        readline.set_history_length(1000)
        atexit.register(readline.write_history_file, HISTORY)
    except (ImportError, OSError):
        pass


def _decoded(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def _text(obj: Any) -> str:
    if isinstance(obj, dict):
        return str(obj.get("text") or "")
    return str(obj or "")


_LINK = re.compile(r"<([^<>|]+)(?:\|([^<>]+))?>")


def _plain(text: str, channel_names: dict[str, str] | None = None) -> str:
    """Slack markup for a terminal: <@U1|ada> → @ada, <#C1|x> → #x, <url|label> → label (url)."""
    names = channel_names or {}

    def swap(match: re.Match[str]) -> str:
        target, label = match[1], match[2]
        if target.startswith("@"):
            return f"@{label or target[1:]}"
        if target.startswith("#"):
            return f"#{label or names.get(target[1:], target[1:])}"
        if target.startswith("!"):
            return f"@{label or target[1:].split('^')[0]}"
        return f"{label} ({target})" if label else target

    return _LINK.sub(swap, text).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
