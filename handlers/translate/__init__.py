"""Translation that keeps Slack messages intact: `/translate`, flag reactions, the Translate shortcut."""
