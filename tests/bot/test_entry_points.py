"""`python -m bot` as an operator runs it: health within seconds, clear one-line failures."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.support.slack_requests import SlackSender

ROOT = Path(__file__).resolve().parents[2]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL", "PORT", "TRANSLATOR"))}
    env.update(extra)
    return env


def _app_env(slack, tmp_path: Path, port: int, **extra: str) -> dict[str, str]:
    """Settings for `python -m bot` on the fake Slack and a SQLite file in ``tmp_path``."""
    return _env(
        SLACK_BOT_TOKEN="xoxb-1",
        SLACK_SIGNING_SECRET="sekrit",
        SLACK_API_URL=slack.url,
        PORT=str(port),
        DATABASE_URL=f"sqlite:///{tmp_path / 'app.db'}",
        **extra,
    )


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
        ({"LOG_FORMAT": "xml"}, "LOG_FORMAT"),
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
    env = _app_env(slack, tmp_path, port)
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
        sender = SlackSender(
            f"http://127.0.0.1:{port}/slack/events", "sekrit", response_url_base=slack.base, on_ack=slack.show_ack
        )
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
        sender = SlackSender(
            f"http://127.0.0.1:{port}/slack/events", "sekrit", response_url_base=slack.base, on_ack=slack.show_ack
        )
        assert sender.command("/rapport", "help").status == 200
        slack.wait_for("response")
    finally:
        process.terminate()
        process.wait(timeout=20)


def _procfile_command(process: str) -> str:
    for line in (ROOT / "Procfile").read_text().splitlines():
        name, _, command = line.partition(":")
        if name.strip() == process:
            return command.strip()
    raise AssertionError(f"no {process} process in the Procfile")


def _run_procfile(process: str, env: dict[str, str], timeout: float) -> tuple[int, str]:
    """Run a Procfile line as a platform does (``sh -c``, the venv's tools on PATH); (status, output)."""
    env = {**env, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"}
    process_ = subprocess.Popen(
        ["sh", "-c", _procfile_command(process)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = process_.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process_.pid, signal.SIGKILL)
        output, _ = process_.communicate()
        raise AssertionError(f"`{process}` still running after {timeout} s:\n{output[-3000:]}") from None
    return process_.returncode, output


@pytest.mark.parametrize(
    ("extra", "variable"),
    [
        ({}, "SLACK_BOT_TOKEN"),
        # gunicorn serves /slack/events over HTTP even when SLACK_APP_TOKEN is set: it needs the secret
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"}, "SLACK_SIGNING_SECRET"),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "LOG_FORMAT": "xml"}, "LOG_FORMAT"),
    ],
)
def test_procfile_web_stops_on_a_bad_setting_with_one_line(extra, variable, tmp_path):
    """gunicorn reboots a worker that exits with 2 forever; the app must make the master stop."""
    env = _env(PORT=str(_free_port()), DATABASE_URL=f"sqlite:///{tmp_path / 'w.db'}", **extra)
    env.pop("WEB_CONCURRENCY", None)  # the Procfile's default of two workers: both fail, one may say so
    status, output = _run_procfile("web", env, timeout=15)
    assert status != 0
    assert "Traceback" not in output, output
    lines = [line for line in output.splitlines() if variable in line]
    assert len(lines) == 1, output
    assert lines[0].startswith("rapport: ")


def test_procfile_web_keeps_running_while_the_database_is_away(tmp_path):
    """A database that cannot be used ends the worker, not gunicorn: it is started again, so a
    database briefly away when one worker restarts does not take the healthy ones down."""
    env = _env(
        PORT=str(_free_port()),
        SLACK_BOT_TOKEN="xoxb-1",
        SLACK_SIGNING_SECRET="s",
        DATABASE_URL=f"postgresql://nobody@127.0.0.1:{_free_port()}/none",  # nothing listens there
        WEB_CONCURRENCY="1",
    )
    with pytest.raises(AssertionError, match="still running") as running:
        _run_procfile("web", env, timeout=8)
    output = str(running.value)
    assert "rapport: " in output and "DATABASE_URL" in output
    assert "Traceback" not in output


def test_socket_mode_with_a_refused_app_token_is_one_line(slack, tmp_path):
    slack.fail("apps.connections.open", error="invalid_auth")
    env = _env(
        SLACK_BOT_TOKEN="xoxb-1",
        SLACK_APP_TOKEN="xapp-1-revoked",
        SLACK_API_URL=slack.url,
        PORT=str(_free_port()),
        DATABASE_URL=f"sqlite:///{tmp_path / 's.db'}",
    )
    result = _run(env=env, timeout=60)
    assert [call.args.get("token") for call in slack.calls_to("apps.connections.open")] == ["xapp-1-revoked"]
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "SLACK_APP_TOKEN" in lines[0] and "invalid_auth" in lines[0]


def test_the_worker_needs_no_signing_secret(slack, tmp_path):
    """A dispatcher only posts to Slack; it never verifies a request (CONTRACT: Environment)."""
    env = _env(
        SLACK_BOT_TOKEN="xoxb-1",
        SLACK_API_URL=slack.url,
        DATABASE_URL=f"sqlite:///{tmp_path / 'd.db'}",
        DISPATCH_INTERVAL="0.2",
    )
    log = tmp_path / "worker.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "worker"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 30
        while "dispatcher ticking" not in log.read_text() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)  # a few ticks
        assert process.poll() is None, log.read_text()
    finally:
        process.terminate()
        process.wait(timeout=20)
    assert process.returncode == 0, log.read_text()
    assert "SLACK_SIGNING_SECRET" not in log.read_text() and "Traceback" not in log.read_text()


def test_the_worker_still_needs_the_bot_token(tmp_path):
    result = _run("worker", env=_env(DATABASE_URL=f"sqlite:///{tmp_path / 'd.db'}"))
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "SLACK_BOT_TOKEN" in lines[0]


def test_with_oauth_and_no_bot_token_python_m_bot_serves_the_install_page(slack, tmp_path):
    from cryptography.fernet import Fernet

    port = _free_port()
    env = _env(
        SLACK_CLIENT_ID="111.222",
        SLACK_CLIENT_SECRET="client-secret",
        SLACK_SIGNING_SECRET="sekrit",
        RAPPORT_SECRET_KEY=Fernet.generate_key().decode(),
        SLACK_API_URL=slack.url,
        PORT=str(port),
        DATABASE_URL=f"sqlite:///{tmp_path / 'app.db'}",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "bot"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        deadline = time.monotonic() + 15
        page = ""
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/slack/install", timeout=1) as response:
                    page = response.read().decode()
                    break
            except OSError:
                time.sleep(0.1)
        assert "slack.com/oauth/v2/authorize" in page and "client_id=111.222" in page
    finally:
        process.terminate()
        process.wait(timeout=20)
    assert process.returncode == 0


@pytest.mark.parametrize("key", ["", "short", "A" * 44])
def test_oauth_with_a_missing_or_malformed_key_stops_with_one_line(key, tmp_path):
    env = _env(
        SLACK_CLIENT_ID="111.222",
        SLACK_CLIENT_SECRET="client-secret",
        SLACK_SIGNING_SECRET="sekrit",
        RAPPORT_SECRET_KEY=key,
        DATABASE_URL=f"sqlite:///{tmp_path / 'd.db'}",
    )
    result = _run(env=env)
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "RAPPORT_SECRET_KEY" in lines[0], result.stderr


_TGKILL = {"x86_64": 234, "aarch64": 131}.get(os.uname().machine)


@pytest.mark.skipif(_TGKILL is None or not sys.platform.startswith("linux"), reason="tgkill numbers known on Linux")
@pytest.mark.parametrize("process_name", ["run", "worker"])
def test_a_sigterm_that_lands_on_another_thread_still_stops_the_process(process_name, slack, tmp_path):
    """Linux may hand a process's SIGTERM to any of its threads; the process stops all the same
    (an untimed wait in the main thread slept through it and the process never ended)."""
    import ctypes

    env = _app_env(slack, tmp_path, _free_port(), DISPATCH_INTERVAL="0.2")
    log = tmp_path / "output.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", process_name], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 30
        while "dispatcher ticking" not in log.read_text() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)
        threads = sorted(int(tid) for tid in os.listdir(f"/proc/{process.pid}/task") if int(tid) != process.pid)
        assert threads, "the process has no other thread"
        libc = ctypes.CDLL(None, use_errno=True)
        assert libc.syscall(_TGKILL, process.pid, threads[-1], signal.SIGTERM) == 0
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, log.read_text()
