"""Post one reminder (or nag) and record what became of it.

Each message goes out outside any transaction: ``conversations.open`` once per person (cached),
then ``chat.postMessage`` carrying metadata that names the delivery. A row flagged ``maybe_sent``
(its previous claim ended without an outcome) is first looked for in the owner's recent DM
history, and recorded instead of posted again when Slack already has it, so a crash between
Slack accepting a message and our commit does not send it twice.

Sent messages are returned as an ``Outcome`` and recorded in batches (``record``, many rows per
statement, guarded by the claim: a row clicked or cancelled meanwhile is left alone); failures are
recorded at once. 429 and 5xx are retried by slack_sdk's handlers, then the row is backed off
(``attempts``); permanent errors (user gone, channel not found …) mark it ``failed`` with the
reason, which ``/followup list`` shows.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, cast

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy import Table, bindparam, or_, select, update

from cultures.hours import ClientHours, MemberHours, first_good_moment, is_good_moment
from db.models import Client, Workspace
from db.models.followups import ACTIVE, FAILED, SENT, FollowUp
from db.scoped import all_teams_session
from handlers.common.people import member
from handlers.common.runtime import NotInstalled, Runtime, team_web
from handlers.followups import blocks
from handlers.followups.claims import Job
from handlers.followups.reminders import hours_of_client, hours_of_member, nag_minutes, next_occurrence
from handlers.followups.schedule import Series
from handlers.followups.when import Rule

logger = logging.getLogger(__name__)

LATE_AFTER = dt.timedelta(minutes=10)
MAX_ATTEMPTS = 8
BACKOFF_FIRST = dt.timedelta(seconds=30)
BACKOFF_MAX = dt.timedelta(hours=1)
HISTORY_LOOKBACK = 200  # messages of the owner's DM searched for a delivery that may have gone out
METADATA_TYPE = "rapport_followup"

#: Slack errors that no retry will fix: the reminder is marked failed with this explanation.
PERMANENT_ERRORS = {
    "user_not_found": "the owner's Slack account was not found",
    "users_not_found": "the owner's Slack account was not found",
    "user_disabled": "the owner's Slack account is deactivated",
    "account_inactive": "the Slack account or token is inactive",
    "channel_not_found": "the direct-message channel was not found",
    "is_archived": "the channel is archived",
    "not_in_channel": "Rapport is not in the channel",
    "cannot_dm_bot": "the owner is a bot",
    "invalid_blocks": "Slack refused the message layout",
    "msg_too_long": "the message is too long for Slack",
    "no_text": "the message was empty",
}

_DM_CACHE: dict[tuple[str, str], str] = {}
_DM_LOCK = threading.Lock()


@dataclass
class Context:
    """What a batch needs besides the rows: clients, their hours, owners, workspace settings."""

    now: dt.datetime
    clients: dict[int, Client]
    settings: dict[str, dict[str, Any]]
    essentials: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    client_hours: dict[int, ClientHours | None] = field(default_factory=dict)
    owners: dict[tuple[str, str], MemberHours] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # A DM's recent deliveries (delivery key -> ts), read once per pass for all the reminders a
    # crashed worker may have posted there: one Tier 3 conversations.history per person, not per row.
    histories: dict[str, dict[str, str] | None] = field(default_factory=dict)
    history_locks: dict[str, threading.Lock] = field(default_factory=dict)


def load_context(runtime: Runtime, jobs: list[Job], now: dt.datetime, known: Context | None = None) -> Context:
    """Clients, essentials and settings for a batch; ``known`` (an earlier batch of this pass) is reused."""
    # A copy per batch (sharing the caches): posts of the previous batch keep their own ``now``.
    context = dataclasses.replace(known, now=now) if known is not None else Context(now, {}, {})
    client_ids = {job.row.client_id for job in jobs if job.row.client_id is not None} - set(context.clients)
    teams = {job.row.team_id for job in jobs} - set(context.settings)
    if client_ids or teams:
        with all_teams_session(runtime.sessions) as session:
            clients = {c.id: c for c in session.scalars(select(Client).where(Client.id.in_(client_ids)))}
            settings = {
                team: dict(values or {})
                for team, values in session.execute(
                    select(Workspace.team_id, Workspace.settings).where(Workspace.team_id.in_(teams))
                )
            }
        context.settings.update({team: settings.get(team, {}) for team in teams})
        context.clients.update(clients)
        for client_id, row in clients.items():
            context.essentials[client_id] = _essentials(row, now)
    doubtful = {(job.row.team_id, job.row.owner_id) for job in jobs if job.row.maybe_sent}
    with _DM_LOCK:
        doubtful -= set(_DM_CACHE)
    if doubtful:
        _remember_dm_channels(runtime, doubtful)
    return context


def _remember_dm_channels(runtime: Runtime, people: set[tuple[str, str]]) -> None:
    """Put the DM channels that earlier deliveries to ``people`` (workspace, user) recorded into the
    cache: after a restart, a reminder in doubt is looked for in the DM without spending a Tier 3
    ``conversations.open`` to learn the DM's id."""
    teams = {team for team, _ in people}
    users = {user for _, user in people}
    with all_teams_session(runtime.sessions) as session:
        found = session.execute(
            select(FollowUp.team_id, FollowUp.owner_id, FollowUp.channel_id)
            .where(FollowUp.team_id.in_(teams), FollowUp.owner_id.in_(users), FollowUp.channel_id.like("D%"))
            .distinct()
        ).all()
    with _DM_LOCK:
        for team, user, channel in found:
            if (team, user) in people and channel:
                _DM_CACHE[(team, user)] = channel


def _essentials(client: Client, now: dt.datetime) -> list[dict[str, Any]]:
    """The /contact essentials for the reminder; a reminder never fails for want of advice."""
    try:
        from handlers.contact.advice import essentials

        return essentials(client, now)
    except Exception:
        logger.exception("contact essentials for client %s failed; sending the reminder without them", client.id)
        return []


def _hours(context: Context, client_id: int | None) -> ClientHours | None:
    if client_id is None or client_id not in context.clients:
        return None
    with context.lock:
        if client_id not in context.client_hours:
            try:
                context.client_hours[client_id] = hours_of_client(context.clients[client_id])
            except Exception:
                logger.exception("hours of client %s unreadable", client_id)
                context.client_hours[client_id] = None
        return context.client_hours[client_id]


def _owner(runtime: Runtime, context: Context, team_id: str, user_id: str) -> MemberHours:
    key = (team_id, user_id)
    with context.lock:
        found = context.owners.get(key)
    if found is None:
        found = hours_of_member(member(None, runtime, team_id, user_id))  # cached profile, no Slack call
        with context.lock:
            context.owners[key] = found
    return found


class _Permanent(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class NotSent(Exception):
    """Nothing went to Slack: the process was stopping before this message's turn came."""


class NotMarked(Exception):
    """Nothing went to Slack: the row could not be marked as on the wire just before its post —
    another worker took it, it was changed meanwhile (done, cancelled, snoozed), or the database
    failed the mark (the claim then runs out and the row is taken again, free of doubt)."""


@dataclass(frozen=True)
class OnWire:
    """Asks the poster to mark a row as on the wire just before its post leaves. ``write`` marks
    many rows in one statement and returns those marked (``claims.mark_on_wire``); the poster
    gathers the rows whose turn comes together."""

    write: Callable[[list[int]], set[int]]
    row_id: int


def stopping(runtime: Runtime) -> bool:
    """True once the process was asked to stop (SIGTERM): no new message starts."""
    event = runtime.extras.get("stopping")
    return isinstance(event, threading.Event) and event.is_set()


class Sender(Protocol):
    """Posts a message off this thread and calls ``done`` once with Slack's answer or the error
    (``bot.sender.AsyncPoster``). ``paced``: posts wait for their turn under Slack's limits, so
    rows are marked on the wire one by one (``OnWire``) rather than all when claimed."""

    @property
    def paced(self) -> bool: ...

    def send(
        self, token: str, args: Mapping[str, Any], done: Callable[[Any], None], on_wire: OnWire | None = None
    ) -> None: ...


def post(
    runtime: Runtime,
    client: WebClient,
    job: Job,
    context: Context,
    worker: str,
    sender: Sender | None = None,
    handoff: Callable[[Callable[[], Outcome]], None] | None = None,
    mark: Callable[[list[int]], set[int]] | None = None,
) -> Outcome | None:
    """Post one reminder or nag; failures are recorded here, successes returned for a batched write.

    With a ``sender`` the message itself is handed to it and None returned: the outcome comes later,
    as a step passed to ``handoff`` (exactly once). With ``mark`` (a paced sender; the claim left
    ``on_wire`` unset), the sender marks the row on the wire just before its post leaves.
    """
    row = job.row
    try:
        try:
            client = team_web(runtime, client, row.team_id)  # OAuth: this workspace's own token
        except NotInstalled:
            context.settings.setdefault(row.team_id, {})["uninstalled"] = {"reason": "no installation"}
        if (context.settings.get(row.team_id) or {}).get("uninstalled"):
            _back_off(
                runtime,
                row,
                worker,
                "Rapport is uninstalled from this workspace",
                context.now,
                keep_claim=False,
                delay=dt.timedelta(hours=6),
            )
            _release_if_resumed(runtime, row)
            return Outcome("retry")
        hours = _hours(context, row.client_id)
        # The owner's hours matter for nags and for placing a recurring one's next occurrence only.
        owner = _owner(runtime, context, row.team_id, row.owner_id) if job.kind == "nag" or row.recurrence else None
        if job.kind == "nag" and hours is not None and owner and not is_good_moment(context.now, hours, owner):
            later = first_good_moment(context.now, hours, owner, horizon_days=21)
            _defer_nag(runtime, row, worker, later)
            return Outcome("deferred")
        # Posted to the person's user id: Slack delivers it in their DM with the app, so a burst (or a
        # worker just restarted) spends no Tier 3 conversations.open per person; the DM's id comes
        # back with the post. Only a delivery that may have gone out already needs the DM's id first,
        # to look for it there.
        if stopping(runtime):
            return _release(runtime, job, worker)
        channel = row.owner_id
        if row.maybe_sent:
            channel = _dm_channel(client, row.team_id, row.owner_id)
            ts = _already_posted(client, channel, job.key, context)
            if ts is not None:
                logger.warning("follow-up %s was already posted (ts %s) before a crash; recording it", row.id, ts)
                values = _sent_values(job, context, hours, owner, channel, ts)
                return Outcome("recovered", job.kind, row.id, values)
            channel = row.owner_id  # one pacing key per person, whichever way the DM is named
        text, message_blocks = _message(job, context)
        args: dict[str, Any] = {
            "channel": channel,
            "text": text,
            "blocks": message_blocks,
            "unfurl_links": False,
            "unfurl_media": False,
            "metadata": {"event_type": METADATA_TYPE, "event_payload": {"followup": row.id, "delivery": job.key}},
        }
        if sender is not None and handoff is not None:
            # The poster's loop posts it; what became of it comes back through ``handoff`` as a
            # step for the dispatcher to finish (recording errors there, not on the loop).
            finish = functools.partial(_after_post, runtime, job, context, worker, hours, owner, channel)
            on_wire = OnWire(mark, row.id) if mark is not None else None
            sender.send(client.token or "", args, lambda result: handoff(functools.partial(finish, result)), on_wire)
            return None
        response = client.chat_postMessage(**args)
        return _posted(job, context, hours, owner, channel, response)
    except Exception as error:  # noqa: BLE001 - sorted by _error_outcome; unexpected ones logged in full
        return _error_outcome(runtime, row, worker, context, error)


def _after_post(
    runtime: Runtime,
    job: Job,
    context: Context,
    worker: str,
    hours: ClientHours | None,
    owner: MemberHours | None,
    channel: str,
    result: Mapping[str, Any] | BaseException,
) -> Outcome:
    """What became of a message the poster sent: Slack's answer, or the error it met."""
    if isinstance(result, NotSent):
        return _release(runtime, job, worker)
    if isinstance(result, NotMarked):
        return Outcome("skipped")
    if isinstance(result, BaseException):
        return _error_outcome(runtime, job.row, worker, context, result)
    try:
        return _posted(job, context, hours, owner, channel, result)
    except Exception as error:  # noqa: BLE001 - sorted by _error_outcome; unexpected ones logged in full
        return _error_outcome(runtime, job.row, worker, context, error)


def _release(runtime: Runtime, job: Job, worker: str) -> Outcome:
    """Nothing was sent and the process is stopping: give the claim back, so that another process
    takes the reminder at once instead of when the lease runs out — and without looking in the DM
    first, as it must for a claim that simply ended. A row already flagged as maybe posted (by an
    earlier crash) keeps its claim until the lease ends, so that its next claim still looks."""
    if not job.row.maybe_sent:
        _update(runtime, job.row, worker, job.kind, {"claimed_by": None, "claimed_until": None})
    return Outcome("released", job.kind, job.row.id)


def _posted(
    job: Job,
    context: Context,
    hours: ClientHours | None,
    owner: MemberHours | None,
    channel: str,
    response: Any,  # Slack's answer: a SlackResponse, or the poster's mapping
) -> Outcome:
    row = job.row
    values = _sent_values(job, context, hours, owner, str(response.get("channel") or channel), str(response["ts"]))
    return Outcome("nagged" if job.kind == "nag" else "sent", job.kind, row.id, values)


def _error_outcome(runtime: Runtime, row: FollowUp, worker: str, context: Context, error: BaseException) -> Outcome:
    """Record a failed delivery as its error deserves: failed for good, or retried later."""
    if isinstance(error, _Permanent):
        _fail(runtime, row, worker, error.reason)
        return Outcome("failed")
    if isinstance(error, SlackApiError):
        return Outcome(_slack_error(runtime, row, worker, error, context.now))
    if isinstance(error, SlackClientError | OSError):
        # A timeout or reset: Slack may have taken the message, so the next claim checks first.
        return Outcome(_retry(runtime, row, worker, f"could not reach Slack: {error}", context.now, keep_claim=True))
    logger.error("follow-up %s: unexpected error while delivering", row.id, exc_info=error)
    reason = f"internal error: {type(error).__name__}"
    return Outcome(_retry(runtime, row, worker, reason, context.now, keep_claim=True))


def _release_if_resumed(runtime: Runtime, row: FollowUp) -> None:
    """Undo the hold just put on ``row`` if its workspace was resumed meanwhile.

    The pass read "uninstalled" when it began; a command since then cleared the mark and released
    the held rows (``handlers.workspace.lifecycle.note_in_use``) — but not this one, held after it.
    """
    with all_teams_session(runtime.sessions) as session:
        settings = session.scalar(select(Workspace.settings).where(Workspace.team_id == row.team_id))
        if not (settings or {}).get("uninstalled"):
            session.execute(
                update(FollowUp)
                .where(FollowUp.id == row.id, FollowUp.team_id == row.team_id, FollowUp.claimed_by.is_(None))
                .values(claimed_until=None)
                .execution_options(synchronize_session=False)
            )


def _slack_error(runtime: Runtime, row: FollowUp, worker: str, error: SlackApiError, now: dt.datetime) -> str:
    code = str(error.response.get("error") or "") if error.response is not None else ""
    status = error.response.status_code if error.response is not None else 0
    if code in PERMANENT_ERRORS:
        _fail(runtime, row, worker, f"{code}: {PERMANENT_ERRORS[code]}")
        return "failed"
    if status == 429:
        retry_after = int((error.response.headers or {}).get("Retry-After", 0) or 0) if error.response else 0
        delay = max(dt.timedelta(seconds=retry_after), BACKOFF_FIRST)
        return _retry(runtime, row, worker, "rate limited by Slack", now, keep_claim=False, delay=delay)
    # 5xx (after slack_sdk's own retries) may have posted; other errors did not.
    return _retry(runtime, row, worker, f"Slack answered {status} {code}".strip(), now, keep_claim=status >= 500)


def _dm_channel(client: WebClient, team_id: str, user_id: str) -> str:
    key = (team_id, user_id)
    with _DM_LOCK:
        channel = _DM_CACHE.get(key)
    if channel:
        return channel
    try:
        response = client.conversations_open(users=user_id)
    except SlackApiError as error:
        code = str(error.response.get("error") or "")
        if code in PERMANENT_ERRORS:
            raise _Permanent(f"{code}: {PERMANENT_ERRORS[code]}") from None
        raise
    channel = str(response["channel"]["id"])
    with _DM_LOCK:
        if len(_DM_CACHE) > 50_000:
            _DM_CACHE.clear()
        _DM_CACHE[key] = channel
    return channel


def forget_dm_channels() -> None:
    """Drop the cache of direct-message channels (tests, or after a reinstall)."""
    with _DM_LOCK:
        _DM_CACHE.clear()


def _already_posted(client: WebClient, channel: str, key: str, context: Context | None = None) -> str | None:
    """The ts of a message in ``channel`` carrying this delivery's metadata, if Slack has one.

    With a ``context``, the channel's history is read once per pass and shared by every reminder
    of that DM that needs the check (they all come from the same crash).
    """
    if context is None:
        found = _posted_deliveries(client, channel)
        return (found or {}).get(key)
    with context.lock:
        lock = context.history_locks.setdefault(channel, threading.Lock())
    with lock:
        if channel not in context.histories:
            context.histories[channel] = _posted_deliveries(client, channel)
        found = context.histories[channel]
    return (found or {}).get(key)


def _posted_deliveries(client: WebClient, channel: str) -> dict[str, str] | None:
    """Delivery key -> ts of the recent messages in ``channel`` (None when Slack would not say)."""
    try:
        response = client.conversations_history(channel=channel, limit=HISTORY_LOOKBACK, include_all_metadata=True)
    except SlackApiError as error:
        logger.warning("cannot check the DM history before re-sending (%s); sending", error.response.get("error"))
        return None
    found: dict[str, str] = {}
    for message in response.get("messages") or []:
        payload = ((message.get("metadata") or {}).get("event_payload")) or {}
        if payload.get("delivery"):
            found[str(payload["delivery"])] = str(message.get("ts"))
    return found


def _message(job: Job, context: Context) -> tuple[str, list[dict[str, Any]]]:
    row = job.row
    client = context.clients.get(row.client_id) if row.client_id is not None else None
    late = None
    if job.kind == "deliver" and row.due_at is not None and context.now - row.due_at > LATE_AFTER:
        late = context.now - row.due_at
    reminder = blocks.ReminderView(
        followup_id=row.id,
        short_id=row.short_id,
        client_name=client.name if client is not None else row.client_name,
        what=row.what,
        recurrence=Rule.from_key(row.recurrence).describe() if row.recurrence else None,
        late=late,
        nag=job.kind == "nag",
        fired_at=row.fired_at,
    )
    essentials = context.essentials.get(row.client_id, []) if row.client_id is not None else []
    return blocks.reminder_text(reminder), blocks.reminder_blocks(reminder, essentials)


def _guarded(row: FollowUp, worker: str, kind: str) -> list[Any]:
    conditions = [FollowUp.id == row.id, FollowUp.claimed_by == worker, FollowUp.status.in_(ACTIVE)]
    if kind == "deliver":
        conditions.append(FollowUp.due_at == row.due_at)  # not snoozed or moved meanwhile
    return conditions


def _update(runtime: Runtime, row: FollowUp, worker: str, kind: str, values: dict[str, Any]) -> bool:
    with all_teams_session(runtime.sessions) as session:
        result = session.execute(
            update(FollowUp)
            .where(*_guarded(row, worker, kind))
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        changed = bool(getattr(result, "rowcount", 1))
    if not changed:
        logger.warning("follow-up %s changed while it was being sent (clicked, cancelled or lease lost)", row.id)
    return changed


def _sent_values(
    job: Job,
    context: Context,
    hours: ClientHours | None,
    owner: MemberHours | None,
    channel: str,
    ts: str,
) -> dict[str, Any]:
    """The row's new values once its message is out (the same keys for every row of a kind)."""
    row, now = job.row, context.now
    values: dict[str, Any] = {
        "channel_id": channel,
        "message_ts": ts,
        "claimed_by": None,
        "claimed_until": None,
        "maybe_sent": False,
        "attempts": 0,
        "last_error": None,
        "sent_count": (row.sent_count or 0) + 1,  # the row is ours while claimed
    }
    if job.kind == "nag":
        values.update(nagged_at=now, nag_due_at=None)
        return values
    grace = nag_minutes(context.settings.get(row.team_id))
    values.update(
        status=SENT,
        fired_at=now,
        nagged_at=None,
        escalated_at=None,
        done_at=None,
        done_by=None,
        snoozed=False,
        nag_due_at=now + dt.timedelta(minutes=grace) if grace else None,
        due_at=None,
        occurrence=row.occurrence,
        requested_at=row.requested_at,
        move_reason=row.move_reason,
    )
    if row.recurrence and hours is not None and owner is not None:
        series = Series(
            Rule.from_key(row.recurrence),
            dt.datetime.fromisoformat(row.anchor_local or ""),
            row.anchor_zone or hours.zone,
            row.anchor_timed,
            hours.country,
            hours.subdiv,
            hours.closures,
        )
        after = row.occurrence - 1 if row.snoozed else row.occurrence
        not_before = max(now, row.due_at or now)
        k, placement = next_occurrence(series, after, not_before, hours, owner, now)
        values.update(
            due_at=placement.fire_at, occurrence=k, requested_at=placement.requested_at, move_reason=placement.reason
        )
    elif row.recurrence:
        logger.warning("recurring follow-up %s has no client any more; it ends here", row.id)
    return values


@dataclass(frozen=True)
class Outcome:
    """What became of one job: its name, and for a message that went out, the row's new values."""

    name: str  # sent | nagged | recovered | failed | retry | deferred | released | skipped
    kind: str = "deliver"
    row_id: int = 0
    values: dict[str, Any] | None = None


def record(runtime: Runtime, worker: str, outcomes: list[Outcome]) -> None:
    """Record delivered messages, many rows per statement (executemany), guarded by our claim.

    A row that was clicked, cancelled or re-leased meanwhile no longer has ``claimed_by = worker``
    and is left alone.
    """
    table = cast(Table, FollowUp.__table__)  # a declarative class's table; typed as any FromClause
    for kind in ("deliver", "nag"):
        batch = [o for o in outcomes if o.kind == kind and o.values is not None]
        if not batch:
            continue
        columns = list(batch[0].values or {})
        statement = (
            table.update()
            .where(
                table.c.id == bindparam("b_id"),
                table.c.claimed_by == bindparam("b_worker"),
                or_(*(table.c.status == status for status in ACTIVE)),  # not IN: executemany needs plain binds
            )
            .values({column: bindparam(f"b_{column}") for column in columns})
        )
        params = [
            {"b_id": o.row_id, "b_worker": worker, **{f"b_{k}": v for k, v in (o.values or {}).items()}} for o in batch
        ]
        with all_teams_session(runtime.sessions) as session:
            result = session.connection().execute(statement, params)
        changed = getattr(result, "rowcount", len(params))
        if 0 <= changed < len(params):
            logger.warning(
                "%s of %s follow-ups changed while they were being sent (clicked, cancelled or lease lost)",
                len(params) - changed,
                len(params),
            )


def _defer_nag(runtime: Runtime, row: FollowUp, worker: str, later: dt.datetime | None) -> None:
    values: dict[str, Any] = {"claimed_by": None, "claimed_until": None, "maybe_sent": False, "attempts": 0}
    if later is None:
        values["nag_due_at"] = None  # no good moment in weeks: leave it to escalation
    else:
        values["nag_due_at"] = dt.datetime.fromtimestamp(later.timestamp(), dt.UTC)
    _update(runtime, row, worker, "nag", values)


def _fail(runtime: Runtime, row: FollowUp, worker: str, reason: str) -> None:
    logger.warning("follow-up %s failed for good: %s", row.id, reason)
    with all_teams_session(runtime.sessions) as session:
        session.execute(
            update(FollowUp)
            .where(FollowUp.id == row.id, FollowUp.claimed_by == worker, FollowUp.status.in_(ACTIVE))
            .values(
                status=FAILED,
                last_error=reason[:500],
                claimed_by=None,
                claimed_until=None,
                maybe_sent=False,
                nag_due_at=None,
            )
            .execution_options(synchronize_session=False)
        )


def _retry(
    runtime: Runtime,
    row: FollowUp,
    worker: str,
    reason: str,
    now: dt.datetime,
    *,
    keep_claim: bool,
    delay: dt.timedelta | None = None,
) -> str:
    if row.attempts >= MAX_ATTEMPTS:
        _fail(runtime, row, worker, f"gave up after {row.attempts} attempts: {reason}")
        return "failed"
    _back_off(runtime, row, worker, reason, now, keep_claim=keep_claim, delay=delay)
    return "retry"


def _back_off(
    runtime: Runtime,
    row: FollowUp,
    worker: str,
    reason: str,
    now: dt.datetime,
    *,
    keep_claim: bool,
    delay: dt.timedelta | None = None,
) -> None:
    """Try again later: the lease becomes the back-off (30 s, 1 min, 2 min … at most 1 h).

    ``keep_claim`` leaves ``claimed_by`` set when Slack may have taken the message, so that the
    next attempt looks in the DM history before posting again.
    """
    wait_for = delay or min(BACKOFF_FIRST * (2 ** max(0, row.attempts - 1)), BACKOFF_MAX)
    logger.info("follow-up %s: %s; trying again in %s", row.id, reason, wait_for)
    with all_teams_session(runtime.sessions) as session:
        session.execute(
            update(FollowUp)
            .where(FollowUp.id == row.id, FollowUp.claimed_by == worker)
            .values(
                claimed_until=now + wait_for,
                claimed_by=worker if keep_claim else None,
                last_error=reason[:500],
            )
            .execution_options(synchronize_session=False)
        )
