"""Token rotation: a bot token about to expire is refreshed once, even when four processes ask at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from cryptography.fernet import Fernet
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import Bot
from sqlalchemy import select

from bot.standin import SlackStandIn
from db.installations import SqlInstallationStore, TokenCipher
from db.migrate import upgrade
from db.models import SlackInstallation
from db.session import make_engine, make_session_factory

ROOT = Path(__file__).parents[2]
KEY = Fernet.generate_key().decode()


def store_for(url: str, slack: SlackStandIn) -> SqlInstallationStore:
    engine = make_engine(url)
    return SqlInstallationStore(
        make_session_factory(engine),
        TokenCipher(KEY),
        client_id="111.222",
        client_secret="client-secret",
        client=WebClient(base_url=slack.url),
    )


def install_expiring(store: SqlInstallationStore, slack: SlackStandIn, team: str, seconds: int = 60) -> None:
    """An installation whose access token expires in ``seconds``, with a refresh token Slack knows."""
    slack.refresh_tokens[f"xoxe-1-{team}-0"] = team
    store.save_bot(
        Bot(
            team_id=team,
            bot_token=f"xoxb-{team}-0",
            bot_id="B1",
            bot_user_id="U0BOT",
            bot_refresh_token=f"xoxe-1-{team}-0",
            bot_token_expires_at=int(time.time()) + seconds,
            installed_at=time.time(),
        )
    )


def test_an_expiring_token_is_refreshed_once_and_stored_encrypted(tmp_path: Path, slack: SlackStandIn):
    url = f"sqlite:///{tmp_path / 'r.db'}"
    upgrade(make_engine(url))
    slack.token_lifetime = 12 * 3600
    store = store_for(url, slack)
    install_expiring(store, slack, "TAAA")
    first = store.fresh_bot(None, "TAAA")
    second = store_for(url, slack).fresh_bot(None, "TAAA")  # another process: reads the refreshed row
    assert first is not None and second is not None
    assert first.bot_token == second.bot_token and first.bot_token != "xoxb-TAAA-0"
    refreshes = [c for c in slack.calls_to("oauth.v2.access") if c.args.get("grant_type") == "refresh_token"]
    assert len(refreshes) == 1
    with store.sessions() as session:
        row = session.scalars(select(SlackInstallation)).one()
        assert "xoxb" not in row.bot_token and "xoxe" not in (row.bot_refresh_token or "")


def test_a_token_with_time_left_is_not_refreshed(tmp_path: Path, slack: SlackStandIn):
    url = f"sqlite:///{tmp_path / 'r.db'}"
    upgrade(make_engine(url))
    store = store_for(url, slack)
    install_expiring(store, slack, "TAAA", seconds=3600)
    bot = store.fresh_bot(None, "TAAA")
    assert bot is not None and bot.bot_token == "xoxb-TAAA-0"
    assert slack.calls_to("oauth.v2.access") == []


RACER = """
import json, sys, time
sys.path.insert(0, {root!r})
from tests.bot.test_token_rotation import store_for_url
store = store_for_url({url!r}, {api!r}, {key!r})
while time.time() < {start}:
    time.sleep(0.001)
bot = store.fresh_bot(None, "TAAA")
print(json.dumps({{"token": bot.bot_token if bot else None}}))
"""


def store_for_url(url: str, api: str, key: str) -> SqlInstallationStore:
    """For the racing processes: a store on ``url`` calling the fake Slack at ``api``."""
    return SqlInstallationStore(
        make_session_factory(make_engine(url)),
        TokenCipher(key),
        client_id="111.222",
        client_secret="client-secret",
        client=WebClient(base_url=api),
    )


def test_four_processes_refresh_once_on_postgresql(pg_url: str, slack: SlackStandIn):
    slack.token_lifetime = 12 * 3600
    store = store_for_url(pg_url, slack.url, KEY)
    install_expiring(store, slack, "TAAA")
    start = time.time() + 3
    script = RACER.format(root=str(ROOT), url=pg_url, api=slack.url, key=KEY, start=start)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    racers = [
        subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        for _ in range(4)
    ]
    results = []
    for racer in racers:
        out, err = racer.communicate(timeout=60)
        assert racer.returncode == 0, err.decode()
        results.append(json.loads(out.decode().strip().splitlines()[-1])["token"])
    refreshes = [c for c in slack.calls_to("oauth.v2.access") if c.args.get("grant_type") == "refresh_token"]
    assert len(refreshes) == 1, [c.args for c in refreshes]
    assert len(set(results)) == 1 and results[0] != "xoxb-TAAA-0"
