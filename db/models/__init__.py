"""All models, imported here so that Base.metadata knows every table."""

from db.models.clients import Client
from db.models.core import SeenEvent, TeamMember, Workspace

__all__ = ["Client", "SeenEvent", "TeamMember", "Workspace"]
