"""Benchmark: delivering due follow-ups from PostgreSQL into a local fake Slack Web API.

Side by side:

* **Rapport's dispatcher** — reminders are rows; ``python -m bot worker`` processes claim them
  with ``FOR UPDATE SKIP LOCKED`` and post them — with 1 and with 2 workers;
* **one APScheduler job per reminder** — the same reminders added as date-triggered jobs to an
  ``SQLAlchemyJobStore`` on the same PostgreSQL, fired by one ``BackgroundScheduler`` whose job
  posts the same message through the same Web API client (8 threads, like a worker's posters).

For each: the time to schedule every reminder (one transaction per reminder, as a slash command
would), and the time to deliver them all once due, with deliveries per second. The fake Slack runs
in its own process and checks that every reminder arrived exactly once: a lean aiohttp server by
default, or tests' stand-in (bot/standin.py) with ``--fake standin``; both designs use the same one.

Throughput on a small machine is bounded by its cores, which the sender, PostgreSQL and the fake
Slack share; so each run also prints the CPU time spent per delivery (from /proc, counted from the
first delivery to the last): by the sending processes (workers, or the APScheduler process), by
PostgreSQL, and by the fake Slack. That cost, unlike deliveries per second, does not depend on how
many cores the three have to share.

    .venv/bin/python bench/bench_followups.py [--count 100000] [--apscheduler-count N] [--fake lean|standin]

PostgreSQL: ``--database-url`` / ``TEST_DATABASE_URL``, else a throwaway cluster is started
(tests/postgres.py). Targets (issue 4): ≥ 500 deliveries/s with one worker, more with two, and
≥ 10× the one-job-per-reminder design.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing as mp
import os
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any, cast

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, Table, insert, text  # noqa: E402

from db.migrate import upgrade  # noqa: E402
from db.models.followups import FollowUp  # noqa: E402
from db.session import make_engine  # noqa: E402
from tests.support.postgres import fresh_database, postgres_url_for_tests  # noqa: E402
from tests.support.workers import count_sent, insert_due, start_worker, stop  # noqa: E402

OWNERS = 200
#: The fakes answer at once and keep no rate limits: both designs call Slack as fast as it answers.
NO_LIMITS = {"RAPPORT_PACING": "off"}
POSTERS = 8
CLIENTS = [
    ("Müller Maschinenbau", "DE", "Europe/Berlin"),
    ("Tanaka Trading", "JP", "Asia/Tokyo"),
    ("Al Noor Trading", "SA", "Asia/Riyadh"),
]  # as tests/followups/workers.insert_due creates them


# --------------------------------------------------------------------------------------------
# The fake Slack, in its own process (so its CPU is not ours), counting deliveries per reminder


def _stats(state: dict[str, Any]) -> dict[str, Any]:
    """What a fake counted: posts, reminders that arrived, those that arrived twice, first and last."""
    per = state["per"]
    return {
        "posts": state["posts"],
        "distinct": len(per),
        "twice": sum(1 for n in per.values() if n > 1),
        "first": state["first"],
        "last": state["last"],
    }


def _fake_slack(conn: Any) -> None:
    from bot.standin import SlackStandIn

    standin = SlackStandIn(team_id="T1")
    standin._server.socket.listen(512)  # socketserver's backlog of 5 would stall concurrent posters
    lock = threading.Lock()
    state: dict[str, Any] = {"per": {}, "first": None, "last": None, "posts": 0}

    def count(call: Any) -> None:
        if call.method != "chat.postMessage":
            return
        payload = ((call.args.get("metadata") or {}).get("event_payload")) or {}
        key = payload.get("followup")
        with lock:
            state["posts"] += 1
            state["first"] = state["first"] or call.at
            state["last"] = call.at
            if key is not None:
                state["per"][key] = state["per"].get(key, 0) + 1

    standin.listeners.append(count)
    standin.start()
    conn.send(standin.url)
    while True:
        command = conn.recv()
        if command == "stats":
            with lock:
                conn.send(_stats(state))
        elif command == "reset":
            with lock:
                state.update(per={}, first=None, last=None, posts=0)
            with standin._lock:
                standin.calls.clear()
            standin.messages.clear()
            conn.send("ok")
        elif command == "stop":
            standin.stop()
            conn.send("ok")
            return


def _lean_fake_slack(conn: Any) -> None:
    """The same answers and counts as ``_fake_slack`` from an aiohttp server on one asyncio loop:
    about a third of the stand-in's CPU per call (its thread per connection and
    ``BaseHTTPRequestHandler`` parsing), which on a 2-core machine is taken from the sender."""
    import asyncio
    import json

    from aiohttp import web

    state: dict[str, Any] = {"per": {}, "first": None, "last": None, "posts": 0, "ts": 0}
    channels: dict[str, str] = {}

    def dm(user: str) -> str:
        return channels.setdefault(user, f"D{len(channels) + 1:08d}")

    async def post_message(request: web.Request) -> web.Response:
        body = json.loads(await request.read())
        now = time.time()
        key = ((body.get("metadata") or {}).get("event_payload") or {}).get("followup")
        state["posts"] += 1
        state["first"] = state["first"] or now
        state["last"] = now
        if key is not None:
            state["per"][key] = state["per"].get(key, 0) + 1
        state["ts"] += 1
        channel = str(body.get("channel") or "")
        if channel.startswith("U"):
            channel = dm(channel)  # posted to a user id: Slack answers with their DM's id
        return web.json_response({"ok": True, "channel": channel, "ts": f"{int(now)}.{state['ts']:06d}"})

    async def conversations_open(request: web.Request) -> web.Response:
        form = await request.post()
        users = str(form.get("users") or "")
        if not users and request.content_type == "application/json":
            users = str((await request.json()).get("users") or "")
        return web.json_response({"ok": True, "channel": {"id": dm(users.split(",")[0])}})

    async def serve() -> None:
        app = web.Application(client_max_size=4 * 1024 * 1024)
        app.router.add_post("/api/chat.postMessage", post_message)
        app.router.add_post("/api/conversations.open", conversations_open)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, backlog=512)
        await site.start()
        port = runner.addresses[0][1]
        conn.send(f"http://127.0.0.1:{port}/api/")
        loop = asyncio.get_running_loop()
        while True:
            command = await loop.run_in_executor(None, conn.recv)
            if command == "stats":
                conn.send(_stats(state))
            elif command == "reset":
                state.update(per={}, first=None, last=None, posts=0)
                conn.send("ok")
            elif command == "stop":
                await runner.cleanup()
                conn.send("ok")
                return

    asyncio.run(serve())


FAKES = {"lean": _lean_fake_slack, "standin": _fake_slack}


class FakeSlack:
    def __init__(self, kind: str = "lean") -> None:
        self.conn, child = mp.Pipe()
        self.process = mp.get_context("spawn").Process(target=FAKES[kind], args=(child,), daemon=True)
        self.process.start()
        self.url: str = self.conn.recv()

    @property
    def pid(self) -> int:
        pid = self.process.pid
        assert pid is not None  # started in __init__
        return pid

    def ask(self, command: str) -> Any:
        self.conn.send(command)
        return self.conn.recv()

    def close(self) -> None:
        self.ask("stop")
        self.process.join(timeout=5)


# --------------------------------------------------------------------------------------------
# CPU accounting (Linux /proc)

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_seconds(pid: int, children: bool = False) -> float:
    """User + system CPU seconds of one process so far (0 once it is gone); with ``children``, also
    those of its exited children (PostgreSQL's postmaster reaps the backends of closed connections)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12]) + (int(fields[13]) + int(fields[14]) if children else 0)
    return ticks / _TICK


def postgres_pids() -> list[int]:
    """PostgreSQL's processes on this machine (the postmaster, its backends and helpers)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "cmdline").read_bytes().startswith(b"postgres"):
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


class CpuMeter:
    """CPU seconds spent by the sender, PostgreSQL and the fake Slack between two readings.

    Started at the first delivery (so start-up and scheduling are not counted), read at the last.
    PostgreSQL's processes are found afresh at each reading; a backend that exits in between is
    counted in its postmaster's reaped-children time.
    """

    def __init__(self, senders: list[int], fake: list[int]) -> None:
        self.groups = {"sender": senders, "fake": fake}
        self.start: dict[str, dict[int, float]] | None = None
        self.delivered_at_start = 0

    def _read(self) -> dict[str, dict[int, float]]:
        groups = {**self.groups, "postgres": postgres_pids()}
        return {
            name: {pid: cpu_seconds(pid, children=name == "postgres") for pid in pids} for name, pids in groups.items()
        }

    def begin(self, delivered: int) -> None:
        self.start, self.delivered_at_start = self._read(), delivered

    def per_delivery(self, delivered: int) -> dict[str, float]:
        """Milliseconds of CPU per delivery, by group, since ``begin``."""
        end, start = self._read(), self.start or {}
        count = max(1, delivered - self.delivered_at_start)
        return {
            name: 1000 * sum(seconds - start.get(name, {}).get(pid, 0.0) for pid, seconds in pids.items()) / count
            for name, pids in end.items()
        }


# --------------------------------------------------------------------------------------------
# Rapport's dispatcher


def schedule_rows(engine: Engine, count: int, also: Any = None) -> float:
    """Insert ``count`` due reminders one transaction each (as `/followup` would); returns seconds.

    ``also(row_id)`` runs after each insert (the APScheduler design adds its job there).
    """
    insert_due(engine, 1)  # the clients (and reminder #1)
    now = dt.datetime.now(dt.UTC)
    with engine.connect() as connection:
        client_ids = list(connection.scalars(text("SELECT id FROM client ORDER BY id")))
    table = cast(Table, FollowUp.__table__)  # a declarative class's table; typed as any FromClause
    statement = insert(table)
    started = time.perf_counter()
    if also is not None:
        also(1)
    with engine.connect() as connection:
        for n in range(1, count):
            with connection.begin():
                row_id = connection.execute(
                    statement.returning(table.c.id),
                    {
                        "team_id": "T1",
                        "short_id": n + 1,
                        "client_id": client_ids[n % len(client_ids)],
                        "client_name": "client",
                        "owner_id": f"U{100 + n % OWNERS}",
                        "what": f"reminder {n}",
                        "when_text": "now",
                        "status": "scheduled",
                        "due_at": now,
                        "anchor_timed": True,
                        "occurrence": 0,
                        "snoozed": False,
                        "maybe_sent": False,
                        "attempts": 0,
                        "sent_count": 0,
                        "created_at": now,
                        "updated_at": now,
                    },
                ).scalar_one()
            if also is not None:
                also(row_id)
    return time.perf_counter() - started


def run_workers(server_url: str, fakes: list[FakeSlack], count: int, workers: int, logs: Path) -> dict[str, Any]:
    with fresh_database(server_url) as url:
        engine = make_engine(url)
        upgrade(engine)
        schedule_seconds = schedule_rows(engine, count)
        for fake in fakes:
            fake.ask("reset")
        started = time.perf_counter()
        # Each worker posts to its own fake Slack process, so that the fake is not the bottleneck.
        processes = [
            start_worker(url, fakes[i].url, interval=0.5, log=logs / f"worker-{workers}-{i}.log", extra_env=NO_LIMITS)
            for i in range(workers)
        ]
        meter = CpuMeter([p.pid for p in processes], [f.pid for f in fakes[:workers]])
        try:
            while (sent := count_sent(engine)) < count:
                if meter.start is None and sent:
                    meter.begin(sent)
                time.sleep(0.5)
                if time.perf_counter() - started > 3600:
                    raise RuntimeError("workers did not finish within an hour")
            wall = time.perf_counter() - started
            cpu = meter.per_delivery(count)
        finally:
            for process in processes:
                stop(process)
            engine.dispose()
    stats = [fake.ask("stats") for fake in fakes[:workers]]
    first = min(s["first"] for s in stats if s["first"])
    last = max(s["last"] for s in stats if s["last"])
    span = (last - first) or 1e-9
    distinct, twice = sum(s["distinct"] for s in stats), sum(s["twice"] for s in stats)
    if distinct != count or twice or sum(s["posts"] for s in stats) != count:
        raise RuntimeError(f"delivery was not exactly once: {stats}")
    shares = "/".join(str(s["posts"]) for s in stats)
    return {
        "schedule": schedule_seconds,
        "wall": wall,
        "span": span,
        "rate": count / span,
        "shares": shares,
        "cpu": cpu,
    }


# --------------------------------------------------------------------------------------------
# One APScheduler job per reminder

_JOB: dict[str, Any] = {}


def send_reminder(followup_id: int) -> None:
    """The job each reminder becomes, as such a design is usually written: the job holds the
    reminder's id; it reads the reminder, posts the same message through the same client a worker
    uses, and records that it went out."""
    from sqlalchemy import select, update

    from handlers.followups import blocks

    table = cast(Table, FollowUp.__table__)  # a declarative class's table; typed as any FromClause
    engine, client = _JOB["engine"], _JOB["client"]
    with engine.begin() as connection:
        row = connection.execute(
            select(table.c.owner_id, table.c.what, table.c.client_id, table.c.short_id).where(table.c.id == followup_id)
        ).one()
    channel = _JOB["dm"].get(row.owner_id)
    if channel is None:
        channel = client.conversations_open(users=row.owner_id)["channel"]["id"]
        _JOB["dm"][row.owner_id] = channel
    view = blocks.ReminderView(followup_id=followup_id, short_id=row.short_id, client_name="client", what=row.what)
    response = client.chat_postMessage(
        channel=channel,
        text=blocks.reminder_text(view),
        blocks=blocks.reminder_blocks(view, _JOB["essentials"][row.client_id]),
        unfurl_links=False,
        unfurl_media=False,
        metadata={"event_type": "rapport_followup", "event_payload": {"followup": followup_id, "delivery": "x"}},
    )
    with engine.begin() as connection:
        connection.execute(
            update(table)
            .where(table.c.id == followup_id)
            .values(status="sent", fired_at=dt.datetime.now(dt.UTC), channel_id=channel, message_ts=response["ts"])
        )
    with _JOB["lock"]:
        _JOB["fired"] += 1


def run_apscheduler(server_url: str, fake: FakeSlack, count: int) -> dict[str, Any]:
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler
    from sqlalchemy import select

    from bot.settings import Settings
    from bot.slack import build_client
    from db.models import Client
    from handlers.contact.advice import essentials

    settings = Settings.from_env(
        {"SLACK_BOT_TOKEN": "xoxb-bench", "SLACK_SIGNING_SECRET": "x", "SLACK_API_URL": fake.url, **NO_LIMITS}
    )
    with fresh_database(server_url) as url:
        # A connection for each executor thread and the scheduler's own: with the default pool of 5,
        # connections beyond it would be opened and closed for every job.
        engine = make_engine(url, pool_size=POSTERS + 2)
        upgrade(engine)
        store = SQLAlchemyJobStore(engine=engine)
        scheduler = BackgroundScheduler(
            jobstores={"default": store},
            executors={"default": ThreadPoolExecutor(POSTERS)},
            # Defaults would skip late jobs as misfired (grace 1 s) and lose reminders: fire every one.
            job_defaults={"coalesce": False, "misfire_grace_time": None, "max_instances": 1},
            timezone="UTC",
        )
        scheduler.start(paused=True)  # nothing fires while the jobs are added
        due = dt.datetime.now(dt.UTC)

        def add_job(row_id: int) -> None:
            scheduler.add_job(send_reminder, "date", run_date=due, args=(row_id,), id=f"followup-{row_id}")

        schedule_seconds = schedule_rows(engine, count, also=add_job)
        with engine.connect() as connection:
            clients = list(connection.execute(select(Client.id, Client.name, Client.country, Client.tz)))
        now = dt.datetime.now(dt.UTC)
        advice = {  # computed once per client, as a worker does per pass
            c.id: essentials(Client(name=c.name, country=c.country, tz=c.tz), now) for c in clients
        }
        _JOB.update(
            engine=engine, client=build_client(settings), dm={}, essentials=advice, lock=threading.Lock(), fired=0
        )
        fake.ask("reset")
        meter = CpuMeter([os.getpid()], [fake.pid])
        started = time.perf_counter()
        scheduler.resume()
        scheduler.wakeup()
        while (fired := _JOB["fired"]) < count:
            if meter.start is None and fired:
                meter.begin(fired)
            time.sleep(0.2)
            if time.perf_counter() - started > 3600:
                raise RuntimeError("APScheduler did not fire every job within an hour")
        wall = time.perf_counter() - started
        cpu = meter.per_delivery(count)
        scheduler.shutdown(wait=True)
        sent = count_sent(engine)
        engine.dispose()
    stats = fake.ask("stats")
    if stats["distinct"] != count or stats["twice"] or sent != count:
        raise RuntimeError(f"APScheduler delivery was not exactly once: {stats}, {sent} marked sent")
    return {"schedule": schedule_seconds, "wall": wall, "span": wall, "rate": count / wall, "shares": "", "cpu": cpu}


# --------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100_000, help="reminders for the dispatcher runs")
    parser.add_argument("--apscheduler-count", type=int, default=None, help="reminders for the APScheduler run")
    parser.add_argument("--database-url", default=os.environ.get("TEST_DATABASE_URL"))
    parser.add_argument("--skip-apscheduler", action="store_true")
    parser.add_argument("--only-apscheduler", action="store_true")
    parser.add_argument(
        "--fake",
        choices=sorted(FAKES),
        default="lean",
        help="the fake Slack both designs post to: an aiohttp server (lean) or tests' stand-in",
    )
    args = parser.parse_args()
    aps_count = args.apscheduler_count or args.count
    logs = Path(tempfile.mkdtemp(prefix="rapport-bench-"))
    results: dict[str, dict[str, Any]] = {}
    with ExitStack() as stack:
        server = args.database_url or stack.enter_context(postgres_url_for_tests())
        if server is None:
            print("PostgreSQL is needed: install it or set TEST_DATABASE_URL", file=sys.stderr)
            return 2
        server = server.replace("postgresql://", "postgresql+psycopg://", 1)
        fakes = [FakeSlack(args.fake), FakeSlack(args.fake)]
        for fake in fakes:
            stack.callback(fake.close)
        for workers in () if args.only_apscheduler else (1, 2):
            print(f"rapport dispatcher, {workers} worker(s), {args.count:,} reminders …", flush=True)
            results[f"dispatcher, {workers} worker{'s' if workers > 1 else ''}"] = run_workers(
                server, fakes, args.count, workers, logs
            )
        if not args.skip_apscheduler:
            print(f"one APScheduler job per reminder (SQLAlchemyJobStore), {aps_count:,} reminders …", flush=True)
            results["APScheduler, one job each"] = run_apscheduler(server, fakes[0], aps_count)

    print()
    header = f"{'design':30} {'reminders':>10} {'schedule (s)':>13} {'deliver all (s)':>16} {'deliveries/s':>13}"
    print(header + "  per fake")
    for name, r in results.items():
        n = aps_count if name.startswith("APScheduler") else args.count
        print(f"{name:30} {n:>10,} {r['schedule']:>13.1f} {r['span']:>16.1f} {r['rate']:>13.0f}  {r['shares']}")
    one = results.get("dispatcher, 1 worker")
    two = results.get("dispatcher, 2 workers")
    aps = results.get("APScheduler, one job each")
    if one and two:
        print(f"\n2 workers vs 1: ×{two['rate'] / one['rate']:.2f}")
    if one and aps:
        print(
            f"dispatcher (1 worker) vs one job per reminder: ×{one['rate'] / aps['rate']:.1f} delivering, "
            f"×{(aps['schedule'] / aps_count) / (one['schedule'] / args.count):.1f} scheduling"
        )
    print("\nCPU per delivery (ms), first delivery to last:")
    print(f"{'design':30} {'sender':>8} {'postgres':>9} {'fake Slack':>11}")
    for name, r in results.items():
        c = r["cpu"]
        print(f"{name:30} {c['sender']:>8.2f} {c['postgres']:>9.2f} {c['fake']:>11.2f}")
    if one and aps:
        ours, theirs = (r["cpu"]["sender"] + r["cpu"]["postgres"] for r in (one, aps))
        print(f"sender + PostgreSQL, one job per reminder vs dispatcher: ×{theirs / ours:.1f} the CPU per delivery")
    print(f"(worker logs in {logs}; every reminder was checked to arrive exactly once)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
