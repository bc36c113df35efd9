"""Participatory budget on the twin, with secret ballots anyone can recount.

A round carries the city's rules as data (phases with dates, city-wide and per-district
amounts, project size limits, minimum age, voting method and projects per voter). A
verified resident proposes a project placed on the twin (a point or a drawn area; the
district comes from the twin); clerks review feasibility with a reasoned conclusion; in the
voting phase each eligible resident receives one blind-signed token per round (RFC 9474,
``misto.core.ballots``) and casts a ballot with it that names no one. Every ballot is a
ledger entry, so ``misto budget recount <round>`` and anyone else recount from the public
ledger and the published keys. No other module imports this one; it publishes the events in
``events.py``.
"""
