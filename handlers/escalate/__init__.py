"""Escalations: `/escalate`, posts in the team's escalation channel, and escalations that happen by themselves."""
