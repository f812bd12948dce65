"""Pure knowledge about clients' cultures, calendars, languages and local time.

No Slack, no database, no environment, no network, no clock of its own:

- ``cultures.cards``     culture cards (YAML data files in ``cultures/cards/``), ``card_for``
- ``cultures.countries`` ``resolve_country``, ``zone_for``, ``resolve_subdivision`` (Babel/CLDR, tzdata)
- ``cultures.languages`` ``resolve_language``, ``main_language`` (langcodes)
- ``cultures.calendar``  weekends, public holidays, make-up working days (``holidays``)
- ``cultures.hours``     ``judge``, ``next_good_windows``, ``overlap`` — the local-time engine
- ``cultures.errors``    every exception is a ``CultureError`` with a readable message

Import from the submodules; importing this package loads nothing heavy.
"""
