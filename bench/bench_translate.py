"""Benchmark: a cached `/translate` answer, end to end inside the app (target: < 5 ms median).

Measures the slash-command function path exactly as the Bolt listener runs it after ack() —
``run_command`` → parsing → language lookup → glossary and cache read from the database →
markup restore → Block Kit — with the translation already cached (a fake LibreTranslate on
loopback fills the cache once; the benchmark fails if it is called again). Delivery to Slack
(one HTTP post to the response_url) is not part of the number.

Run: ``.venv/bin/python -m bench.bench_translate [iterations]``
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from bot.app import build_runtime
from bot.settings import Settings
from bot.slack import build_client
from bot.standin import SlackStandIn
from db.migrate import upgrade
from db.session import make_engine
from handlers.common.commands import Command, run_command
from handlers.translate.command import USAGE, translate_command
from handlers.translate.detect import detector
from tests.support.libretranslate import FakeLibreTranslate

CASES = {
    "to Japanese + mention + link": "to Japanese hello <@U123> see <https://x.test|the doc>, thanks for your order!",
    "foreign text, no target (asker's locale)": "Vielen Dank für Ihre Bestellung. Wir liefern morgen früh.",
}


def main(iterations: int = 500) -> int:
    folder = Path(tempfile.mkdtemp(prefix="rapport-bench-"))
    slack = SlackStandIn(team_id="T1").start()
    slack.add_user("U1", tz="Europe/London", locale="en-GB", name="Ada")
    with FakeLibreTranslate() as libre:
        settings = Settings.from_env(
            {
                "SLACK_BOT_TOKEN": "xoxb-bench",
                "SLACK_SIGNING_SECRET": "bench",
                "SLACK_API_URL": slack.url,
                "DATABASE_URL": f"sqlite:///{folder / 'bench.db'}",
                "TRANSLATOR": "libre",
                "LIBRETRANSLATE_URL": libre.url,
            }
        )
        engine = make_engine(settings.database_url)
        upgrade(engine)
        runtime = build_runtime(settings, engine=engine)
        client = build_client(settings)
        detector()  # built at start-up in the app (listeners.register warms it up)

        def command(text: str) -> Command:
            return Command("/translate", text, "T1", "U1", "C1", client, runtime, response_url=None)

        failed = False
        print(f"cached /translate answers, {iterations} runs each (SQLite file database)")
        for label, text in CASES.items():
            first = run_command(command(text), translate_command, USAGE)
            assert first is not None and first.blocks, first
            calls = libre.calls
            for _ in range(20):  # warm-up
                run_command(command(text), translate_command, USAGE)
            samples = []
            for _ in range(iterations):
                started = time.perf_counter()
                reply = run_command(command(text), translate_command, USAGE)
                samples.append((time.perf_counter() - started) * 1000)
                assert reply is not None and reply.blocks
            if libre.calls != calls:
                print(f"  {label}: the provider was called again — the cache did not answer")
                failed = True
            samples.sort()
            median = statistics.median(samples)
            p95 = samples[int(len(samples) * 0.95) - 1]
            verdict = "ok" if median < 5 else "TOO SLOW"
            print(f"  {label:45s} median {median:6.2f} ms   p95 {p95:6.2f} ms   max {samples[-1]:6.2f} ms   {verdict}")
            failed = failed or median >= 5
        engine.dispose()
    slack.stop()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 500))
