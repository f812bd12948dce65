"""All models, imported here so that Base.metadata knows every table."""

from db.models.care import CareNote
from db.models.clients import Client, ClientClosure
from db.models.core import SeenEvent, TeamMember, Workspace
from db.models.escalations import Escalation
from db.models.followups import FollowUp
from db.models.installations import OAuthState, SlackInstallation
from db.models.pacing import SlackPacing
from db.models.requests import ClientRequest, RequestMessage
from db.models.translations import ChannelClient, GlossaryTerm, TranslationCache

__all__ = [
    "CareNote",
    "ChannelClient",
    "Client",
    "ClientClosure",
    "ClientRequest",
    "Escalation",
    "FollowUp",
    "GlossaryTerm",
    "OAuthState",
    "RequestMessage",
    "SeenEvent",
    "SlackInstallation",
    "SlackPacing",
    "TeamMember",
    "TranslationCache",
    "Workspace",
]
