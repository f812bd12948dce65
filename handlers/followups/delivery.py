"""Where a reminder leaves: the dispatcher's pass, run on every tick (``dispatch_due``).

``dispatch_due`` is the periodic task (``handlers.periodic_tasks``). Each pass, for due reminders
and then for nags (reminders still not Done after the workspace's grace):

1. **claims** a batch of due rows (``handlers.followups.claims``: a lease in one statement);
2. **posts** them in parallel, outside any transaction (``handlers.followups.posting.post``);
3. **records** the outcomes a few hundred milliseconds later, many rows per statement
   (``posting.record``), renewing the leases of rows still in flight.

The next batch is claimed while the last half of the current one is still being posted. A
worker that dies after claiming leaves its rows leased; when the lease runs out another tick
takes them again (and checks the DM history before posting the ones that may have left: see
``posting``). Which may have left: the whole batch, marked ``on_wire`` by the claim — or, when the
poster paces itself under Slack's limits and a batch waits for its turns, each row marked just
before its post leaves (``claims.mark_on_wire``, many rows per statement), so that a crash leaves
in doubt only the messages that were really on their way.
"""

from __future__ import annotations

import functools
import logging
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import cast

from slack_sdk import WebClient
from sqlalchemy.exc import InterfaceError, OperationalError

from handlers.common.runtime import Runtime
from handlers.followups.claims import Job, claim, mark_on_wire, renew, worker_id
from handlers.followups.posting import Context, Outcome, Sender, load_context, post, record, stopping

logger = logging.getLogger(__name__)

RENEW_EVERY = 5.0  # seconds of real time between lease renewals of a batch still being sent
FLUSH_ROWS = 100  # delivered rows recorded per statement…
FLUSH_EVERY = 0.2  # …or after this many seconds, whichever comes first
BATCH = 200
POSTERS = 8  # concurrent Slack calls per worker
TICK_BUDGET = 20.0  # seconds: stop claiming new batches after this long (the next tick goes on)


@dataclass
class DispatchReport:
    """What one dispatcher pass did (logged, and returned for tests and the bench)."""

    sent: int = 0
    nagged: int = 0
    recovered: int = 0  # found already posted after a crash, recorded without posting again
    failed: int = 0
    retried: int = 0
    deferred: int = 0  # nags moved to the next good moment
    released: int = 0  # not sent because the process was stopping; claims given back
    skipped: int = 0  # not sent: taken by another worker or changed just before its post
    errors: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return any(getattr(self, name) for name in _COUNTED.values())

    def count(self, outcome: str) -> None:
        """Count one outcome by its name (``sent``, ``retry`` …)."""
        name = _COUNTED[outcome]
        setattr(self, name, getattr(self, name) + 1)


# An outcome's name -> the report's counter it adds to.
_COUNTED = {
    "sent": "sent",
    "nagged": "nagged",
    "recovered": "recovered",
    "failed": "failed",
    "retry": "retried",
    "deferred": "deferred",
    "released": "released",
    "skipped": "skipped",
}


def dispatch_due(
    runtime: Runtime,
    client: WebClient,
    *,
    batch: int = BATCH,
    posters: int = POSTERS,
    budget: float = TICK_BUDGET,
    worker: str | None = None,
) -> DispatchReport:
    """Deliver every due reminder and nag; safe to run in several processes at once."""
    report = DispatchReport()
    with Posters(posters) as pool:
        sender = cast("Sender | None", runtime.extras.get("sender"))
        worker = worker or worker_id()
        # A paced poster marks each row on the wire as its turn comes; otherwise the claim marks all.
        mark = functools.partial(mark_on_wire, runtime, worker=worker) if sender is not None and sender.paced else None
        run = Pass(runtime, client, pool, report, worker, batch, time.monotonic() + budget, sender, mark)
        for kind in ("deliver", "nag"):
            run.drain(kind)
    if report:
        logger.info(
            "follow-ups: %s sent, %s nagged, %s recovered, %s failed, %s to retry, %s given back (stopping), "
            "%s skipped (taken or changed meanwhile)",
            report.sent,
            report.nagged,
            report.recovered,
            report.failed,
            report.retried,
            report.released,
            report.skipped,
        )
    return report


class Posters:
    """A few threads posting jobs, their outcomes handed back on one queue in the order they finish.

    Not a ``ThreadPoolExecutor``: a future per message, and ``wait()`` over every message in flight
    each time one finishes, cost the dispatcher more than a tenth of its time. Each job here is a
    queue entry, and each outcome one ``(row id, outcome or exception)`` pair; every job submitted
    yields exactly one.
    """

    def __init__(self, size: int) -> None:
        self._jobs: queue.SimpleQueue[tuple[int, Callable[[], Outcome | None]] | None] = queue.SimpleQueue()
        #: (row id, outcome, error, or a step that gives the outcome: the poster's answer to finish)
        self.results: queue.SimpleQueue[tuple[int, Outcome | BaseException | Callable[[], Outcome]]] = (
            queue.SimpleQueue()
        )
        self._threads = [
            threading.Thread(target=self._run, name=f"followup-post-{n}", daemon=True) for n in range(max(1, size))
        ]
        for thread in self._threads:
            thread.start()

    def _run(self) -> None:
        while (item := self._jobs.get()) is not None:
            row_id, work = item
            try:
                result: Outcome | BaseException | None = work()
            except BaseException as error:  # noqa: BLE001 - handed to the dispatcher, which counts it
                result = error
            if result is not None:  # None: handed to the poster, whose answer comes through handoff
                self.results.put((row_id, result))

    def submit(self, row_id: int, work: Callable[[], Outcome | None]) -> None:
        self._jobs.put((row_id, work))

    def __enter__(self) -> Posters:
        return self

    def __exit__(self, *exc: object) -> None:
        for _ in self._threads:
            self._jobs.put(None)
        for thread in self._threads:
            thread.join()


@dataclass
class Pass:
    """One dispatcher pass: what every batch shares (the clients, advice and settings loaded so
    far are kept in ``context`` from batch to batch)."""

    runtime: Runtime
    client: WebClient
    pool: Posters
    report: DispatchReport
    worker: str
    batch: int
    deadline: float  # time.monotonic() after which no new batch is claimed
    sender: Sender | None = None  # the poster's loop, when the process has one (bot.sender)
    mark: Callable[[list[int]], set[int]] | None = None  # marks rows on the wire (a paced poster)
    context: Context | None = None

    def drain(self, kind: str) -> None:
        """Claim and post due rows of one kind until none is left (or the tick's budget is spent).

        The next batch is claimed while the last half of the current one is still being posted, so
        the posters never wait for a batch's slowest message; outcomes are recorded every
        ``FLUSH_ROWS`` rows or ``FLUSH_EVERY`` seconds, and leases of rows still in flight renewed.
        """
        pending: Counter[int] = Counter()  # row ids being posted
        done: list[Outcome] = []
        exhausted = False
        last_renewal = last_flush = time.monotonic()
        try:
            while True:
                if stopping(self.runtime):
                    exhausted = True  # SIGTERM: claim nothing more; what is queued is given back
                if not exhausted and len(pending) <= self.batch // 2 and time.monotonic() < self.deadline:
                    jobs, context = self._claim(kind)
                    exhausted = not jobs
                    for job in jobs:
                        handoff = functools.partial(self._handoff, job.row.id)
                        work = functools.partial(
                            post, self.runtime, self.client, job, context, self.worker, self.sender, handoff, self.mark
                        )
                        self.pool.submit(job.row.id, work)
                        pending[job.row.id] += 1
                if not pending:
                    return
                _collect(self.pool, pending, self.report, done, timeout=FLUSH_EVERY)
                clock = time.monotonic()
                if done and (len(done) >= FLUSH_ROWS or clock - last_flush >= FLUSH_EVERY or not pending):
                    record(self.runtime, self.worker, done)
                    done, last_flush = [], clock
                if pending and clock - last_renewal >= RENEW_EVERY:
                    renew(self.runtime, pending, self.worker)
                    last_renewal = clock
        finally:
            while pending:  # leaving on an error: messages still being sent are recorded once they are out
                _collect(self.pool, pending, self.report, done, timeout=None)
            if done:
                record(self.runtime, self.worker, done)

    def _handoff(self, row_id: int, step: Callable[[], Outcome]) -> None:
        self.pool.results.put((row_id, step))

    def _claim(self, kind: str) -> tuple[list[Job], Context]:
        """The next batch and the context its posts share (none when the database fails us)."""
        now = self.runtime.clock()
        try:
            rows = claim(self.runtime, kind, now, self.batch, self.worker, on_wire=self.mark is None)
            jobs = [Job(row, kind) for row in rows]
            self.context = load_context(self.runtime, jobs, now, self.context)
        except (OperationalError, InterfaceError) as error:
            # The database went away: stop claiming, finish what is in flight, and let the tick
            # say so once (bot.dispatcher) rather than a traceback every pass.
            if self.context is None and not self.report:
                raise
            logger.warning("the database went away while claiming; finishing the follow-ups being sent")
            self.report.errors.append(repr(error))
            return [], Context(now, {}, {})
        except Exception as error:
            # The database failed us: stop claiming, but record what is already in flight.
            logger.exception("claiming due follow-ups failed; finishing the ones being sent")
            self.report.errors.append(repr(error))
            return [], Context(now, {}, {})
        return jobs, self.context


def _collect(
    pool: Posters,
    pending: Counter[int],
    report: DispatchReport,
    done: list[Outcome],
    timeout: float | None,
) -> None:
    """Take the posts finished so far (waiting up to ``timeout`` for the first) out of ``pending``:
    counted in the report, messages sent into ``done``."""
    try:
        finished = [pool.results.get(timeout=timeout)]
    except queue.Empty:
        return
    while True:
        try:
            finished.append(pool.results.get_nowait())
        except queue.Empty:
            break
    for row_id, result in finished:
        if callable(result):  # the poster's answer: finish it here (errors are recorded on this thread)
            try:
                result = result()
            except Exception as error:  # noqa: BLE001 - counted like any other
                result = error
        outcome = result
        pending[row_id] -= 1
        if pending[row_id] <= 0:
            del pending[row_id]
        if isinstance(outcome, BaseException):  # _handle logs its own errors; keep the batch going
            report.errors.append(repr(outcome))
            continue
        report.count(outcome.name)
        if outcome.values is not None:
            done.append(outcome)
