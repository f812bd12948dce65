"""Benchmark: `/contact` as a team feels it, beside a bare Bolt app on the same HTTP stack.

Runs Rapport (``python -m bot`` on SQLite, or the Procfile's gunicorn ``web``, on SQLite or
PostgreSQL) and the bare Bolt app of ``bench/bare_bolt.py`` (a constant answer in its ack) as
child processes against the Slack stand-in in this process. An answer's latency is from sending
the signed request to the answer being shown: the acknowledgement when it carries the answer,
else its arrival at the response_url.

Modes:
- ``closed`` (default): N requests always in flight (``--concurrency``), ``--count`` answers a
  round, rounds alternating between the bare app and Rapport; prints p50/p99 and answers/s of
  each and the ratios. This is what a team asking at once feels.
- ``burst``: rounds of N requests sent at once with a pause between rounds (the issue 3 bench).

    .venv/bin/python bench/bench_contact.py [--mode closed] [--server embedded|gunicorn]
        [--concurrency 20] [--count 400] [--rounds 3] [--database-url postgresql://…]

Targets (issue 11): closed loop, 20 in flight, ``python -m bot`` on SQLite: p99 under 300 ms and
p50 within 3× the bare Bolt app's p50 in the same run (stretch 1.5×); the same for the Procfile
``web`` on PostgreSQL.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.standin import Call, SlackStandIn  # noqa: E402
from tests.support.slack_requests import sign  # noqa: E402

SECRET = "bench-signing-secret"
CLIENTS = [
    'Müller Maschinenbau country:Deutschland contact:"Dr. Anna Müller"',
    'Dubois et Fils country:FR contact:"Mme Claire Dubois"',
    'Tanaka Shoji country:JP contact:"Tanaka, Hiroshi"',
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
NAMES = [spec.split(" country:")[0] for spec in CLIENTS]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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

    def wait_one(self, rid: str, timeout: float = 30.0) -> tuple[float, str]:
        deadline = time.monotonic() + timeout
        with self.cond:
            while rid not in self.times:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise SystemExit(f"no answer for {rid}")
                self.cond.wait(left)
            return self.times.pop(rid), self.texts.pop(rid)


@dataclass
class Server:
    """One app under test: its process, port and name."""

    name: str
    process: subprocess.Popen[bytes]
    port: int
    counter: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_id(self) -> str:
        with self.lock:
            self.counter += 1
            return f"{self.name[0]}{self.counter}"


def _slash(server: Server, slack: SlackStandIn, arrivals: Arrivals, command: str, text: str) -> tuple[float, str]:
    """One signed slash command over a new connection (as Slack sends them); (latency s, answer)."""
    rid = server.next_id()
    body = urllib.parse.urlencode(
        {
            "team_id": "T1",
            "team_domain": "bench",
            "channel_id": "C1",
            "channel_name": "general",
            "user_id": "U1",
            "user_name": "ada",
            "command": command,
            "text": text,
            "api_app_id": "A1",
            "trigger_id": "1.2.3",
            "response_url": f"{slack.base}/response/{rid}",
        }
    )
    headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(SECRET, body)}
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.request("POST", "/slack/events", body=body.encode(), headers=headers)
        response = connection.getresponse()
        raw = response.read()
        acked = time.monotonic()
    finally:
        connection.close()
    if response.status != 200:
        raise SystemExit(f"{server.name}: {command} {text!r} got HTTP {response.status}")
    if raw.startswith(b"{"):
        return acked - started, str(json.loads(raw).get("text", ""))
    arrived, answer = arrivals.wait_one(rid)
    return arrived - started, answer


def _start(name: str, command: list[str], env: dict[str, str], port: int) -> Server:
    process = subprocess.Popen(command, cwd=ROOT, env={**env, "PORT": str(port)})
    for _ in range(300):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
                if response.status == 200:
                    return Server(name, process, port)
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"{name} did not become healthy")


def _closed_round(
    server: Server, slack: SlackStandIn, arrivals: Arrivals, concurrency: int, count: int
) -> tuple[list[float], float]:
    """``count`` answers with ``concurrency`` requests always in flight: (latencies ms, seconds)."""
    latencies: list[float] = []
    lock = threading.Lock()
    issued = iter(range(count))

    def worker() -> None:
        for index in issued:  # the shared iterator hands out the next request number
            name = NAMES[index % len(NAMES)] if index % 4 else "Japan"
            latency, answer = _slash(server, slack, arrivals, "/contact", name)
            if "good time to contact" not in answer.lower():
                raise SystemExit(f"{server.name}: unexpected answer {answer[:200]!r}")
            with lock:
                latencies.append(latency * 1000)

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, time.monotonic() - started


def _report(name: str, latencies: list[float], seconds: float) -> tuple[float, float, float]:
    p50, p99 = statistics.median(latencies), _percentile(latencies, 0.99)
    rate = len(latencies) / seconds
    print(f"  {name:<28} p50 {p50:7.1f} ms   p99 {p99:7.1f} ms   {rate:7.1f} answers/s   ({len(latencies)} answers)")
    return p50, p99, rate


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("closed", "burst"), default="closed")
    parser.add_argument("--server", choices=("embedded", "gunicorn"), default="embedded")
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--count", type=int, default=400, help="answers per round (closed mode)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per app (closed) or bursts (burst)")
    parser.add_argument("--database-url", default="", help="Rapport's database (default: a new SQLite file)")
    args = parser.parse_args()

    slack = SlackStandIn(team_id="T1").start()
    slack.add_user("U1", tz="Europe/London", name="Ada")
    arrivals = Arrivals()
    slack.listeners.append(arrivals)
    workdir = tempfile.mkdtemp(prefix="rapport-bench-")
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack.url,
        "DATABASE_URL": args.database_url or f"sqlite:///{workdir}/bench.db",
        "LOG_LEVEL": "WARNING",
        "DISPATCH_INTERVAL": "30",
    }
    env.pop("SLACK_APP_TOKEN", None)
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    web = ["--workers", "2", "--threads", "8", "--bind"]
    if args.server == "gunicorn":
        # The Procfile's web line serves without migrating, so migrate first as `release` does.
        subprocess.run([sys.executable, "-m", "bot", "migrate"], cwd=ROOT, env=env, check=True, capture_output=True)
    servers: list[Server] = []
    try:
        port = _free_port()
        rapport_command = (
            [gunicorn, *web, f"127.0.0.1:{port}", "bot.wsgi:application()"]
            if args.server == "gunicorn"
            else [sys.executable, "-m", "bot"]
        )
        rapport = _start("rapport", rapport_command, env, port)
        servers.append(rapport)
        for spec in CLIENTS:
            _, answer = _slash(rapport, slack, arrivals, "/client", f"add {spec}")
            if "Added" not in answer:
                raise SystemExit(f"client refused: {answer[:200]}")
        for name in NAMES:  # warm-up: one question each
            _slash(rapport, slack, arrivals, "/contact", name)
        if args.mode == "burst":
            return _burst(rapport, slack, arrivals, args, env["DATABASE_URL"])
        port = _free_port()
        bare_command = (
            [gunicorn, *web, f"127.0.0.1:{port}", "--pythonpath", "bench", "bare_bolt:application()"]
            if args.server == "gunicorn"
            else [sys.executable, "bench/bare_bolt.py"]
        )
        bare = _start("bare", bare_command, env, port)
        servers.append(bare)
        for _ in range(20):
            _slash(bare, slack, arrivals, "/contact", "warm-up")
        results: dict[str, tuple[list[float], float]] = {"bare": ([], 0.0), "rapport": ([], 0.0)}
        for _ in range(args.rounds):
            for server in (bare, rapport):  # alternating rounds: both see the same machine
                latencies, seconds = _closed_round(server, slack, arrivals, args.concurrency, args.count)
                results[server.name][0].extend(latencies)
                results[server.name] = (results[server.name][0], results[server.name][1] + seconds)
        database = "PostgreSQL" if env["DATABASE_URL"].startswith("postgres") else "SQLite"
        print(
            f"/contact, closed loop: {args.concurrency} in flight, {args.rounds} alternating rounds of "
            f"{args.count} answers, {args.server} server, {database}, {os.cpu_count()} CPU(s)"
        )
        bare_p50, _, bare_rate = _report("bare Bolt (constant ack)", *results["bare"])
        p50, p99, rate = _report("Rapport /contact", *results["rapport"])
        print(f"  ratio: p50 {p50 / bare_p50:.2f}x the bare app's, answers/s {rate / bare_rate:.2f}x")
        print(f"  target p99 < 300 ms: {'met' if p99 < 300 else 'NOT met'}")
        print(f"  target p50 within 3x the bare app's: {'met' if p50 <= 3 * bare_p50 else 'NOT met'}")
        print(f"  stretch p50 within 1.5x: {'met' if p50 <= 1.5 * bare_p50 else 'not met'}")
        return 0
    finally:
        for server in servers:
            server.process.terminate()
            try:
                server.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.process.kill()
        slack.stop()


def _burst(rapport: Server, slack: SlackStandIn, arrivals: Arrivals, args: argparse.Namespace, url: str) -> int:
    """Rounds of ``concurrency`` requests sent at once, with a pause between rounds."""
    latencies: list[float] = []
    for round_number in range(args.rounds):
        barrier = threading.Barrier(args.concurrency)
        lock = threading.Lock()

        def one(index: int, barrier: threading.Barrier = barrier, lock: threading.Lock = lock) -> None:
            barrier.wait()
            latency, answer = _slash(rapport, slack, arrivals, "/contact", NAMES[index % len(NAMES)])
            if "good time to contact" not in answer.lower():
                raise SystemExit(f"unexpected answer: {answer[:200]}")
            with lock:
                latencies.append(latency * 1000)

        threads = [threading.Thread(target=one, args=(i,)) for i in range(args.concurrency)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        time.sleep(0.2 if round_number < args.rounds - 1 else 0)
    database = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    print(f"/contact, bursts: {args.rounds} x {args.concurrency} at once, {args.server} server, {database}")
    p50, p99 = statistics.median(latencies), _percentile(latencies, 0.99)
    print(f"  answer latency  p50 {p50:7.1f} ms   p99 {p99:7.1f} ms   max {max(latencies):7.1f} ms")
    print(f"  target p99 < 300 ms: {'met' if p99 < 300 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
