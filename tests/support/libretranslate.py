"""A LibreTranslate-compatible server on loopback, for tests and benchmarks.

It speaks the parts of LibreTranslate's HTTP API that clients use — ``POST /translate``
(``q``, ``source``, ``target``, ``format``, ``api_key`` as query string, form or JSON, the way
deep-translator's ``LibreTranslator`` sends them), ``GET /languages`` and ``POST /detect`` —
and "translates" deterministically so that a test can tell what reached the provider and what
came back: the answer is ``[<target>] `` followed by the text with every run of letters upper-cased
(``hello <x>`` → ``[ja] HELLO <x>``). Digits, symbols and whitespace pass through unchanged.

Modes: ``mode = "hang"`` keeps requests waiting (until ``release()``/``stop()``), ``"fail"``
answers 500; ``mangle`` imitates real translators roughing up placeholders (``"spaces"``,
``"fullwidth"``, ``"drop"``). ``requests`` records every translate request; ``calls`` counts them.
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

LANGUAGES = ("en", "ar", "zh", "fr", "de", "hi", "id", "ga", "it", "ja", "ko", "pl", "pt", "ru", "es", "tr", "vi", "nl")
_LETTERS = re.compile(r"[^\W\d_]+")
_PLACEHOLDER = re.compile(r"⟦(\d+)⟧")
_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def fake_translation(text: str, target: str) -> str:
    """What the fake answers for ``text`` into ``target``: a marked, letter-upper-cased copy."""
    return f"[{target}] " + _LETTERS.sub(lambda m: m[0].upper(), text)


@dataclass
class Received:
    """One translate request as the server saw it."""

    q: Any
    source: str | None
    target: str | None
    format: str | None
    api_key: str | None
    at: float = field(default_factory=time.monotonic)


class FakeLibreTranslate:
    """The server; ``url`` ends with ``/`` (deep-translator appends ``translate`` to it)."""

    def __init__(self, *, api_key: str | None = None, languages: tuple[str, ...] = LANGUAGES) -> None:
        self.required_api_key = api_key
        self.languages = languages
        self.mode = "ok"
        self.mangle: str | None = None
        self.hang_seconds = 30.0
        self.requests: list[Received] = []
        self._lock = threading.Lock()
        self._release = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    # --- lifecycle -----------------------------------------------------------------
    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        assert isinstance(host, str)  # an AF_INET socket's address: (host text, port)
        return f"http://{host}:{port}/"

    def start(self) -> FakeLibreTranslate:
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-libretranslate", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()
        if self._thread is not None:
            self._server.shutdown()
        self._server.server_close()

    def release(self) -> None:
        """Let hanging requests finish (they then answer normally)."""
        self._release.set()

    def __enter__(self) -> FakeLibreTranslate:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- inspection ----------------------------------------------------------------
    @property
    def calls(self) -> int:
        """How many translate requests arrived (whatever their outcome)."""
        with self._lock:
            return len(self.requests)

    @property
    def texts(self) -> list[str]:
        """The ``q`` of every translate request, in order."""
        with self._lock:
            return [r.q if isinstance(r.q, str) else json.dumps(r.q) for r in self.requests]

    # --- answering -----------------------------------------------------------------
    def translate(self, q: str, target: str) -> str:
        translated = fake_translation(q, target)
        if self.mangle == "spaces":
            translated = _PLACEHOLDER.sub(lambda m: f"⟦ {m[1]} ⟧", translated)
        elif self.mangle == "fullwidth":
            translated = _PLACEHOLDER.sub(lambda m: f"⟦{m[1].translate(_FULLWIDTH)}⟧", translated)
        elif self.mangle == "drop":
            translated = _PLACEHOLDER.sub("", translated)
        return translated

    def _answer(self, path: str, args: dict[str, Any]) -> tuple[int, Any]:
        if path == "/languages":
            return 200, [{"code": c, "name": c, "targets": list(self.languages)} for c in self.languages]
        if path == "/detect":
            q = str(args.get("q") or "")
            return 200, [{"confidence": 90.0, "language": "en" if q.isascii() else "ja"}]
        if path != "/translate":
            return 404, {"error": "Not Found"}
        received = Received(
            args.get("q"), args.get("source"), args.get("target"), args.get("format"), args.get("api_key")
        )
        with self._lock:
            self.requests.append(received)
        if self.mode == "hang":
            self._release.wait(self.hang_seconds)
        if self.mode == "fail":
            return 500, {"error": "Internal Server Error (fake)"}
        if self.required_api_key and received.api_key != self.required_api_key:
            return 403, {"error": "Invalid API key"}
        if received.q is None or not received.target:
            return 400, {"error": "Invalid request: missing q or target parameter"}
        if received.target not in self.languages or (received.source not in (*self.languages, "auto")):
            return 400, {"error": f"{received.source}->{received.target} is not supported"}
        if isinstance(received.q, list):
            return 200, {"translatedText": [self.translate(str(q), received.target) for q in received.q]}
        body: dict[str, Any] = {"translatedText": self.translate(str(received.q), received.target)}
        if received.source == "auto":
            body["detectedLanguage"] = {"confidence": 90.0, "language": "en"}
        return 200, body

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
                return

            def do_GET(self) -> None:
                self._handle()

            def do_POST(self) -> None:
                self._handle()

            def _handle(self) -> None:
                parsed = urlparse(self.path)
                args: dict[str, Any] = {k: v[0] for k, v in parse_qs(parsed.query).items()}
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                content_type = self.headers.get("Content-Type") or ""
                if raw and "json" in content_type:
                    try:
                        args.update(json.loads(raw))
                    except ValueError:
                        self._send(400, {"error": "Invalid JSON"})
                        return
                elif raw:
                    args.update({k: v[0] for k, v in parse_qs(raw.decode()).items()})
                status, body = fake._answer(parsed.path, args)
                data = json.dumps(body, ensure_ascii=False).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client gave up (a hanging request past its timeout)

            def _send(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler
