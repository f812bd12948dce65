"""Relationship care: heads-ups before a client's public holidays and birthdays, with a greeting draft."""
