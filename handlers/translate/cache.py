"""The translation cache: a provider's answer for a text, kept per workspace in the database.

Keyed by (provider, source, target, SHA-256 of the text as sent). The text as sent already has
placeholders instead of mentions, links and glossary terms, so "thanks <@U1>" and "thanks <@U2>"
share one entry, and adding a glossary term changes the key by itself. A cache hit only reads.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.models import TranslationCache
from db.scoped import team_session
from handlers.common.runtime import Runtime

logger = logging.getLogger(__name__)


def text_hash(text: str) -> str:
    """The cache key of a text (hex SHA-256 of its UTF-8 bytes)."""
    return hashlib.sha256(text.encode()).hexdigest()


def lookup(session: Session, providers: Sequence[str], source: str, target: str, digest: str) -> tuple[str, str] | None:
    """(provider, translation) from the first provider in ``providers`` order that has one cached."""
    if not providers:
        return None
    rows = session.execute(
        select(TranslationCache.provider, TranslationCache.translated).where(
            TranslationCache.text_hash == digest,
            TranslationCache.target == target,
            TranslationCache.source == source,
            TranslationCache.provider.in_(providers),
        )
    ).all()
    found = {provider: translated for provider, translated in rows}
    return next(((p, found[p]) for p in providers if p in found), None)


def store(
    runtime: Runtime, team_id: str, provider: str, source: str, target: str, digest: str, translated: str
) -> None:
    """Remember a provider's answer; a concurrent identical answer is not an error."""
    try:
        with team_session(runtime.sessions, team_id) as session:
            session.add(
                TranslationCache(
                    provider=provider,
                    source=source,
                    target=target,
                    text_hash=digest,
                    translated=translated,
                    created_at=runtime.clock(),
                )
            )
    except IntegrityError:
        logger.debug("translation already cached by another request")
