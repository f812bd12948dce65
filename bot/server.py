"""HTTP mode: one WSGI application serving /slack/events and /healthz.

``python -m bot`` serves it with a threaded wsgiref server; the Procfile's ``web`` serves
``bot.wsgi:application()`` with gunicorn.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from slack_bolt import App
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.adapter.wsgi.http_response import WsgiHttpResponse
from slack_bolt.request import BoltRequest
from sqlalchemy import Engine

from db.session import ping

logger = logging.getLogger(__name__)

StartResponse = Callable[..., Any]


MAX_BODY = 1 << 20  # bytes: Slack's payloads are far smaller (a modal's state at most some 100 KB)
SIGNATURE_WINDOW = 5 * 60  # seconds a request's timestamp may differ from our clock (Slack's v0 rule)


def wsgi_app(
    app: App, engine: Engine, signing_secret: str | None = None
) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    """The WSGI callable: Slack requests to Bolt, health checks answered here, anything else 404.

    Both servers (``python -m bot``'s and gunicorn's) run this, so a request meets the same checks
    in either: its v0 signature first (401 when missing, malformed, stale or wrong, whatever the
    body holds), then its body (400 when Slack could not have sent it), and only then Bolt.
    ``signing_secret`` defaults to the app's; without one no request to /slack/events is accepted.
    """
    secret = signing_secret if signing_secret is not None else getattr(app, "_signing_secret", "") or ""

    def slack_events(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if length < 0:
            logger.warning("refused a request to /slack/events: Content-Length is not a length")
            return _json(start_response, "400 Bad Request", {"ok": False, "error": "bad_content_length"})
        if length > MAX_BODY:
            logger.warning("refused a request to /slack/events: %s bytes is more than Slack sends", length)
            return _json(start_response, "413 Content Too Large", {"ok": False, "error": "too_large"})
        raw = environ["wsgi.input"].read(length) if length else b""
        if raw == b"ssl_check=1" or raw.startswith(b"ssl_check=1&"):
            # Slack's certificate check is not signed and wants only a 200; nothing is done for it.
            return _json(start_response, "200 OK", {"ok": True})
        refusal = _signature_problem(
            secret, raw, environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP"), environ.get("HTTP_X_SLACK_SIGNATURE")
        )
        if refusal:
            logger.warning("refused a request to /slack/events: %s", refusal)
            return _json(start_response, "401 Unauthorized", {"ok": False, "error": "invalid_signature"})
        try:
            request = BoltRequest(
                body=raw.decode("utf-8"),
                query=environ.get("QUERY_STRING", ""),
                headers=WsgiHttpRequest(environ).get_headers(),
            )
            if not isinstance(request.body, dict):
                raise ValueError(f"the body is a JSON {type(request.body).__name__}, not an object")
        except Exception as error:  # noqa: BLE001 - whatever Bolt cannot read is a malformed request
            logger.warning("refused a signed request to /slack/events with a malformed body: %s", _one_line(error))
            return _json(start_response, "400 Bad Request", {"ok": False, "error": "malformed_body"})
        try:
            answer = app.dispatch(request)
        except Exception:
            logger.exception("could not handle a request to /slack/events")
            return _json(start_response, "500 Internal Server Error", {"ok": False, "error": "server_error"})
        return _bolt_answer(start_response, answer)

    def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == "/healthz" and method in ("GET", "HEAD"):
            healthy = ping(engine)
            body = {"ok": healthy, "database": "ok" if healthy else "unreachable"}
            return _json(start_response, "200 OK" if healthy else "503 Service Unavailable", body)
        if path == "/slack/events" and method == "POST":
            return slack_events(environ, start_response)
        flow = app.oauth_flow
        if flow is not None and method == "GET" and path in (flow.install_path, flow.redirect_uri_path):
            return oauth_page(environ, start_response, flow)
        return _json(start_response, "404 Not Found", {"ok": False, "error": "not_found"})

    return application


def oauth_page(environ: dict[str, Any], start_response: StartResponse, flow: Any) -> Iterable[bytes]:
    """``GET /slack/install`` (the Add to Slack page, a state cookie set) and ``GET
    /slack/oauth_redirect`` (state checked, code exchanged, installation saved): Bolt's OAuthFlow."""
    request = BoltRequest(
        body="", query=environ.get("QUERY_STRING", ""), headers=WsgiHttpRequest(environ).get_headers(), mode="http"
    )
    try:
        if environ.get("PATH_INFO") == flow.install_path:
            answer = flow.handle_installation(request)
        else:
            answer = flow.handle_callback(request)
    except Exception:
        logger.exception("the OAuth flow failed")
        return _json(start_response, "500 Internal Server Error", {"ok": False, "error": "server_error"})
    return _bolt_answer(start_response, answer)


def _bolt_answer(start_response: StartResponse, answer: Any) -> Iterable[bytes]:
    """A Bolt response, written out through WSGI."""
    response = WsgiHttpResponse(status=answer.status, headers=answer.headers, body=answer.body)
    start_response(response.status, response.get_headers())
    return response.get_body()


def _signature_problem(secret: str, body: bytes, timestamp: str | None, signature: str | None) -> str | None:
    """Why a request fails Slack's v0 signature check, or None when it passes.

    Checked on the raw bytes before anything parses them, and total: no header value can make it
    raise (slack_sdk's verifier raises ValueError on a timestamp that is not a number).
    """
    if not secret:
        return "no signing secret is configured"
    if not timestamp or not signature:
        return "no X-Slack-Request-Timestamp or X-Slack-Signature header"
    if not (timestamp.isascii() and timestamp.isdigit()):
        return "X-Slack-Request-Timestamp is not a number"
    if abs(time.time() - int(timestamp)) > SIGNATURE_WINDOW:
        return "stale X-Slack-Request-Timestamp (more than 5 minutes away)"
    digest = hmac.new(secret.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    given = signature.encode("latin-1", errors="replace")  # WSGI hands headers over as latin-1 text
    if not hmac.compare_digest(f"v0={digest}".encode(), given):
        return "wrong X-Slack-Signature"
    return None


def _json(start_response: StartResponse, status: str, body: dict[str, Any]) -> list[bytes]:
    data = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


def _one_line(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0][:200]}" if text else type(error).__name__


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # the default backlog of 5 resets connections under a burst of commands


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        logger.debug("%s - %s", self.address_string(), format % args)


def serve(application: Callable[..., Iterable[bytes]], port: int, host: str = "0.0.0.0") -> WSGIServer:
    """Start serving in a background thread; returns the server (call ``shutdown()`` to stop)."""
    server = make_server(host, port, application, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler)
    # The serving loop looks for shutdown() this often: a stop (SIGTERM, a test's teardown) takes
    # a tenth of a second, not the half second of the standard library's default.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="http", daemon=True)
    thread.start()
    logger.info("listening on http://%s:%s (POST /slack/events, GET /healthz)", host, server.server_port)
    return server
