"""Benchmark: 20 concurrent `/contact` requests through the HTTP endpoint; p50/p99 latency.

Runs the real app (``python -m bot``, HTTP mode, SQLite) in a child process against the
Slack stand-in in this process, adds clients over the wire, then sends rounds of 20 signed
`/contact` requests at once. Latency is from sending a request to its answer reaching the
response_url (what the person waits for); the HTTP acknowledgement time is shown too.

    .venv/bin/python bench/bench_contact.py [--rounds 15] [--concurrency 20] [--server gunicorn|embedded]

``gunicorn`` (default) is the Procfile's web process; ``embedded`` is ``python -m bot``.

Target (issue 3): p99 under 300 ms on a 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.standin import Call, SlackStandIn  # noqa: E402
from tests.slack_requests import SlackSender  # noqa: E402

SECRET = "bench-signing-secret"
CLIENTS = [
    'Müller Maschinenbau country:Deutschland contact:"Dr. Anna Müller"',
    'Dubois et Fils country:FR contact:"Claire Dubois"',
    'Tanaka Shoji country:JP contact:"Tanaka Hiroshi"',
    "Al Noor Trading country:SA",
    "Acme Inc country:US tz:America/Chicago",
    "Maple Leaf Foods country:CA city:Toronto",
    "Sydney Harbour Co country:AU tz:Australia/Sydney",
    "Mumbai Textiles country:IN",
    "Kathmandu Treks country:NP",
    "Lagos Logistics country:NG",
    "São Paulo Café country:BR tz:America/Sao_Paulo",
    "Beijing Parts country:CN tz:Asia/Shanghai",
    "Seoul Semis country:KR",
    "Madrid Moda country:ES city:Madrid",
    "Milano Design country:IT",
    "Warsaw Windows country:PL",
    "Ghana Gold country:GH",
    "Auckland Apps country:NZ tz:Pacific/Auckland",
    "Istanbul Ipek country:TR",
    "Mexico Motores country:MX tz:America/Mexico_City",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


class Arrivals:
    """When each response_url received its answer (monotonic seconds)."""

    def __init__(self) -> None:
        self.times: dict[str, float] = {}
        self.texts: dict[str, str] = {}
        self.cond = threading.Condition()

    def __call__(self, call: Call) -> None:
        if call.method == "response":
            with self.cond:
                self.times[call.args.get("_id", "")] = time.monotonic()
                self.texts[call.args.get("_id", "")] = str(call.args.get("text", ""))
                self.cond.notify_all()

    def wait(self, ids: list[str], timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        with self.cond:
            while not all(i in self.times for i in ids):
                left = deadline - time.monotonic()
                if left <= 0:
                    missing = [i for i in ids if i not in self.times]
                    raise SystemExit(f"no answer for {len(missing)} request(s): {missing[:5]}")
                self.cond.wait(left)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument(
        "--server",
        choices=("embedded", "gunicorn"),
        default="gunicorn",
        help="embedded: `python -m bot` (wsgiref, threads); gunicorn: the Procfile's web process",
    )
    args = parser.parse_args()

    slack = SlackStandIn(team_id="T1").start()
    slack.add_user("U1", tz="Europe/London", name="Ada")
    arrivals = Arrivals()
    slack.listeners.append(arrivals)
    port = _free_port()
    workdir = tempfile.mkdtemp(prefix="rapport-bench-")
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack.url,
        "DATABASE_URL": f"sqlite:///{workdir}/bench.db",
        "PORT": str(port),
        "LOG_LEVEL": "WARNING",
        "DISPATCH_INTERVAL": "30",
    }
    env.pop("SLACK_APP_TOKEN", None)
    if args.server == "gunicorn":
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        # The Procfile's web line; it serves without migrating, so migrate first as `release` does.
        subprocess.run([sys.executable, "-m", "bot", "migrate"], cwd=ROOT, env=env, check=True, capture_output=True)
        command = [
            gunicorn,
            "--workers",
            "2",
            "--threads",
            "8",
            "--bind",
            f"127.0.0.1:{port}",
            "bot.wsgi:application()",
        ]
    else:
        command = [sys.executable, "-m", "bot"]
    app = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.1)
        else:
            raise SystemExit("the app did not become healthy")
        counter = iter(range(10**9))

        def send(command: str, text: str) -> tuple[str, float, float]:
            rid = f"b{next(counter)}"
            sender = SlackSender(f"{base}/slack/events", SECRET, team_id="T1", response_url_base=slack.base)
            started = time.monotonic()
            result = sender.command(command, text, response_url=f"{slack.base}/response/{rid}")
            if result.status != 200:
                raise SystemExit(f"{command} {text!r} got HTTP {result.status}")
            return rid, started, time.monotonic() - started

        # Clients, added over the wire; then one warm-up question each.
        ids = [send("/client", f"add {spec}")[0] for spec in CLIENTS]
        arrivals.wait(ids)
        refused = [arrivals.texts[i][:120] for i in ids if "Added" not in arrivals.texts[i]]
        if refused:
            raise SystemExit(f"clients refused: {refused}")
        names = [spec.split(" country:")[0] for spec in CLIENTS]
        ids = [send("/contact", name)[0] for name in names]
        arrivals.wait(ids)

        latencies: list[float] = []
        acks: list[float] = []
        refused: list[int] = []
        for round_number in range(args.rounds):
            results: list[tuple[str, float, float]] = []
            lock = threading.Lock()
            barrier = threading.Barrier(args.concurrency)

            def one(index: int, results=results, lock=lock, barrier=barrier) -> None:
                barrier.wait()
                try:
                    outcome = send("/contact", names[index % len(names)] if index % 4 else "Japan")
                except OSError:  # the server's listen backlog overflowed: the request never got in
                    with lock:
                        refused.append(index)
                    return
                with lock:
                    results.append(outcome)

            threads = [threading.Thread(target=one, args=(i,)) for i in range(args.concurrency)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            arrivals.wait([rid for rid, _, _ in results])
            for rid, started, ack in results:
                latencies.append((arrivals.times[rid] - started) * 1000)
                acks.append(ack * 1000)
                if "good time to contact" not in arrivals.texts[rid].lower():
                    raise SystemExit(f"unexpected answer: {arrivals.texts[rid][:200]}")
            time.sleep(0.2 if round_number < args.rounds - 1 else 0)

        print(
            f"/contact through HTTP ({args.server} server): "
            f"{args.rounds} rounds x {args.concurrency} concurrent requests "
            f"({len(latencies)} answers), {os.cpu_count()} CPU(s)"
        )
        print(
            f"  answer latency  p50 {statistics.median(latencies):7.1f} ms   p99 {_percentile(latencies, 0.99):7.1f} ms"
            f"   max {max(latencies):7.1f} ms"
        )
        print(f"  HTTP ack        p50 {statistics.median(acks):7.1f} ms   p99 {_percentile(acks, 0.99):7.1f} ms")
        if refused:
            print(f"  {len(refused)} request(s) could not connect (connection reset: listen backlog full)")
        target = _percentile(latencies, 0.99) < 300 and not refused
        print(f"  target p99 < 300 ms: {'met' if target else 'NOT met'}")
        return 0
    finally:
        app.terminate()
        try:
            app.wait(timeout=10)
        except subprocess.TimeoutExpired:
            app.kill()
        slack.stop()


if __name__ == "__main__":
    sys.exit(main())
