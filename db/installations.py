"""Where OAuth installations live: our database, tokens encrypted with ``RAPPORT_SECRET_KEY``.

:class:`SqlInstallationStore` is a slack_sdk ``InstallationStore`` (Bolt's OAuth flow saves into it)
on our own engine and Alembic tables (``db/models/installations.py``); :class:`SqlStateStore` keeps
the OAuth ``state`` values, each usable once. Tokens are Fernet ciphertext in the table; a database
dump without the key reveals none.

:meth:`SqlInstallationStore.fresh_bot` hands out a workspace's bot, refreshing a rotating token
before it expires — once, however many web and worker processes ask at the same moment: the
refresh runs inside a transaction that first *writes* the installation's row (a row lock on
PostgreSQL, the database write lock on SQLite), then reads it again; a process that waited finds
the token already refreshed and uses it.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import threading
import time
from collections.abc import Callable
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import Bot, Installation, InstallationStore
from slack_sdk.oauth.state_store import OAuthStateStore
from slack_sdk.oauth.token_rotation import TokenRotator
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from db.models.installations import OAuthState, SlackInstallation

logger = logging.getLogger(__name__)

__all__ = ["ROTATE_BEFORE_MINUTES", "SqlInstallationStore", "SqlStateStore", "TokenCipher"]

#: A rotating token is refreshed when it has less than this left (Slack's tokens live 12 hours).
ROTATE_BEFORE_MINUTES = 10
STATE_SECONDS = 600


class TokenCipher:
    """Fernet encryption of tokens with the key from ``RAPPORT_SECRET_KEY``."""

    def __init__(self, key: str) -> None:
        self._fernet = Fernet(key.encode("ascii"))

    def seal(self, token: str | None) -> str | None:
        return None if token is None else self._fernet.encrypt(token.encode("utf-8")).decode("ascii")

    def open(self, sealed: str | None) -> str | None:
        if sealed is None:
            return None
        try:
            return self._fernet.decrypt(sealed.encode("ascii")).decode("utf-8")
        except InvalidToken:
            logger.error("a stored Slack token cannot be decrypted: was RAPPORT_SECRET_KEY changed?")
            return None


def _key(enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None) -> tuple[str, str]:
    """The row's (enterprise_id, team_id): an org-wide install is found by its enterprise alone."""
    if is_enterprise_install and enterprise_id:
        return enterprise_id, ""
    return enterprise_id or "", team_id or ""


def _epoch(value: dt.datetime | None) -> int | None:
    return None if value is None else int(value.timestamp())


class SqlInstallationStore(InstallationStore):
    """Bot installations in ``slack_installation`` (one per workspace or Grid organisation)."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        cipher: TokenCipher,
        *,
        client_id: str,
        client_secret: str,
        client: WebClient,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.sessions = sessions
        self.cipher = cipher
        self.client_id = client_id
        self.rotator = TokenRotator(client_id=client_id, client_secret=client_secret, client=client)
        self.clock = clock
        self._cache: dict[tuple[str, str], Bot] = {}
        self._lock = threading.Lock()

    @property
    def logger(self) -> logging.Logger:
        return logger

    # --- writes from the OAuth flow --------------------------------------------------
    def save(self, installation: Installation) -> None:
        bot = installation.to_bot()
        bot.custom_values = {**(bot.custom_values or {}), "installer_user_id": installation.user_id}
        self.save_bot(bot)

    def save_bot(self, bot: Bot) -> None:
        key = _key(bot.enterprise_id, bot.team_id, bot.is_enterprise_install)
        expires = bot.bot_token_expires_at
        values: dict[str, Any] = {
            "is_enterprise_install": bool(bot.is_enterprise_install),
            "app_id": bot.app_id,
            "team_name": bot.team_name,
            "bot_id": bot.bot_id,
            "bot_user_id": bot.bot_user_id,
            "bot_scopes": ",".join(bot.bot_scopes or []),
            "bot_token": self.cipher.seal(bot.bot_token),
            "bot_refresh_token": self.cipher.seal(bot.bot_refresh_token),
            "bot_token_expires_at": dt.datetime.fromtimestamp(expires, dt.UTC) if expires else None,
            "installer_user_id": (bot.custom_values or {}).get("installer_user_id"),
            "updated_at": dt.datetime.now(dt.UTC),
        }
        with self.sessions.begin() as session:
            row = session.scalar(
                select(SlackInstallation).where(
                    SlackInstallation.enterprise_id == key[0], SlackInstallation.team_id == key[1]
                )
            )
            if row is None:
                session.add(SlackInstallation(enterprise_id=key[0], team_id=key[1], **values))
            else:
                for column, value in values.items():
                    setattr(row, column, value)
        with self._lock:
            self._cache.pop(key, None)

    # --- reads -----------------------------------------------------------------------
    def _bot(self, row: SlackInstallation) -> Bot | None:
        token = self.cipher.open(row.bot_token)
        if token is None:
            return None
        return Bot(
            app_id=row.app_id,
            enterprise_id=row.enterprise_id or None,
            team_id=row.team_id or None,
            team_name=row.team_name,
            bot_token=token,
            bot_id=row.bot_id or "",
            bot_user_id=row.bot_user_id or "",
            bot_scopes=row.bot_scopes or "",
            bot_refresh_token=self.cipher.open(row.bot_refresh_token),
            bot_token_expires_at=_epoch(row.bot_token_expires_at),
            is_enterprise_install=row.is_enterprise_install,
            installed_at=row.installed_at.timestamp(),
        )

    def _row(self, session: Session, enterprise_id: str | None, team_id: str | None) -> SlackInstallation | None:
        """The workspace's own installation, else its Grid organisation's org-wide one."""
        query = select(SlackInstallation).where(
            SlackInstallation.enterprise_id == (enterprise_id or ""), SlackInstallation.team_id == (team_id or "")
        )
        row = session.scalar(query)
        if row is None and enterprise_id:
            row = session.scalar(
                select(SlackInstallation).where(
                    SlackInstallation.enterprise_id == enterprise_id,
                    SlackInstallation.team_id == "",
                    SlackInstallation.is_enterprise_install.is_(True),
                )
            )
        if row is None and team_id and not enterprise_id:
            # A request without its enterprise id (some events) from a Grid workspace installed alone.
            row = session.scalar(select(SlackInstallation).where(SlackInstallation.team_id == team_id).limit(1))
        return row

    def find_bot(
        self, *, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None = False
    ) -> Bot | None:
        if is_enterprise_install:
            team_id = None
        with self.sessions() as session:
            row = self._row(session, enterprise_id, team_id)
            return self._bot(row) if row is not None else None

    def find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        bot = self.find_bot(enterprise_id=enterprise_id, team_id=team_id, is_enterprise_install=is_enterprise_install)
        if bot is None:
            return None
        return Installation(
            app_id=bot.app_id,
            enterprise_id=bot.enterprise_id,
            team_id=bot.team_id,
            team_name=bot.team_name,
            bot_token=bot.bot_token,
            bot_id=bot.bot_id,
            bot_user_id=bot.bot_user_id,
            bot_scopes=bot.bot_scopes,
            bot_refresh_token=bot.bot_refresh_token,
            bot_token_expires_at=bot.bot_token_expires_at,
            is_enterprise_install=bot.is_enterprise_install,
            user_id=user_id or "",
            installed_at=bot.installed_at,
        )

    def fresh_bot(self, enterprise_id: str | None, team_id: str | None) -> Bot | None:
        """The installation's bot with a token good for at least ``ROTATE_BEFORE_MINUTES`` (refreshed
        once across processes when it was not), or None when the workspace has no installation."""
        cache_key = (enterprise_id or "", team_id or "")
        with self._lock:
            cached = self._cache.get(cache_key)
        if cached is not None and not self._expiring(cached):
            return cached
        bot = self.find_bot(enterprise_id=enterprise_id, team_id=team_id)
        if bot is not None and self._expiring(bot):
            bot = self._rotate(enterprise_id, team_id)
        with self._lock:
            if bot is None:
                self._cache.pop(cache_key, None)
            else:
                self._cache[cache_key] = bot
        return bot

    def _expiring(self, bot: Bot) -> bool:
        expires = bot.bot_token_expires_at
        return (
            bool(bot.bot_refresh_token) and expires is not None and expires < self.clock() + ROTATE_BEFORE_MINUTES * 60
        )

    def _rotate(self, enterprise_id: str | None, team_id: str | None) -> Bot | None:
        """Refresh under the row's write lock; whoever waited reads the refreshed token."""
        with self.sessions.begin() as session:
            row = self._row(session, enterprise_id, team_id)
            if row is None:
                return None
            # The write takes the lock (PostgreSQL: this row; SQLite: the database) until commit.
            session.execute(
                update(SlackInstallation)
                .where(SlackInstallation.id == row.id)
                .values(updated_at=dt.datetime.now(dt.UTC))
                .execution_options(synchronize_session=False)
            )
            session.refresh(row)
            bot = self._bot(row)
            if bot is None or not self._expiring(bot):
                return bot
            refreshed = self.rotator.perform_bot_token_rotation(
                bot=bot, minutes_before_expiration=ROTATE_BEFORE_MINUTES
            )
            if refreshed is None:
                return bot
            row.bot_token = self.cipher.seal(refreshed.bot_token) or row.bot_token
            row.bot_refresh_token = self.cipher.seal(refreshed.bot_refresh_token)
            expires = refreshed.bot_token_expires_at
            row.bot_token_expires_at = dt.datetime.fromtimestamp(expires, dt.UTC) if expires else None
            logger.info("refreshed the bot token of %s", row.team_id or row.enterprise_id)
            return refreshed

    # --- removal (app_uninstalled, tokens_revoked) -------------------------------------
    def delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        self.delete_installation(enterprise_id=enterprise_id, team_id=team_id)

    def delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        if user_id:
            return  # user tokens are not stored: nothing of a single user to delete
        key = (enterprise_id or "", team_id or "")
        with self.sessions.begin() as session:
            session.execute(
                delete(SlackInstallation).where(
                    SlackInstallation.enterprise_id == key[0], SlackInstallation.team_id == key[1]
                )
            )
        with self._lock:
            self._cache.pop(key, None)

    def delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        self.delete_installation(enterprise_id=enterprise_id, team_id=team_id)

    def forget(self) -> None:
        """Drop the in-process cache (tests, and after a key change)."""
        with self._lock:
            self._cache.clear()


class SqlStateStore(OAuthStateStore):
    """OAuth states in ``oauth_state``: issued at /slack/install, consumed once within 10 minutes."""

    def __init__(self, sessions: sessionmaker[Session], expiration_seconds: int = STATE_SECONDS) -> None:
        self.sessions = sessions
        self.expiration_seconds = expiration_seconds

    @property
    def logger(self) -> logging.Logger:
        return logger

    def issue(self, *args: Any, **kwargs: Any) -> str:
        state = secrets.token_urlsafe(32)
        now = dt.datetime.now(dt.UTC)
        with self.sessions.begin() as session:
            session.execute(delete(OAuthState).where(OAuthState.expires_at < now))
            session.add(OAuthState(state=state, expires_at=now + dt.timedelta(seconds=self.expiration_seconds)))
        return state

    def consume(self, state: str) -> bool:
        with self.sessions.begin() as session:
            gone = session.execute(
                delete(OAuthState).where(OAuthState.state == state, OAuthState.expires_at >= dt.datetime.now(dt.UTC))
            )
            return bool(getattr(gone, "rowcount", 0))
