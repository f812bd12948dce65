"""The team glossary: names that are never translated (``/translate glossary add Acme Cloud``)."""

from __future__ import annotations

import unicodedata

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import GlossaryTerm
from db.scoped import team_session
from handlers.common.errors import UserError
from handlers.common.runtime import Runtime

MAX_TERM = 100
MAX_TERMS = 500


def term_key(term: str) -> str:
    """How terms are compared: case-insensitive, Unicode-normalised, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFC", term).casefold().split())


def clean_term(text: str) -> str:
    """A term as typed (Slack's escaping undone, quotes and extra spaces removed), or UserError."""
    term = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").strip().strip("\"'“”‘’").strip()
    term = " ".join(term.split())
    if not term:
        raise UserError("Which term? For example `/translate glossary add Acme Cloud`.")
    if len(term) > MAX_TERM:
        raise UserError(f"A glossary term can have at most {MAX_TERM} characters; that one has {len(term)}.")
    if term.startswith(("<", ":", "`")):
        raise UserError("Mentions, links, emoji and code are always kept as they are; add names and words only.")
    return term


def terms(session: Session) -> list[str]:
    """Every term of the session's workspace."""
    return list(session.scalars(select(GlossaryTerm.term).order_by(GlossaryTerm.term_key)))


def add_term(runtime: Runtime, team_id: str, text: str, user_id: str) -> tuple[str, bool]:
    """Add a term; (term, False) when it was already there."""
    term = clean_term(text)
    key = term_key(term)
    with team_session(runtime.sessions, team_id) as session:
        existing = session.scalars(select(GlossaryTerm).where(GlossaryTerm.term_key == key)).first()
        if existing is not None:
            return existing.term, False
        count = session.scalar(select(func.count()).select_from(GlossaryTerm)) or 0
        if count >= MAX_TERMS:
            raise UserError(f"The glossary is full ({MAX_TERMS} terms): remove one first.", show_usage=False)
        session.add(GlossaryTerm(term=term, term_key=key, added_by=user_id, added_at=runtime.clock()))
    return term, True


def remove_term(runtime: Runtime, team_id: str, text: str) -> str:
    """Remove a term (any case); UserError naming the glossary when it is not there."""
    term = clean_term(text)
    with team_session(runtime.sessions, team_id) as session:
        row = session.scalars(select(GlossaryTerm).where(GlossaryTerm.term_key == term_key(term))).first()
        if row is None:
            known = terms(session)
            listing = ", ".join(f"`{t}`" for t in known[:20]) or "none yet"
            raise UserError(f"“{term}” is not in the glossary. Terms: {listing}.", show_usage=False)
        removed = row.term
        session.delete(row)
    return removed


def list_terms(runtime: Runtime, team_id: str) -> list[str]:
    """The workspace's glossary, alphabetically."""
    with team_session(runtime.sessions, team_id) as session:
        return terms(session)
