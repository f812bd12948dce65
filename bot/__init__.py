"""The Rapport process: settings, the Slack app, its HTTP server, the dispatcher and the console."""
