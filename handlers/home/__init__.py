"""The Home tab: a person's time zone and hours, next follow-ups, their clients right now, the commands."""
