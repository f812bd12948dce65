"""The commands Rapport offers, in the words of the CONTRACT, for help texts and the manifest test."""

from __future__ import annotations

COMMANDS: dict[str, tuple[str, str]] = {
    # name: (short description for the manifest, usage hint)
    "/rapport": ("Rapport help, your working hours and stats", "help | hours 08:30-17:00 | stats | export"),
    "/client": ("Add and look up clients", "add|edit|show|list|remove|import|export …"),
    "/contact": ("How and when to contact a client", "<client | country> [at <when>]"),
    "/followup": ("Follow up with a client at a good moment", "<client> <when> <what> | list | done | snooze"),
    "/translate": ("Translate text, keeping Slack markup", "[to <language>] <text> | <client>: <text>"),
    "/escalate": ("Escalate a client issue to the team", "<client> <summary> | channel #channel | list"),
    "/draft": ("Draft a message fitted to the client's culture", "<client> <followup|apology|thanks|delay|…>"),
}

OVERVIEW = """*Rapport* — how and when to reach your clients abroad.
• `/contact <client | country> [at <when>]` — their local time, is now a good moment, channel, tone, greeting, holidays
• `/client add <name> country:<country> [tz:…] [lang:…] [contact:"…"] …` — the client directory (`/client help`)
• `/followup <client> <when> <what>` — a reminder at a moment that suits them and you (`/followup help`)
• `/translate [to <language>] <text>` — quick translation that keeps mentions, links and emoji
• `/escalate <client> <summary>` — tell the team's escalation channel (`/escalate channel #channel`)
• `/draft <client> <followup|apology|thanks|delay|greeting|intro>` — a message draft in their style and language
• `/rapport hours 08:30-17:00` — your working hours (your time zone comes from your Slack profile)
• `/rapport language <language>` — the team's language, for translations in channels shared with clients
• `/client edit <client> shared:#channel` — track and translate requests in a Slack Connect channel with them
• `/rapport stats` · `/rapport export`
Every command answers `help` with its own usage."""
