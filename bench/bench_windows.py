"""Benchmark: next-good-window computations per second, interval algorithm vs a naive scan.

10,000 random clients in 200 countries (every country with its own culture card, the rest
on regional defaults), each with a random zone of its country, sometimes a subdivision and
their own hours, half of them paired with a team member in another zone; a random start
instant in 2025–2026 each. The same inputs go through

* ``next_good_windows(..., count=1)`` — the interval algorithm the bot uses, and
* a naive scan that tries every minute from the start (with the same cheap wall-clock
  check, ``good_at``) until a good one, then every minute until the window ends.

Both must find the same window; the numbers are printed side by side. Run by hand, on one
core::

    .venv/bin/python bench/bench_windows.py [--clients 10000] [--naive-clients N] [--seed 7]

Targets (issue 3): at least 20,000 computations per second, and at least 20 times the naive
scan.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pendulum

from cultures.cards import MissingCard, card_for
from cultures.countries import get_country, iso_country_codes, subdivisions
from cultures.hours import ClientHours, MemberHours, Window, good_at, next_good_windows
from cultures.weekly import WeeklyHours

TARGET_RATE = 20_000
TARGET_RATIO = 20
HORIZON_DAYS = 21
MEMBER_ZONES = [
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Australia/Sydney",
    "America/Sao_Paulo",
    "Africa/Lagos",
]
MEMBER_SHIFTS = [(9 * 60, 18 * 60), (8 * 60 + 30, 17 * 60), (7 * 60, 15 * 60), (12 * 60, 21 * 60), (22 * 60, 6 * 60)]


@dataclass(frozen=True)
class Case:
    client: ClientHours
    member: MemberHours | None
    start: pendulum.DateTime


def pin_to_one_core() -> str:
    """Run on a single CPU where the OS allows it (the target is per core)."""
    if hasattr(os, "sched_setaffinity"):
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    return "not pinned (no sched_setaffinity here)"


def pick_countries(rng: random.Random, how_many: int) -> tuple[list[str], int]:
    """Every country with its own card, then random regional-default ones, up to ``how_many``."""
    own: list[str] = []
    regional: list[str] = []
    for code in sorted(iso_country_codes()):
        if not get_country(code).zones:
            continue  # uninhabited (Bouvet Island…)
        try:
            card = card_for(code)
        except MissingCard:
            continue
        (regional if card.regional_default else own).append(code)
    chosen = own[:how_many] + rng.sample(regional, max(0, min(len(regional), how_many - len(own))))
    return sorted(chosen), len(set(chosen) & set(own))


def random_hours(rng: random.Random) -> WeeklyHours:
    start = rng.choice([7, 8, 8.5, 9, 10]) * 60
    lunch = rng.choice([None, 12 * 60, 12 * 60 + 30, 13 * 60])
    end = rng.choice([16, 17, 17.5, 18, 19]) * 60
    if lunch is None:
        return WeeklyHours.uniform([(int(start), int(end))])
    return WeeklyHours.uniform([(int(start), lunch), (lunch + 60, int(end))])


def make_cases(rng: random.Random, count: int, countries: list[str]) -> list[Case]:
    first = pendulum.datetime(2025, 1, 1, tz="UTC").int_timestamp
    last = pendulum.datetime(2026, 12, 1, tz="UTC").int_timestamp
    cases = []
    for _ in range(count):
        code = rng.choice(countries)
        country = get_country(code)
        subdiv = None
        if rng.random() < 0.1:
            options = subdivisions(code)
            subdiv = rng.choice(options).code if options else None
        hours = random_hours(rng) if rng.random() < 0.2 else None
        client = ClientHours(rng.choice(country.zones), code, subdiv, hours)
        member = None
        if rng.random() < 0.5:
            start, end = rng.choice(MEMBER_SHIFTS)
            member = MemberHours(rng.choice(MEMBER_ZONES), start, end)
        moment = pendulum.from_timestamp(rng.randrange(first, last) // 60 * 60, tz="UTC")
        cases.append(Case(client, member, moment))
    return cases


def naive_window(case: Case) -> tuple[float, float] | None:
    """The first good window by trying every minute: what the interval algorithm replaces."""
    moment = case.start.timestamp()
    limit = moment + HORIZON_DAYS * 86400
    client, member = case.client, case.member
    while moment < limit and not good_at(moment, client, member):
        moment += 60
    if moment >= limit:
        return None
    start = moment
    while good_at(moment, client, member):
        moment += 60
    return start, moment


def interval_window(case: Case) -> list[Window]:
    """The first good window the way the bot finds it."""
    return next_good_windows(case.start, case.client, case.member, count=1, horizon_days=HORIZON_DAYS)


def as_span(windows: list[Window]) -> tuple[float, float] | None:
    return (windows[0].start.timestamp(), windows[0].end.timestamp()) if windows else None


@dataclass
class Timing:
    """Seconds spent on a pass: CPU time of this process, wall time, and wall time per case."""

    cpu: float
    wall: float
    each: list[float]


def timed(function: Callable[[Case], Any], cases: list[Case]) -> tuple[Timing, list[Any]]:
    """Run ``function`` over every case, timing the whole pass and each case."""
    results: list[Any] = []
    each: list[float] = []
    clock = time.perf_counter
    cpu_began, wall_began = time.process_time(), clock()
    for case in cases:
        began = clock()
        results.append(function(case))
        each.append(clock() - began)
    return Timing(time.process_time() - cpu_began, clock() - wall_began, each), results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=10_000)
    parser.add_argument("--countries", type=int, default=200)
    parser.add_argument("--naive-clients", type=int, default=None, help="scan only the first N (default: all)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    core = pin_to_one_core()
    rng = random.Random(args.seed)
    began = time.perf_counter()
    countries, with_own_card = pick_countries(rng, args.countries)
    cases = make_cases(rng, args.clients, countries)
    # Load cards, zones and the holiday calendars of the years involved once, as a running
    # bot has them; the day-by-day arithmetic itself is left cold for the timed passes.
    for case in cases:
        years = range(case.start.year, case.start.year + 2)
        case.client.prepare(years)
        if case.member is not None:
            case.member.prepare(years)
    setup = time.perf_counter() - began

    interval, interval_results = timed(interval_window, cases)
    naive_cases = cases[: args.naive_clients] if args.naive_clients else cases
    naive, naive_results = timed(naive_window, naive_cases)

    interval_results = [as_span(windows) for windows in interval_results]
    same = sum(1 for mine, theirs in zip(interval_results, naive_results, strict=False) if mine == theirs)
    with_member = sum(1 for case in cases if case.member is not None)
    found = sum(1 for result in interval_results if result is not None)
    # Rates per CPU second of this process (the target is per core; other work on the
    # machine does not count against us), and per wall-clock second for comparison.
    interval_rate, naive_rate = len(cases) / interval.cpu, len(naive_cases) / naive.cpu
    ratio = interval_rate / naive_rate
    # A scan with nothing to find runs the whole horizon, which flatters the interval
    # algorithm: also compare only the cases that have a window.
    having = [index for index, result in enumerate(naive_results) if result is not None]
    having_ratio = sum(naive.each[i] for i in having) / max(sum(interval.each[i] for i in having), 1e-9)

    print(f"Next good window: {len(cases):,} clients in {len(countries)} countries")
    print(
        f"  {with_own_card} countries with their own card, {len(countries) - with_own_card} on a regional default; "
        f"{with_member:,} clients paired with a team member; {found:,} windows found within {HORIZON_DAYS} days"
    )
    print(f"  setup (cards, calendars, zones) {setup:.2f} s; {core}; Python {sys.version.split()[0]}")
    print()
    print(f"  {'':28}{'computations':>14}{'CPU s':>9}{'per CPU s':>12}{'wall s':>9}{'per wall s':>12}")
    for name, timing, count in (
        ("interval (day by day)", interval, len(cases)),
        ("naive (minute by minute)", naive, len(naive_cases)),
    ):
        print(
            f"  {name:28}{count:>14,}{timing.cpu:>9.2f}{count / timing.cpu:>12,.0f}"
            f"{timing.wall:>9.2f}{count / timing.wall:>12,.0f}"
        )
    print()
    print(f"  speed-up: {ratio:,.0f}x ({having_ratio:,.0f}x counting only the {len(having):,} cases with a window)")
    print(f"  same window from both: {same:,} of {len(naive_cases):,}")
    rate_ok, ratio_ok = interval_rate >= TARGET_RATE, ratio >= TARGET_RATIO
    print(
        f"  targets: >= {TARGET_RATE:,}/s {'met' if rate_ok else 'MISSED'}; "
        f">= {TARGET_RATIO}x naive {'met' if ratio_ok else 'MISSED'}"
    )
    return 0 if rate_ok and ratio_ok and same == len(naive_cases) else 1


if __name__ == "__main__":
    raise SystemExit(main())
