"""Soak: kill the dispatcher with SIGKILL again and again while it delivers; count what was lost or doubled.

A fake Slack (bot/standin.py, in this process) records every ``chat.postMessage``. Reminders are
inserted already due; a worker is started, killed with SIGKILL after a random moment while it is
posting, and started again, ``--kills`` times; then one last worker finishes the rest. Every
reminder must have arrived exactly once: the figures printed are the reminders lost (never
delivered), the duplicates (delivered more than once) and the duplicates per kill.

    .venv/bin/python bench/soak_followups.py [--kills 100] [--count 3000] [--process worker|run]
        [--database-url postgresql://… | --postgres]   (default: SQLite in a temporary folder)
        [--limits]                        (the fake enforces Slack's rate limits; workers pace)
        [--outage 30]                     (PostgreSQL: the database goes away that many seconds,
                                           once, half-way through the kills, mid-delivery)

``--process run`` soaks the single ``python -m bot`` (listener and dispatcher in one process) on
SQLite; ``worker`` the Procfile's ``python -m bot worker``. A kill lands at a random moment within
the first ``--window`` seconds after the worker's first post (so during claims, posts and recording).
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DRAIN_SECONDS = 600.0  # the last worker's time to send what the killed ones left
OWNERS = 200  # people the reminders are for: one DM each
sys.path.insert(0, str(ROOT))

from sqlalchemy.engine import make_url  # noqa: E402

from bot.standin import SlackStandIn  # noqa: E402
from db.migrate import upgrade  # noqa: E402
from db.session import make_engine  # noqa: E402
from tests.support.postgres import fresh_database, postgres_url_for_tests  # noqa: E402
from tests.support.tcp_proxy import TcpProxy  # noqa: E402
from tests.support.workers import count_sent, count_waiting, deliveries_of, insert_due, widen_backlog  # noqa: E402


def start(
    process: str, database_url: str, slack_url: str, port: int, log: Path, limits: bool
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": "xoxb-soak",
        "SLACK_SIGNING_SECRET": "soak-secret",
        "SLACK_API_URL": slack_url,
        "DATABASE_URL": database_url,
        "DISPATCH_INTERVAL": "0.2",
        "PORT": str(port),
        "RAPPORT_PACING": "on" if limits else "off",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("SLACK_APP_TOKEN", None)
    args = [sys.executable, "-m", "bot"] + (["worker"] if process == "worker" else [])
    with open(log, "ab") as output:
        return subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )


def kill(worker: subprocess.Popen[bytes]) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--count", type=int, default=3000)
    parser.add_argument("--window", type=float, default=1.5, help="seconds after start within which to kill")
    parser.add_argument("--process", choices=("worker", "run"), default="worker")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--postgres", action="store_true", help="a throwaway PostgreSQL (TEST_DATABASE_URL or local)")
    parser.add_argument("--limits", action="store_true")
    parser.add_argument("--outage", type=float, default=0.0, help="seconds the database is away (PostgreSQL)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--insert-due", type=int, default=0, help=argparse.SUPPRESS)  # the bench's own use
    options = parser.parse_args()
    if options.insert_due:
        insert_due(make_engine(options.database_url), options.insert_due, owners=OWNERS)
        return 0
    random.seed(options.seed)

    folder = Path(tempfile.mkdtemp(prefix="rapport-soak-"))
    with ExitStack() as stack:
        if options.postgres and not options.database_url:
            server = stack.enter_context(postgres_url_for_tests())
            if server is None:
                print("PostgreSQL is not available")
                return 2
            options.database_url = stack.enter_context(fresh_database(server))
        return soak(options, folder)


def soak(options: argparse.Namespace, folder: Path) -> int:
    database_url = options.database_url or f"sqlite:///{folder / 'soak.db'}"
    engine = make_engine(database_url)
    upgrade(engine)
    proxy = None
    worker_url = database_url
    if options.outage:
        if not database_url.startswith("postgresql"):
            print("--outage needs PostgreSQL (--postgres or --database-url)")
            return 2
        target = make_url(database_url)
        proxy = TcpProxy(target.host or "127.0.0.1", target.port or 5432).start()
        worker_url = target.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    slack = widen_backlog(SlackStandIn(team_id="T1").start())
    if options.limits:
        slack.enforce_limits()
    owners = OWNERS
    for n in range(owners):
        slack.add_user(f"U{100 + n}", tz="Europe/London")
    insert_due(engine, options.count, owners=owners)
    log = folder / "workers.log"
    port = 3700 + random.randrange(200)
    started = time.monotonic()
    kills = 0
    while kills < options.kills and count_sent(engine) < options.count:
        worker = start(options.process, worker_url, slack.url, port, log, options.limits)
        posted = len(slack.calls_to("chat.postMessage"))
        up_by = time.monotonic() + 20
        while len(slack.calls_to("chat.postMessage")) == posted and time.monotonic() < up_by:
            time.sleep(0.01)  # wait until this worker is posting: the kill must land mid-delivery
        time.sleep(random.uniform(0.0, options.window))
        if proxy is not None and kills == options.kills // 2:
            sent_before = count_sent(engine)
            proxy.cut()
            print(f"  database away for {options.outage:.0f} s (worker left running)", flush=True)
            time.sleep(options.outage)
            proxy.restore()
            alive = worker.poll() is None
            more_by = time.monotonic() + 60
            while count_sent(engine) <= sent_before and time.monotonic() < more_by:
                time.sleep(0.1)
            print(f"  database back; worker {'still running' if alive else 'EXITED'}, delivering again", flush=True)
        kill(worker)
        kills += 1
        if kills % 10 == 0:
            print(f"  {kills} kills, {count_sent(engine)} of {options.count} delivered", flush=True)
        if count_sent(engine) >= options.count and kills < options.kills:
            # Everything is out: add more due work so every kill lands during delivery.
            # From another process: the fake Slack answers in this one, and the seconds of Python
            # this takes would stall it; posts sent a second apart would then reach it together and
            # be counted as a burst over the limit.
            subprocess.run(
                [sys.executable, __file__, "--insert-due", str(options.count), "--database-url", database_url],
                check=True,
            )
            options.count *= 2
    final = start(options.process, worker_url, slack.url, port, log, options.limits)
    deadline = time.monotonic() + DRAIN_SECONDS
    while count_sent(engine) < options.count and time.monotonic() < deadline:
        time.sleep(0.5)
    time.sleep(1.0)  # let the last records land
    kill(final)
    counts = deliveries_of(call.args for call in slack.calls_to("chat.postMessage") if call not in slack.rate_limited)
    delivered = count_sent(engine)
    # Not posted: still scheduled when the drain's time ran out (waiting, e.g. for DM history
    # checks under Tier 3 after many kills) vs lost (not posted and no longer waiting either).
    waiting = count_waiting(engine)
    lost = options.count - len(counts) - waiting
    duplicates = sum(n - 1 for n in counts.values() if n > 1)
    elapsed = time.monotonic() - started
    print(
        f"process: {options.process}  database: {database_url.split(':')[0]}  limits: {options.limits}"
        f"  outage: {options.outage:.0f} s"
    )
    print(f"reminders: {options.count}  marked sent: {delivered}  kills (SIGKILL): {kills}  time: {elapsed:.0f} s")
    print(
        f"lost: {lost}  still waiting to go out after the {DRAIN_SECONDS:.0f} s drain: {waiting}"
        f"  duplicates: {duplicates}  duplicates per kill: {duplicates / max(kills, 1):.3f}"
    )
    print(f"429 answers: {len(slack.rate_limited)}  calls before Retry-After: {len(slack.early_calls)}")
    if slack.rate_limited or slack.early_calls:
        by_method = Counter(call.method for call in slack.rate_limited)
        early = Counter(call.method for call in slack.early_calls)
        print("  by method: " + ", ".join(f"{m} {by_method[m]} (early {early[m]})" for m in sorted(by_method | early)))
    print(f"worker log: {log}")
    slack.stop()
    if proxy is not None:
        proxy.stop()
    return 0 if lost == 0 and waiting == 0 and duplicates <= kills else 1


if __name__ == "__main__":
    raise SystemExit(main())
