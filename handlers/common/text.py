"""Slack's text escaping: what a person typed, and what we show them literally."""

from __future__ import annotations

import html


def unescape_slack(text: str) -> str:
    """Undo Slack's escaping of ``&``, ``<`` and ``>`` in typed text (only those three)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def escape_mrkdwn(text: str) -> str:
    """Escape ``&``, ``<`` and ``>`` so that Slack shows ``text`` literally."""
    return html.escape(text, quote=False)
