"""The one Web API client: Slack's base URL from settings, timeouts, retries made explicit, and
HTTP connections kept alive."""

from __future__ import annotations

import io
import logging
from http.client import HTTPException, HTTPMessage
from typing import Any, cast
from urllib.error import HTTPError, URLError
from urllib.request import Request

import urllib3
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.settings import Settings

WEB_API_TIMEOUT = 10  # seconds; no listener may wait on Slack longer than this per call
POOL_SIZE = 32  # idle connections kept per host: the dispatcher's posters plus Bolt's listener threads


class KeepAliveWebClient(WebClient):
    """A ``WebClient`` whose HTTP connections are reused between calls.

    slack_sdk sends every call through ``urllib.request.urlopen``, which opens (and for Slack,
    TLS-handshakes) a new connection each time. This client hands the same prepared request to a
    ``urllib3.PoolManager`` instead, which keeps connections alive, notices when the server has
    closed an idle one, and is safe to share between threads. Everything else — arguments,
    retry handlers, errors, ``SlackResponse`` — is slack_sdk's own: answers come back in the
    shape ``urlopen`` gives (non-2xx as ``urllib.error.HTTPError``, connection failures as
    ``URLError``/``TimeoutError``), so the retry handlers see exactly what they expect.
    """

    def __init__(
        self, *args: Any, pool_size: int = POOL_SIZE, pool: urllib3.PoolManager | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _settle_level(self._logger)
        self._pool = (
            pool
            if pool is not None
            else urllib3.PoolManager(num_pools=4, maxsize=pool_size, block=False, retries=False, ssl_context=self.ssl)
        )

    def for_request(self, token: str | None, team_id: str | None) -> KeepAliveWebClient:
        """A client for one request, as Bolt makes per request, sharing this one's connections."""
        return KeepAliveWebClient(
            token=token,
            base_url=self.base_url,
            timeout=self.timeout,
            ssl=self.ssl,
            proxy=self.proxy,
            headers=self.headers,
            team_id=team_id,
            logger=self._logger,
            retry_handlers=list(self.retry_handlers),
            pool=self._pool,
        )

    def __deepcopy__(self, memo: dict[int, Any]) -> KeepAliveWebClient:
        # Bolt deep-copies the request (client included) for lazy listeners; a pool's locks cannot
        # be copied, and need not be: the copy shares it.
        return self.for_request(self.token, self.default_params.get("team_id"))

    def _perform_urllib_http_request_internal(self, url: str, req: Request) -> dict[str, Any]:
        if self.proxy is not None or not url.lower().startswith(("http://", "https://")):
            return super()._perform_urllib_http_request_internal(url, req)
        try:
            response = self._pool.request(
                req.get_method(),
                url,
                body=cast("bytes | None", req.data),  # slack_sdk's Request carries bytes or nothing
                headers=dict(req.header_items()),
                timeout=urllib3.Timeout(connect=self.timeout, read=self.timeout),
                retries=False,
                redirect=False,
            )
        except urllib3.exceptions.ReadTimeoutError as error:
            raise TimeoutError(f"Slack did not answer within {self.timeout} s") from error
        except urllib3.exceptions.ProtocolError as error:
            cause = error.args[1] if len(error.args) > 1 and isinstance(error.args[1], BaseException) else None
            if isinstance(cause, HTTPException | ConnectionResetError):
                # As urlopen raises them: a reset or disconnect is retried by slack_sdk's handler,
                # an answer cut off midway (Slack may have acted on it) is not.
                raise cause from error
            raise URLError(cause or error) from error
        except urllib3.exceptions.HTTPError as error:  # could not connect (refused, DNS, TLS, timeout)
            raise URLError(error.__context__ or error) from error
        headers = HTTPMessage()
        for name, value in response.headers.items():
            headers[name] = value
        if not 200 <= response.status < 300:
            raise HTTPError(url, response.status, response.reason or "", headers, io.BytesIO(response.data))
        if headers.get_content_type() == "application/gzip":  # admin.analytics.getFile
            return {"status": response.status, "headers": headers, "body": response.data}
        body = response.data.decode(headers.get_content_charset() or "utf-8")
        return {"status": response.status, "headers": headers, "body": body}


def _settle_level(log: logging.Logger) -> None:
    """Give slack_sdk's logger the level logging would apply anyway.

    slack_sdk guards its debug output with ``logger.level <= DEBUG``, which is true for a logger
    left at NOTSET: every call would format the whole request (blocks and all) into a debug line
    that is then dropped. Pinning the effective level keeps that work for when DEBUG is really on.
    """
    if log.level == logging.NOTSET:
        log.setLevel(log.getEffectiveLevel())


def build_client(settings: Settings, token: str | None = None) -> WebClient:
    """A WebClient for ``SLACK_API_URL`` that honours 429 Retry-After and retries 5xx and resets.

    slack_sdk only retries connection errors by default; rate limits and server errors are
    added here, each a bounded number of times.
    """
    return KeepAliveWebClient(
        token=token if token is not None else settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=WEB_API_TIMEOUT,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=3),
            ServerErrorRetryHandler(max_retry_count=2),
        ],
    )
