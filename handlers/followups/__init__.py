"""Follow-ups: `/followup <client> <when> <what>` and the reminders the bot posts by itself.

Where things are:

* ``listeners.py`` — Slack wiring: the command, the reminder's buttons, the escalate form;
* ``commands.py`` — `/followup` itself: splitting ``<client> <when> <what>``, list, done, cancel,
  snooze, settings;
* ``schedule.py`` — reading ``<when>`` (dateparser, recurrences) and moving a wish to the first
  moment good for the client *and* the owner, with the reason (pure);
* ``reminders.py`` — follow-ups in the database (create, number, done, cancel, snooze, settings);
* ``delivery.py`` — the dispatcher's periodic task: claim due rows with a lease, post, record;
* ``actions.py`` — what the buttons do to the row and to the message (``chat.update``);
* ``blocks.py`` — Block Kit builders (pure).

The rows live in ``db/models/followups.py``; the database is the source of truth for reminders.
"""
