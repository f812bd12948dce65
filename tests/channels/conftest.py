"""Client-channel tests run the real app with TRANSLATOR=libre against a fake LibreTranslate on loopback."""

from __future__ import annotations

from tests.fakes.libre_app import libre, runtime, settings  # shared fixtures
