"""The look-up tables can be loaded ahead of the first question."""

from __future__ import annotations

from cultures.countries import _index
from cultures.warm import warm_up, warm_up_in_background


def test_warm_up_builds_the_name_index_and_is_idempotent():
    warm_up()
    index = _index()
    warm_up()
    assert _index() is index  # built once, then cached


def test_warm_up_in_background_finishes():
    thread = warm_up_in_background()
    thread.join(30)
    assert not thread.is_alive()
