"""Sharing a file with the person who asked (exports), through Slack's external upload flow."""

from __future__ import annotations

from slack_sdk import WebClient


def send_file(client: WebClient, user_id: str, filename: str, content: str, title: str, comment: str) -> None:
    """Upload ``content`` as ``filename`` into a direct message with ``user_id``."""
    channel = client.conversations_open(users=user_id)["channel"]["id"]
    client.files_upload_v2(channel=channel, filename=filename, content=content, title=title, initial_comment=comment)
