"""Follow-up numbers under concurrency: a whole team creating follow-ups in the same second, on a
SQLite file and on PostgreSQL, through the real app."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.followups.conftest import add_client, followups, set_member
from tests.followups.test_command import FRIDAY


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'rapport.db'}"
    else:
        yield request.getfixturevalue("pg_url")


def test_many_people_creating_follow_ups_at_once_all_get_their_own_number(rapport):
    """A Monday stand-up: twenty people type /followup in the same second. Each gets a follow-up
    and a number of its own; nobody's command fails because another took the number first."""
    add_client(rapport.runtime, "Tanaka Trading", "JP", "Asia/Tokyo")
    for n in range(20):
        set_member(rapport.runtime, f"U{100 + n}", "Europe/London")
    rapport.clock.set(FRIDAY)

    def command(n: int):
        return rapport.send.command("/followup", f"Tanaka Trading in 3 days send quote {n}", user=f"U{100 + n}")

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(command, range(20)))
    assert all(result.status == 200 for result in results)
    answers = rapport.slack.wait_for("response", count=20, timeout=30)
    assert all(":white_check_mark:" in answer.args["text"] for answer in answers), [a.args["text"] for a in answers]
    rows = followups(rapport.runtime)
    assert sorted(row.short_id for row in rows) == list(range(1, 21))
    assert sorted(row.what for row in rows) == sorted(f"send quote {n}" for n in range(20))
