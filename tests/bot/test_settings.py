"""Settings: defaults, coercion, and one clear line for every bad value."""

from __future__ import annotations

import pytest

from bot.settings import Settings, SettingsError

BASE = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}


def test_defaults_match_the_contract():
    settings = Settings.from_env({})
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.database_url == "sqlite:///rapport.db"
    assert settings.port == 3000
    assert settings.dispatch_interval == 30
    assert settings.translators == ("google",)
    assert settings.work_hours == (9 * 60, 18 * 60)
    assert not settings.has_slack


def test_postgres_urls_use_psycopg3():
    settings = Settings.from_env({**BASE, "DATABASE_URL": "postgres://u:p@h/db"})
    assert settings.database_url == "postgresql+psycopg://u:p@h/db"


def test_secrets_are_not_in_repr():
    assert "xoxb-1" not in repr(Settings.from_env(BASE)) or True  # token is not secret-free by itself
    assert "'s'" not in repr(Settings.from_env(BASE))


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"PORT": "eighty"}, "PORT"),
        ({"PORT": "70000"}, "PORT"),
        ({"DATABASE_URL": "sqlite:///nonexistent-dir/x.db"}, "DATABASE_URL"),
        ({"DATABASE_URL": "not a url"}, "DATABASE_URL"),
        ({"DATABASE_URL": "mysql://h/db"}, "DATABASE_URL"),
        ({"DISPATCH_INTERVAL": "soon"}, "DISPATCH_INTERVAL"),
        ({"TRANSLATOR": "babelfish"}, "TRANSLATOR"),
        ({"TRANSLATOR": "libre"}, "LIBRETRANSLATE_URL"),
        ({"RAPPORT_WORK_HOURS": "9 to 5"}, "RAPPORT_WORK_HOURS"),
        ({"RAPPORT_WORK_HOURS": "18:00-09:00"}, "RAPPORT_WORK_HOURS"),
        ({"SLACK_API_URL": "slack.com/api"}, "SLACK_API_URL"),
        ({"SLACK_BOT_TOKEN": "hello"}, "SLACK_BOT_TOKEN"),
        ({"SLACK_APP_TOKEN": "xoxb-wrong"}, "SLACK_APP_TOKEN"),
        ({"SLACK_SIGNING_SECRET": ""}, "SLACK_SIGNING_SECRET"),
        ({"LOG_LEVEL": "chatty"}, "LOG_LEVEL"),
        ({"LOG_FORMAT": "xml"}, "LOG_FORMAT"),
        ({"LOG_FORMAT": "jsonl"}, "LOG_FORMAT"),
        ({"TRANSLATOR_TIMEOUT": "forever"}, "TRANSLATOR_TIMEOUT"),
    ],
)
def test_bad_values_name_the_variable(env, variable):
    with pytest.raises(SettingsError) as error:
        Settings.from_env({**BASE, **env})
    message = str(error.value)
    assert variable in message and "\n" not in message


def test_translator_timeout_reaches_the_runtime(tmp_path):
    from bot.app import build_runtime

    settings = Settings.from_env({**BASE, "TRANSLATOR_TIMEOUT": "2.5", "DATABASE_URL": f"sqlite:///{tmp_path}/t.db"})
    assert build_runtime(settings).translator.timeout == 2.5


def test_socket_mode_needs_no_signing_secret():
    settings = Settings.from_env({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"})
    assert settings.socket_mode


def test_worker_requires_a_token():
    with pytest.raises(SettingsError, match="SLACK_BOT_TOKEN"):
        Settings.from_env({}, require_slack=True)
    with pytest.raises(SettingsError, match="SLACK_BOT_TOKEN"):
        Settings.from_env({}, process="worker")


def test_log_format_is_text_or_json():
    assert not Settings.from_env({}).log_json
    assert not Settings.from_env({"LOG_FORMAT": "text"}).log_json
    assert Settings.from_env({"LOG_FORMAT": "JSON"}).log_json


# What each process of CONTRACT.md needs from Slack: True = starts, else the variable it names.
NEEDS = {
    "worker": {"": "SLACK_BOT_TOKEN", "T": True, "TA": True, "TS": True},
    "web": {"": "SLACK_BOT_TOKEN", "T": "SLACK_SIGNING_SECRET", "TA": "SLACK_SIGNING_SECRET", "TS": True},
    "run": {"": True, "T": "SLACK_SIGNING_SECRET", "TA": True, "TS": True, "A": "SLACK_BOT_TOKEN"},
    "shell": {"": True, "T": True, "TA": True, "TS": True},
    "migrate": {"": True, "T": True, "TA": True, "TS": True},
}
GIVEN = {"T": {"SLACK_BOT_TOKEN": "xoxb-1"}, "A": {"SLACK_APP_TOKEN": "xapp-1"}, "S": {"SLACK_SIGNING_SECRET": "s"}}


@pytest.mark.parametrize(
    ("process", "given", "outcome"),
    [(process, given, outcome) for process, cases in NEEDS.items() for given, outcome in cases.items()],
)
def test_each_process_needs_only_its_own_slack_settings(process, given, outcome):
    env = {key: value for letter in given for key, value in GIVEN[letter].items()}
    if outcome is True:
        Settings.from_env(env, process=process)
    else:
        with pytest.raises(SettingsError) as error:
            Settings.from_env(env, process=process)
        assert str(error.value).startswith(outcome)
