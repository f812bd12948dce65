"""Client channels: Rapport in the Slack Connect channels where the team and a client talk.

Where things are:

* ``listeners.py`` — Slack wiring: message events in linked channels, 👀/✅ reactions, the bot
  being added to a shared channel (and the pick list that links it to a client);
* ``messages.py`` — what a message in a linked channel does: a request opened or joined, a request
  answered, the client's `until reply` follow-ups ended, the translation posted in its thread;
* ``requests.py`` — requests in the database and their reply clock in the client's business hours;
* ``thanks.py`` — "thanks a lot", "merci !", "ありがとうございます", emoji: not requests (pure);
* ``clock.py`` — the periodic task: a DM to the owner at 75% of the reply target, one escalation at 100%;
* ``blocks.py`` — the messages Rapport posts for it (pure).

Nothing is ever posted in a shared channel that no client is linked to.
"""
