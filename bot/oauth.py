"""OAuth distribution: Bolt's install flow, our authorisation per workspace, per-team clients for jobs.

With ``SLACK_CLIENT_ID`` and ``SLACK_CLIENT_SECRET`` set, ``GET /slack/install`` shows Slack's
"Add to Slack" page and ``GET /slack/oauth_redirect`` finishes the install (Bolt's ``OAuthFlow``,
its ``state`` checked against our ``oauth_state`` table); the installation is saved, encrypted, in
``slack_installation`` (``db/installations.py``). Every request is then authorised with its own
workspace's bot token (:class:`InstallationAuthorize`, refreshing rotating tokens once across
processes), and background jobs get each workspace's client from :func:`team_clients`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.authorize import Authorize
from slack_bolt.context.context import BoltContext
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.settings import Settings
from bot.slack import KeepAliveWebClient
from db.installations import SqlInstallationStore, SqlStateStore, TokenCipher

logger = logging.getLogger(__name__)

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"


def installation_store(settings: Settings, sessions: sessionmaker[Session], client: WebClient) -> SqlInstallationStore:
    """The store of installations, on our database, tokens sealed with ``RAPPORT_SECRET_KEY``."""
    assert settings.slack_client_id and settings.slack_client_secret and settings.secret_key
    return SqlInstallationStore(
        sessions,
        TokenCipher(settings.secret_key),
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        client=client,
    )


def oauth_settings(settings: Settings, store: SqlInstallationStore, sessions: sessionmaker[Session]) -> OAuthSettings:
    """Bolt's install flow: our stores, the manifest's scopes (or SLACK_SCOPES), our paths."""
    return OAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        scopes=list(settings.slack_scopes),
        redirect_uri=settings.slack_redirect_uri,
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        installation_store=store,
        installation_store_bot_only=True,
        state_store=SqlStateStore(sessions),
    )


class InstallationAuthorize(Authorize):
    """Authorise each request with its workspace's installation (refreshed when it rotates).

    A workspace with no installation (never installed, or uninstalled) gets no token: Bolt then
    answers nothing and runs no listener for it.
    """

    def __init__(self, store: SqlInstallationStore) -> None:
        self.store = store

    def __call__(
        self,
        *,
        context: BoltContext,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None,
        actor_enterprise_id: str | None = None,
        actor_team_id: str | None = None,
        actor_user_id: str | None = None,
    ) -> AuthorizeResult | None:
        bot = self.store.fresh_bot(enterprise_id, team_id)
        if bot is None:
            logger.info("no installation for team %s (enterprise %s)", team_id, enterprise_id)
            return None
        return AuthorizeResult(
            enterprise_id=enterprise_id or bot.enterprise_id,
            team_id=team_id or bot.team_id,
            user_id=user_id,
            bot_token=bot.bot_token,
            bot_id=bot.bot_id,
            bot_user_id=bot.bot_user_id,
            bot_scopes=bot.bot_scopes,
        )


def team_clients(store: SqlInstallationStore, client: WebClient) -> Callable[[str], WebClient | None]:
    """``for_team(team_id)``: a client with that workspace's (fresh) bot token, sharing ``client``'s
    connections and retry handlers; None when the workspace has no installation."""

    def for_team(team_id: str) -> WebClient | None:
        bot = store.fresh_bot(None, team_id)
        if bot is None:
            return None
        if isinstance(client, KeepAliveWebClient):
            return client.for_request(bot.bot_token, team_id)
        return WebClient(
            token=bot.bot_token,
            base_url=client.base_url,
            timeout=client.timeout,
            retry_handlers=list(client.retry_handlers),
            team_id=team_id,
        )

    return for_team


def oauth_parts(settings: Settings, sessions: sessionmaker[Session], client: WebClient) -> dict[str, Any]:
    """What ``create_app`` passes to Bolt in OAuth mode, and the per-team client factory for jobs."""
    store = installation_store(settings, sessions, client)
    return {
        "store": store,
        "oauth_settings": oauth_settings(settings, store, sessions),
        "authorize": InstallationAuthorize(store),
        "team_client": team_clients(store, client),
    }
