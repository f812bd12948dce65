"""OAuth distribution through the wire: /slack/install -> Slack -> /slack/oauth_redirect, installations
in our database (encrypted), each workspace answered and reminded with its own token, uninstall."""

from __future__ import annotations

import datetime as dt
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from bot.app import build_runtime, create_app
from bot.server import serve, wsgi_app
from bot.settings import Settings, SettingsError
from bot.slack import build_client
from bot.standin import SlackStandIn
from db.models import SlackInstallation
from db.scoped import all_teams_session
from handlers.followups.delivery import dispatch_due
from tests.conftest import SECRET, FakeClock
from tests.followups.conftest import add_client, set_member
from tests.support.slack_requests import SlackSender

KEY = Fernet.generate_key().decode()


def oauth_env(slack: SlackStandIn, db_url: str, **extra: str) -> dict[str, str]:
    return {
        "SLACK_CLIENT_ID": "111.222",
        "SLACK_CLIENT_SECRET": "client-secret",
        "SLACK_SIGNING_SECRET": SECRET,
        "RAPPORT_SECRET_KEY": KEY,
        "SLACK_API_URL": slack.url,
        "DATABASE_URL": db_url,
        "DISPATCH_INTERVAL": "1",
        **extra,
    }


@dataclass
class OAuthApp:
    url: str
    slack: SlackStandIn
    runtime: object
    settings: Settings
    clock: FakeClock

    def sender(self, team: str) -> SlackSender:
        return SlackSender(f"{self.url}/slack/events", SECRET, team_id=team, response_url_base=self.slack.base)

    def get(self, path: str, cookie: str | None = None) -> tuple[int, str, dict[str, str]]:
        request = urllib.request.Request(self.url + path, headers={"Cookie": cookie} if cookie else {})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read().decode(), {k.lower(): v for k, v in response.headers.items()}
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(), {k.lower(): v for k, v in error.headers.items()}

    def install(self, team: str, enterprise: str | None = None) -> tuple[int, str]:
        """Click "Add to Slack" as a person of ``team`` would: install page, Slack, our callback."""
        status, page, headers = self.get("/slack/install")
        assert status == 200, page
        state = re.search(r"state=([A-Za-z0-9_\-]+)", page)
        assert state is not None, page
        cookie = headers["set-cookie"].split(";")[0]
        code = f"code-{enterprise}-{team}"
        self.slack.add_install_code(code, team, enterprise)
        status, body, _ = self.get(f"/slack/oauth_redirect?code={code}&state={state.group(1)}", cookie=cookie)
        return status, body


@pytest.fixture
def oauth_app(slack: SlackStandIn, db_url: str, engine, clock: FakeClock) -> Iterator[OAuthApp]:
    settings = Settings.from_env(oauth_env(slack, db_url))
    runtime = build_runtime(settings, clock=clock, engine=engine)
    app = create_app(settings, runtime, build_client(settings))
    server = serve(wsgi_app(app, engine), 0, host="127.0.0.1")
    yield OAuthApp(f"http://127.0.0.1:{server.server_port}", slack, runtime, settings, clock)
    server.shutdown()
    server.server_close()


def installations(runtime) -> list[SlackInstallation]:
    with runtime.sessions() as session:  # installations are not workspace rows: read as the store does
        return list(session.scalars(select(SlackInstallation).order_by(SlackInstallation.team_id)))


def test_two_workspaces_install_and_each_is_answered_with_its_own_token(oauth_app: OAuthApp):
    for team in ("TAAA", "TBBB"):
        status, body = oauth_app.install(team)
        assert status == 200, body
    rows = installations(oauth_app.runtime)
    assert [row.team_id for row in rows] == ["TAAA", "TBBB"]
    for row in rows:
        assert not row.bot_token.startswith("xoxb-") and "xoxb" not in row.bot_token  # encrypted at rest
    oauth_app.slack.add_user("UA", tz="Europe/Berlin", team_id="TAAA")
    oauth_app.slack.add_user("UB", tz="Asia/Tokyo", team_id="TBBB")
    for team, user in (("TAAA", "UA"), ("TBBB", "UB")):
        oauth_app.slack.clear()
        result = oauth_app.sender(team).command("/contact", "Japan", user=user)
        assert result.status == 200
        [answer] = oauth_app.slack.wait_for("response")
        assert answer.args["text"].splitlines()[0].endswith("contact Japan") or "Japan" in answer.args["text"]
        [profile] = oauth_app.slack.wait_for("users.info")
        assert profile.args["token"].startswith(f"xoxb-{team}-"), profile.args


def test_a_workspace_that_never_installed_gets_nothing_run(oauth_app: OAuthApp):
    oauth_app.install("TAAA")
    result = oauth_app.sender("TZZZ").command("/client", "add Acme country:DE", user="U1")
    assert result.status == 200
    with all_teams_session(oauth_app.runtime.sessions) as session:
        from db.models import Client

        assert session.scalars(select(Client)).all() == []


def test_the_state_is_checked(oauth_app: OAuthApp):
    oauth_app.slack.add_install_code("code-TAAA", "TAAA")
    status, _body, _ = oauth_app.get("/slack/oauth_redirect?code=code-TAAA&state=forged")
    assert status >= 400
    assert installations(oauth_app.runtime) == []
    _status, page, headers = oauth_app.get("/slack/install")
    state = re.search(r"state=([A-Za-z0-9_\-]+)", page)
    assert state is not None
    cookie = headers["set-cookie"].split(";")[0]
    ok, _body, _ = oauth_app.get(f"/slack/oauth_redirect?code=code-TAAA&state={state.group(1)}", cookie=cookie)
    assert ok == 200
    again, _body, _ = oauth_app.get(f"/slack/oauth_redirect?code=code-TAAA&state={state.group(1)}", cookie=cookie)
    assert again >= 400  # a state is good once


def test_reminders_go_out_with_each_workspaces_token(oauth_app: OAuthApp):
    oauth_app.install("TAAA")
    oauth_app.install("TBBB")
    runtime = oauth_app.runtime
    oauth_app.clock.set(dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC))
    for team, user in (("TAAA", "UA"), ("TBBB", "UB")):
        oauth_app.slack.add_user(user, tz="Europe/London", team_id=team)
        set_member(runtime, user, "Europe/London", team=team)
        add_client(runtime, "Acme", "GB", "Europe/London", team=team)  # the same name in both workspaces
        sender = oauth_app.sender(team)
        result = sender.command("/followup", "Acme in 1 hour call them", user=user)
        assert result.status == 200
    oauth_app.slack.wait_for("response", count=2)
    oauth_app.clock.set(dt.datetime(2026, 12, 7, 11, 0, tzinfo=dt.UTC))
    oauth_app.slack.clear()
    dispatch_due(runtime, build_client(oauth_app.settings))
    posts = oauth_app.slack.calls_to("chat.postMessage")
    assert sorted((call.args["channel"], call.args["token"].rsplit("-", 1)[0]) for call in posts) == [
        ("UA", "xoxb-TAAA"),
        ("UB", "xoxb-TBBB"),
    ]


def test_uninstall_deletes_the_tokens_and_reinstalling_resumes(oauth_app: OAuthApp):
    oauth_app.install("TAAA")
    oauth_app.install("TBBB")
    sender = oauth_app.sender("TBBB")
    result = sender.event({"type": "app_uninstalled"}, event_id="EvU1")
    assert result.status == 200
    deadline = dt.datetime.now() + dt.timedelta(seconds=5)
    while [row.team_id for row in installations(oauth_app.runtime)] != ["TAAA"] and dt.datetime.now() < deadline:
        pass
    assert [row.team_id for row in installations(oauth_app.runtime)] == ["TAAA"]
    status, _ = oauth_app.install("TBBB")
    assert status == 200
    assert [row.team_id for row in installations(oauth_app.runtime)] == ["TAAA", "TBBB"]


# ---------------------------------------------------------------------------------------------
# Settings


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        ({"RAPPORT_SECRET_KEY": ""}, "RAPPORT_SECRET_KEY is missing"),
        ({"RAPPORT_SECRET_KEY": "not-a-key"}, "not a Fernet key"),
        ({"RAPPORT_SECRET_KEY": "A" * 43 + "="}, ""),  # 32 zero-ish bytes: a valid key
        ({"SLACK_CLIENT_SECRET": ""}, "SLACK_CLIENT_SECRET is missing"),
    ],
)
def test_oauth_settings_are_checked_in_one_line(slack: SlackStandIn, db_url: str, extra: dict[str, str], words: str):
    env = {**oauth_env(slack, db_url), **extra}
    if not words:
        assert Settings.from_env(env, process="web").oauth
        return
    with pytest.raises(SettingsError) as error:
        Settings.from_env(env, process="web")
    assert words in str(error.value) and "\n" not in str(error.value)


def test_oauth_needs_no_bot_token_and_is_not_the_console(slack: SlackStandIn, db_url: str):
    for process in ("run", "web", "worker"):
        settings = Settings.from_env(oauth_env(slack, db_url), process=process)
        assert settings.oauth and settings.has_slack and settings.slack_bot_token is None


def test_default_scopes_are_the_manifests():
    from pathlib import Path

    import yaml

    from bot.settings import DEFAULT_SCOPES

    manifest = yaml.safe_load(Path(__file__).parents[2].joinpath("manifest.yml").read_text(encoding="utf-8"))
    assert list(DEFAULT_SCOPES) == manifest["oauth_config"]["scopes"]["bot"]
    assert manifest["oauth_config"]["redirect_urls"][0].endswith("/slack/oauth_redirect")


def test_an_org_wide_grid_install_serves_each_workspace_and_keeps_rows_per_team(oauth_app: OAuthApp):
    status, body = oauth_app.install("", enterprise="E1")
    assert status == 200, body
    [row] = installations(oauth_app.runtime)
    assert (row.enterprise_id, row.team_id, row.is_enterprise_install) == ("E1", "", True)
    for team, note in (("T5", "five"), ("T6", "six")):
        oauth_app.slack.clear()
        sender = oauth_app.sender(team)
        result = sender.command("/client", f"add Acme country:GB note:{note}", user="U1", enterprise_id="E1")
        assert result.status == 200
        [answer] = oauth_app.slack.wait_for("response")
        assert "Added" in answer.args["text"], answer.args["text"]
    with all_teams_session(oauth_app.runtime.sessions) as session:
        from db.models import Client

        clients = sorted((c.team_id, c.note) for c in session.scalars(select(Client)))
    assert clients == [("T5", "five"), ("T6", "six")]
