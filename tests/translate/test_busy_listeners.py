"""Slow answers (a translation that hangs) never hold back another command's acknowledgement."""

from __future__ import annotations

import threading
import time

from tests.fakes.libre_app import TIMEOUT
from tests.followups.conftest import set_member


def test_eight_hanging_translations_do_not_delay_a_contact_answer(rapport, libre):
    set_member(rapport.runtime, "U1", "Europe/London")
    rapport.send.on_ack = None
    rapport.send.command("/contact", "Japan")  # the country names and cards load on first use
    libre.mode = "hang"
    statuses: list[int] = []
    senders = [
        threading.Thread(
            target=lambda: statuses.append(rapport.send.command("/translate", "to Japanese hello there").status)
        )
        for _ in range(8)
    ]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()
    assert statuses == [200] * 8
    time.sleep(0.3)  # the eight listeners are now waiting on the translator
    started = time.monotonic()
    answer = rapport.send.command("/contact", "Japan")
    elapsed = time.monotonic() - started
    assert answer.status == 200 and elapsed < 1.0, elapsed  # with Bolt's 5 threads it waited for a translation
    assert "contact Japan" in answer.json()["text"]
    libre.release()
    rapport.slack.wait_for("response", count=8, timeout=TIMEOUT + 10)
