"""Settings, read once from the environment (the only module that reads it)."""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlparse

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

KNOWN_TRANSLATORS = ("google", "libre", "mymemory", "deepl", "microsoft")
PROCESSES = ("run", "web", "worker", "shell", "migrate")
_HOURS = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")


class SettingsError(Exception):
    """A missing or malformed setting; the message names the variable and the fix."""


@dataclass(frozen=True)
class Settings:
    """Everything the process needs from its environment, validated."""

    slack_bot_token: str | None = None
    slack_signing_secret: str | None = field(default=None, repr=False)
    slack_app_token: str | None = field(default=None, repr=False)
    slack_api_url: str = "https://slack.com/api/"
    # OAuth (distribution to any number of workspaces): on when the client id and secret are set.
    slack_client_id: str | None = None
    slack_client_secret: str | None = field(default=None, repr=False)
    slack_scopes: tuple[str, ...] = ()
    slack_redirect_uri: str | None = None
    secret_key: str | None = field(default=None, repr=False)  # RAPPORT_SECRET_KEY: Fernet key for tokens at rest
    database_url: str = "sqlite:///rapport.db"
    port: int = 3000
    dispatch_interval: float = 30.0
    translators: tuple[str, ...] = ("google",)
    libretranslate_url: str | None = None
    libretranslate_api_key: str | None = field(default=None, repr=False)
    deepl_api_key: str | None = field(default=None, repr=False)
    microsoft_translator_key: str | None = field(default=None, repr=False)
    translator_timeout: float = 8.0
    work_hours: tuple[int, int] = (9 * 60, 18 * 60)
    log_level: str = "INFO"
    log_json: bool = False
    pacing: bool = True  # RAPPORT_PACING=off: call Slack as fast as it answers (tests, benches)

    @property
    def oauth(self) -> bool:
        """True when Rapport is installed through Slack's OAuth flow (per-workspace tokens in the database)."""
        return bool(self.slack_client_id and self.slack_client_secret)

    @property
    def has_slack(self) -> bool:
        """True when a Slack bot token or OAuth is configured (otherwise: console mode)."""
        return bool(self.slack_bot_token) or self.oauth

    @property
    def socket_mode(self) -> bool:
        return bool(self.slack_app_token)

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, *, process: str = "run", require_slack: bool = False
    ) -> Settings:
        """Build settings from ``env`` (default ``os.environ``); raise SettingsError on bad values.

        ``process`` says which Slack settings must be present (values given are always checked):

        - ``run`` (``python -m bot``): none for the console; with a token, the signing secret
          too unless ``SLACK_APP_TOKEN`` selects Socket Mode (``require_slack`` demands the token);
        - ``web`` (the Procfile's gunicorn): the bot token and the signing secret, since it serves
          ``/slack/events`` over HTTP whatever ``SLACK_APP_TOKEN`` says;
        - ``worker``: the bot token only; a dispatcher posts to Slack but never receives requests;
        - ``shell``, ``migrate``: nothing from Slack.
        """
        if process not in PROCESSES:
            raise ValueError(f"unknown process {process!r}")
        env = os.environ if env is None else env

        def get(name: str) -> str | None:
            value = env.get(name)
            return value.strip() if value and value.strip() else None

        token = get("SLACK_BOT_TOKEN")
        secret = get("SLACK_SIGNING_SECRET")
        app_token = get("SLACK_APP_TOKEN")
        client_id, client_secret = get("SLACK_CLIENT_ID"), get("SLACK_CLIENT_SECRET")
        if bool(client_id) != bool(client_secret):
            missing = "SLACK_CLIENT_SECRET" if client_id else "SLACK_CLIENT_ID"
            raise SettingsError(f"{missing} is missing: OAuth needs both SLACK_CLIENT_ID and SLACK_CLIENT_SECRET")
        oauth = bool(client_id)
        secret_key = get("RAPPORT_SECRET_KEY")
        if oauth and process != "migrate":
            _check_secret_key(secret_key)
        if token and not token.startswith("xox"):
            raise SettingsError("SLACK_BOT_TOKEN must be a bot token starting with 'xoxb-' (see your app's OAuth page)")
        if app_token and not app_token.startswith("xapp-"):
            raise SettingsError(
                "SLACK_APP_TOKEN must be an app-level token starting with 'xapp-' (or unset it for HTTP mode)"
            )
        slack_wanted = process == "run" and bool(require_slack or token or app_token or oauth)
        if (slack_wanted or process in ("web", "worker")) and not token and not oauth:
            raise SettingsError("SLACK_BOT_TOKEN is missing: set it to your app's bot token (xoxb-…)")
        if process == "web" and not secret:
            raise SettingsError(
                "SLACK_SIGNING_SECRET is missing: the web process verifies every request with it "
                "(your app's Basic Information page)"
            )
        if slack_wanted and not app_token and not secret:
            raise SettingsError(
                "SLACK_SIGNING_SECRET is missing: set it to your app's signing secret "
                "(Basic Information page), or set SLACK_APP_TOKEN for Socket Mode"
            )

        api_url = get("SLACK_API_URL") or "https://slack.com/api/"
        parsed = urlparse(api_url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise SettingsError(f"SLACK_API_URL must be an http(s) URL such as https://slack.com/api/, not {api_url!r}")
        if not api_url.endswith("/"):
            api_url += "/"

        translators = _translators(get("TRANSLATOR"))
        needs = {"libre": "LIBRETRANSLATE_URL", "deepl": "DEEPL_API_KEY", "microsoft": "MICROSOFT_TRANSLATOR_KEY"}
        for name, variable in needs.items():
            if name in translators and not get(variable):
                raise SettingsError(f"{variable} is missing: TRANSLATOR={name} needs it (or choose another TRANSLATOR)")

        return cls(
            slack_bot_token=token,
            slack_signing_secret=secret,
            slack_app_token=app_token,
            slack_api_url=api_url,
            slack_client_id=client_id,
            slack_client_secret=client_secret,
            slack_scopes=_scopes(get("SLACK_SCOPES")),
            slack_redirect_uri=_redirect_uri(get("SLACK_REDIRECT_URI")),
            secret_key=secret_key,
            database_url=_database_url(get("DATABASE_URL") or "sqlite:///rapport.db"),
            port=_port(get("PORT")),
            dispatch_interval=_interval(get("DISPATCH_INTERVAL")),
            translators=translators,
            libretranslate_url=get("LIBRETRANSLATE_URL"),
            libretranslate_api_key=get("LIBRETRANSLATE_API_KEY"),
            deepl_api_key=get("DEEPL_API_KEY"),
            microsoft_translator_key=get("MICROSOFT_TRANSLATOR_KEY"),
            translator_timeout=_seconds(get("TRANSLATOR_TIMEOUT"), "TRANSLATOR_TIMEOUT", 8.0, 0.5, 60),
            work_hours=parse_work_hours(get("RAPPORT_WORK_HOURS") or "09:00-18:00", "RAPPORT_WORK_HOURS"),
            log_level=_log_level(get("LOG_LEVEL")),
            log_json=_log_json(get("LOG_FORMAT")),
            pacing=_on_off(get("RAPPORT_PACING"), "RAPPORT_PACING"),
        )


#: The bot scopes of manifest.yml, asked for when SLACK_SCOPES is not set.
DEFAULT_SCOPES = (
    "commands",
    "chat:write",
    "chat:write.public",
    "im:write",
    "im:history",
    "users:read",
    "channels:read",
    "groups:read",
    "channels:join",
    "channels:history",
    "groups:history",
    "mpim:history",
    "reactions:read",
    "team:read",
    "files:write",
    "files:read",
)


def _scopes(value: str | None) -> tuple[str, ...]:
    if not value:
        return DEFAULT_SCOPES
    scopes = tuple(part for part in (p.strip() for p in value.replace(" ", ",").split(",")) if part)
    for scope in scopes:
        if not all(c.isalnum() or c in ":._-" for c in scope):
            raise SettingsError(f"SLACK_SCOPES must be comma-separated scopes such as chat:write, not {scope!r}")
    return scopes


def _redirect_uri(value: str | None) -> str | None:
    if value is None:
        return None
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise SettingsError(f"SLACK_REDIRECT_URI must be an https URL ending in /slack/oauth_redirect, not {value!r}")
    return value


def _check_secret_key(value: str | None) -> None:
    """RAPPORT_SECRET_KEY must be a Fernet key: urlsafe base64 of 32 bytes (``Fernet.generate_key()``)."""
    hint = (
        'generate one with: python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
    )
    if not value:
        raise SettingsError(f"RAPPORT_SECRET_KEY is missing: OAuth stores workspace tokens encrypted with it; {hint}")
    try:
        raw = base64.urlsafe_b64decode(value.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        raw = b""
    if len(raw) != 32 or len(value) != 44:
        raise SettingsError(f"RAPPORT_SECRET_KEY is not a Fernet key (urlsafe base64 of 32 bytes); {hint}")


def parse_work_hours(text: str, variable: str = "hours") -> tuple[int, int]:
    """Parse ``HH:MM-HH:MM`` into minutes since midnight (start, end)."""
    match = _HOURS.match(text.strip())
    if not match:
        raise SettingsError(f"{variable} must look like 09:00-18:00, not {text!r}")
    start = int(match[1]) * 60 + int(match[2])
    end = int(match[3]) * 60 + int(match[4])
    if end > 24 * 60 or end <= start:
        raise SettingsError(f"{variable} must end after it starts and by 24:00, not {text!r}")
    return start, end


def _database_url(url: str) -> str:
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://") :]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise SettingsError(
            f"DATABASE_URL is not a database URL: {url!r} (e.g. sqlite:///rapport.db or postgresql://user@host/db)"
        ) from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise SettingsError(f"DATABASE_URL must be a sqlite:/// or postgresql:// URL, not {parsed.get_backend_name()}")
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        folder = os.path.dirname(os.path.abspath(parsed.database))
        if not os.path.isdir(folder):
            raise SettingsError(f"DATABASE_URL points into a folder that does not exist: {folder} (create it first)")
    return url


def _port(value: str | None) -> int:
    if value is None:
        return 3000
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise SettingsError(f"PORT must be a number from 1 to 65535, not {value!r}")
    return int(value)


def _seconds(value: str | None, variable: str, default: float, low: float, high: float) -> float:
    if value is None:
        return default
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not low <= seconds <= high:
        raise SettingsError(f"{variable} must be a number of seconds from {low:g} to {high:g}, not {value!r}")
    return seconds


def _interval(value: str | None) -> float:
    if value is None:
        return 30.0
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0.05 <= seconds <= 3600:
        raise SettingsError(f"DISPATCH_INTERVAL must be a number of seconds from 0.05 to 3600, not {value!r}")
    return seconds


def _translators(value: str | None) -> tuple[str, ...]:
    names = tuple(n.strip().lower() for n in (value or "google").split(",") if n.strip())
    unknown = [n for n in names if n not in KNOWN_TRANSLATORS]
    if not names or unknown:
        raise SettingsError(
            f"TRANSLATOR must be one or more of {', '.join(KNOWN_TRANSLATORS)} separated by commas, not {value!r}"
        )
    return names


def _log_level(value: str | None) -> str:
    level = (value or "INFO").upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        raise SettingsError(f"LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL, not {value!r}")
    return level


def _log_json(value: str | None) -> bool:
    """LOG_FORMAT: ``text`` (default) or ``json`` (one JSON object per line)."""
    fmt = (value or "text").lower()
    if fmt not in ("text", "json"):
        raise SettingsError(f"LOG_FORMAT must be text or json, not {value!r}")
    return fmt == "json"


def _on_off(value: str | None, variable: str) -> bool:
    if value is None or value.lower() in ("on", "1", "true", "yes"):
        return True
    if value.lower() in ("off", "0", "false", "no"):
        return False
    raise SettingsError(f"{variable} must be on or off, not {value!r}")
