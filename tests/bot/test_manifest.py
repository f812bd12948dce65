"""manifest.yml is valid for Slack and matches what the app listens to."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from handlers.common.catalog import COMMANDS

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT.parent / "shared" / "slack" / "manifest.schema.json"


@pytest.fixture(scope="module")
def manifest() -> dict:
    return yaml.safe_load((ROOT / "manifest.yml").read_text())


def test_manifest_is_valid_against_slacks_schema(manifest):
    if not SCHEMA.exists():
        pytest.skip(f"Slack's manifest schema is not beside the repo ({SCHEMA})")
    jsonschema.validate(manifest, json.loads(SCHEMA.read_text()))


def test_every_contract_command_is_declared_escaped(manifest):
    declared = {c["command"]: c for c in manifest["features"]["slash_commands"]}
    assert set(declared) == set(COMMANDS)
    assert all(c["should_escape"] is True for c in declared.values())


def test_events_shortcut_and_interactivity(manifest):
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert {"app_home_opened", "reaction_added", "app_uninstalled", "tokens_revoked"} <= events
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    [shortcut] = manifest["features"]["shortcuts"]
    assert shortcut["name"] == "Translate" and shortcut["type"] == "message"
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"commands", "chat:write", "im:write", "users:read", "reactions:read", "channels:history"} <= scopes


def test_every_declared_command_and_event_has_a_listener(manifest, settings, runtime):
    from bot.app import create_app

    app = create_app(settings, runtime)
    matchers = [m for listener in app._listeners for m in listener.matchers]

    def listened(kind: str, value: str) -> bool:
        # our catch-alls are registered last with ".*": a real listener must match before them
        for listener in app._listeners:
            name = getattr(listener.ack_function, "__name__", "")
            if name.startswith(("command_any", "any_")):
                return False
            body = {"command": value} if kind == "command" else {"type": "event_callback", "event": {"type": value}}
            from slack_bolt.request import BoltRequest

            request = BoltRequest(body=json.dumps(body), headers={"content-type": ["application/json"]})
            if all(m.matches(request, None) for m in listener.matchers):
                return True
        return False

    assert matchers
    for command in (c["command"] for c in manifest["features"]["slash_commands"]):
        assert listened("command", command), f"{command} has no listener"
    for event in manifest["settings"]["event_subscriptions"]["bot_events"]:
        # message.channels, message.groups … all arrive as events of type "message"
        assert listened("event", event.split(".")[0]), f"{event} has no listener"
    assert all(re.fullmatch(r"/[a-z]+", c) for c in COMMANDS)
