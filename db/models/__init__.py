"""All models, imported here so that Base.metadata knows every table."""

from db.models.care import CareNote  # noqa: F401
from db.models.clients import Client
from db.models.core import SeenEvent, TeamMember, Workspace
from db.models.escalations import Escalation  # noqa: F401
from db.models.followups import FollowUp  # noqa: F401
from db.models.translations import ChannelClient, GlossaryTerm, TranslationCache  # noqa: F401

__all__ = ["Client", "SeenEvent", "TeamMember", "Workspace"]
