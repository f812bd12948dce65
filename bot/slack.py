"""The one Web API client: Slack's base URL from settings, timeouts, and retries made explicit."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.settings import Settings

WEB_API_TIMEOUT = 10  # seconds; no listener may wait on Slack longer than this per call


def build_client(settings: Settings, token: str | None = None) -> WebClient:
    """A WebClient for ``SLACK_API_URL`` that honours 429 Retry-After and retries 5xx and resets.

    slack_sdk only retries connection errors by default; rate limits and server errors are
    added here, each a bounded number of times.
    """
    return WebClient(
        token=token if token is not None else settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=WEB_API_TIMEOUT,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=3),
            ServerErrorRetryHandler(max_retry_count=2),
        ],
    )
