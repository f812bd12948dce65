"""Follow-ups: `/followup <client> <when> <what>` and the reminders the bot posts by itself.

Where things are:

* ``listeners.py`` — Slack wiring: the command, the reminder's buttons, the escalate form;
* ``commands.py`` — `/followup` itself: splitting ``<client> <when> <what>``, list, done, cancel,
  snooze, settings;
* ``when.py`` — reading ``<when>`` (dateparser, recurrence rules, durations) into a wish (pure);
* ``schedule.py`` — moving a wish to the first moment good for the client *and* the owner, with
  the reason, and the occurrences of a recurring one (pure);
* ``reminders.py`` — follow-ups in the database (create, number, done, cancel, snooze, settings);
* ``delivery.py`` — the dispatcher's periodic task, the pass: claim, post and record in batches;
* ``claims.py`` — claiming due rows with a lease (``SKIP LOCKED``), renewing it;
* ``posting.py`` — posting one reminder or nag exactly once, recording outcomes;
* ``actions.py`` — what the buttons do to the row and to the message (``chat.update``);
* ``blocks.py`` — Block Kit builders (pure).

The rows live in ``db/models/followups.py``; the database is the source of truth for reminders.
"""
