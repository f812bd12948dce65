"""`python -m bot` as an operator runs it: health within seconds, clear one-line failures."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.slack_requests import SlackSender

ROOT = Path(__file__).resolve().parents[2]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL", "PORT", "TRANSLATOR"))}
    env.update(extra)
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(*args: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


@pytest.mark.parametrize(
    ("extra", "variable"),
    [
        ({"DATABASE_URL": "sqlite:///nonexistent-dir/x.db"}, "DATABASE_URL"),
        ({"PORT": "http"}, "PORT"),
    ],
)
def test_bad_settings_exit_non_zero_with_one_line(extra, variable, tmp_path):
    env = _env(SLACK_BOT_TOKEN="xoxb-1", SLACK_SIGNING_SECRET="s", **extra)
    result = _run(env=env)
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and variable in lines[0]
    assert "Traceback" not in result.stderr + result.stdout


def test_unreachable_postgres_is_one_line(tmp_path):
    env = _env(
        SLACK_BOT_TOKEN="xoxb-1",
        SLACK_SIGNING_SECRET="s",
        DATABASE_URL=f"postgresql://nobody@127.0.0.1:{_free_port()}/none",
    )
    result = _run("migrate", env=env)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "DATABASE_URL" in result.stderr


def test_migrate_is_idempotent(tmp_path):
    env = _env(DATABASE_URL=f"sqlite:///{tmp_path / 'm.db'}")
    for _ in range(2):
        result = _run("migrate", env=env)
        assert result.returncode == 0, result.stderr
        assert "up to date" in result.stdout


def test_http_mode_serves_health_and_verifies_signatures(slack, tmp_path):
    port = _free_port()
    env = _env(
        SLACK_BOT_TOKEN="xoxb-1",
        SLACK_SIGNING_SECRET="sekrit",
        SLACK_API_URL=slack.url,
        PORT=str(port),
        DATABASE_URL=f"sqlite:///{tmp_path / 'app.db'}",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "bot"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        deadline = time.monotonic() + 15
        status = None
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
                    status = response.status
                    break
            except OSError:
                time.sleep(0.1)
        assert status == 200
        sender = SlackSender(f"http://127.0.0.1:{port}/slack/events", "sekrit", response_url_base=slack.base)
        assert sender.command("/rapport", "help").status == 200
        [answer] = slack.wait_for("response")
        assert "/contact" in answer.args["text"]
        assert sender.command("/rapport", "help", signature="v0=0").status == 401
    finally:
        process.terminate()
        process.wait(timeout=20)
    assert process.returncode == 0


def test_without_tokens_it_starts_the_console_and_says_so(tmp_path):
    env = _env(DATABASE_URL=f"sqlite:///{tmp_path / 'c.db'}")
    result = subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=ROOT,
        env=env,
        input="/rapport help\nquit\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "console" in result.stdout
    assert "/followup" in result.stdout


def test_procfile_web_serves_with_gunicorn(slack, tmp_path):
    procfile = (ROOT / "Procfile").read_text()
    assert "gunicorn" in procfile and "bot.wsgi:application()" in procfile
    assert "worker: python -m bot worker" in procfile and "release: python -m bot migrate" in procfile
    port = _free_port()
    env = _env(
        SLACK_BOT_TOKEN="xoxb-1",
        SLACK_SIGNING_SECRET="sekrit",
        SLACK_API_URL=slack.url,
        DATABASE_URL=f"sqlite:///{tmp_path / 'g.db'}",
    )
    gunicorn = Path(sys.executable).parent / "gunicorn"
    process = subprocess.Popen(
        [str(gunicorn), "--workers", "1", "--threads", "4", "--bind", f"127.0.0.1:{port}", "bot.wsgi:application()"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        status = None
        while time.monotonic() < deadline and status is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
                    status = response.status
            except OSError:
                time.sleep(0.2)
        assert status == 200
        sender = SlackSender(f"http://127.0.0.1:{port}/slack/events", "sekrit", response_url_base=slack.base)
        assert sender.command("/rapport", "help").status == 200
        slack.wait_for("response")
    finally:
        process.terminate()
        process.wait(timeout=20)
